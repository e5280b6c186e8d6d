"""The provider's decision and what follows it: extension (003 §25, 004 §31),
approval and denial (000 §31, 002 §36, §40), the notice owed to an
overridden third party (003 §25), delivery; steps of
:class:`domain.procedures.requests.Procedure`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.periods.workdays import Clock
from domain.procedures.request_base import ProcedureBase, blank
from domain.procedures.request_records import (
    Actor,
    Decision,
    Event,
    Request,
    ThirdParty,
)
from domain.procedures.request_states import (
    Action,
    DeliveryMethod,
    EventKind,
    Outcome,
    RuleViolation,
    State,
)


class DecisionSteps(ProcedureBase):
    """The extension, decision and delivery steps of the request procedure."""

    # --- extension (003 §25, 004 §31) ------------------------------------------

    def extend(self, req: Request, *, actor: Actor, on: date, days: int, reason: str) -> Request:
        """Extend the provider's period once by ``days`` working days, approved
        by the department head and told to the applicant (003 §25 经数据提供部门
        负责人同意并告知申请人).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module;
                only ``DEPARTMENT_HEAD`` may extend.
            RuleViolation: the profile allows no extension, the period was
                already extended, ``days`` is not within 1..maximum, ``reason``
                is blank, or the period had already run out on ``on``.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.EXTEND, actor, on)
        art = self._art("provider_extension")
        maximum = self.profile.provider_extension_max
        clock = self._reply(req)
        if not maximum:
            raise RuleViolation(
                f"the provider's period cannot be extended under profile {self.profile.key!r} "
                f"({self.profile.name} grants no extension)", art,
                code="extension-not-allowed", regulation=self.profile.name)
        if clock.extension is not None:
            raise RuleViolation(
                f"the provider's period was already extended by {clock.extension.days} working "
                f"days on {clock.extension.approved_on}; it can be extended once only",
                art, code="extension-already-used", days=clock.extension.days,
                approved_on=clock.extension.approved_on)
        if not 1 <= days <= maximum:
            raise RuleViolation(
                f"an extension is 1 to {maximum} working days under profile "
                f"{self.profile.key!r}, not {days}", art,
                code="extension-days-out-of-range", maximum=maximum, days=days)
        if blank(reason):
            raise RuleViolation("an extension states its reason, which the applicant is told",
                                art, code="extension-reason-missing")
        current = self._effective_reply(req, on)
        due = current.due(self.calendar)
        if due is not None and on > due:
            raise RuleViolation(
                f"the provider's period ended on {due}; an expired period cannot be extended",
                art, code="extension-period-expired", due=due)
        extended = clock.extend(days, actor.name, on, max_days=maximum)
        return self._record(req, actor, on, EventKind.EXTENDED, {
            "days": days, "reason": reason.strip(),
            "reply_due": self._iso(self._effective_reply(req, on, extended).due(self.calendar)),
        }, notify=("applicant",), reply_clock=extended)

    # --- decision (000 §31, 003 §25, 004 §31, 002 §36, §40) ------------------------

    def approve(
        self,
        req: Request,
        *,
        actor: Actor,
        on: date,
        scope: str,
        delivery_method: DeliveryMethod | str,
        public_interest_override: str | None = None,
    ) -> Request:
        """Approve: the data is opened within ``profile.open_after_approval``
        working days (000 §31), limited to ``scope`` (003 §25 明确数据的用途和
        使用范围), by download, API or sandbox (002 §36).

        A third party's objection not judged unreasonable forbids opening
        unless ``public_interest_override`` gives the written reasons why not
        opening would seriously harm the public interest; each such party must
        then be told in writing what is opened and why (003 §25), recorded by
        :meth:`notify_third_party` before delivery. Under the profile's
        ``third_party_veto`` (002 §38), every consulted party must have
        agreed, and nothing overrides a party that did not.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``scope`` blank; unknown delivery method, or one
                the dataset's descriptor does not allow (``offered``); an
                objection stands and no override (or a blank one) is given;
                an override with no objection to override; under
                ``third_party_veto``, a consulted party that did not agree
                (002 §38), whatever the override.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.APPROVE, actor, on)
        if blank(scope):
            raise RuleViolation("an approval states the use and scope of the data (明确数据的用途和"
                                "使用范围)", self._art("decision"), code="approval-scope-missing")
        method = self._approved_method(req, delivery_method)
        override = (public_interest_override or "").strip()
        blocking = self._standing_objections(req, override)
        delivery = Clock.start(on, self.profile.open_after_approval)
        decision = Decision(Outcome.APPROVED, on, actor.name, scope=scope.strip(),
                            delivery_method=method, public_interest_override=override)
        events = [Event(EventKind.APPROVED, actor.role, actor.name, on, {
            "scope": decision.scope, "delivery_method": str(method),
            "public_interest_override": override,
            "reply_in_time": self._in_time(self._reply(req), on),
            "delivery_due": self._iso(delivery.due(self.calendar)),
        }, notify=("applicant",))]
        parties = req.third_parties
        for p in blocking:
            parties = tuple(replace(q, notice_required=True) if q.key == p.key else q
                            for q in parties)
            events.append(Event(EventKind.THIRD_PARTY_NOTICE_REQUIRED, actor.role, actor.name, on,
                                {"party": p.key, "name": p.name, "opened": decision.scope,
                                 "reasons": override},
                                notify=(f"third_party:{p.key}",)))
        return replace(req, state=State.APPROVED, decision=decision, delivery_clock=delivery,
                       third_parties=parties, events=req.events + tuple(events))

    def _approved_method(self, req: Request, delivery_method: DeliveryMethod | str) -> DeliveryMethod:
        """The delivery method of an approval.

        Raises:
            RuleViolation: an unknown method, or one the dataset's descriptor
                does not allow (002 §36).
        """
        try:
            method = DeliveryMethod(delivery_method)
        except ValueError:
            raise RuleViolation(
                f"delivery is by {', '.join(m.value for m in DeliveryMethod)}, not "
                f"{delivery_method!r}", self._own("002 §36"),
                code="delivery-method-invalid") from None
        if not req.application.offers(method):
            allowed = "、".join(m.label for m in req.application.offered)
            raise RuleViolation(
                f"the dataset's descriptor allows delivery by "
                f"{', '.join(m.value for m in req.application.offered)} only, not {method.value}",
                self._own("002 §36"), code="delivery-method-not-offered", allowed=allowed)
        return method

    def _standing_objections(self, req: Request, override: str) -> list[ThirdParty]:
        """The third parties whose objection stands and is overridden by
        ``override`` (each must then be told, 003 §25).

        Raises:
            RuleViolation: under ``third_party_veto`` a consulted party did not
                agree (002 §38); an objection stands and ``override`` is blank;
                an override with no objection to override.
        """
        if self.third_party_veto:
            # 002 §38 当事人不同意开放的，不得提供: without every consulted party's
            # agreement the data is not provided, and no public interest
            # overrides it. 002 has no rule like 003 §25's 逾期未提出意见的…
            # 决定, so a party's silence is not agreement either.
            withheld = [p for p in req.third_parties if p.answer != "agree"]
            if withheld:
                keys = ", ".join(p.key for p in withheld)
                raise RuleViolation(
                    f"third party {keys} did not agree to opening; under profile "
                    f"{self.profile.key!r} opening needs the consent of every consulted third "
                    "party and no public-interest override is possible: deny the request",
                    self._art("third_party_consent"), code="third-party-consent-missing",
                    parties=keys)
        blocking = [p for p in req.third_parties if p.blocks_opening]
        if blocking and not override:
            keys = ", ".join(p.key for p in blocking)
            raise RuleViolation(
                f"third party {keys} objected and the objection is not judged unreasonable: deny, "
                "judge the objection, or record a public-interest override with written reasons",
                self._art("third_party_consent"), code="objection-stands", parties=keys)
        if override and not blocking:
            raise RuleViolation("a public-interest override needs a standing objection to "
                                "override; there is none", self._art("public_interest_override"),
                                code="override-without-objection")
        return blocking

    def deny(self, req: Request, *, actor: Actor, on: date, reasons: str, legal_basis: str) -> Request:
        """Deny, with reasons and legal basis (000 §31, 003 §25, 004 §31 说明理由，
        并提供依据); the decision carries the remedy notice (002 §40). Possible
        during a consultation, which then ends with the decision.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``reasons`` or ``legal_basis`` blank.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.DENY, actor, on)
        if blank(reasons):
            raise RuleViolation("a denial states its reasons", self._art("decision"),
                                code="denial-reasons-missing")
        if blank(legal_basis):
            raise RuleViolation("a denial states its legal basis (提供依据)", self._art("decision"),
                                code="denial-legal-basis-missing")
        decision = Decision(Outcome.DENIED, on, actor.name, reasons=reasons.strip(),
                            legal_basis=legal_basis.strip(), remedy_notice=self.remedy_notice)
        return self._record(req, actor, on, EventKind.DENIED, {
            "reasons": decision.reasons, "legal_basis": decision.legal_basis,
            "remedy_notice": decision.remedy_notice,
            "reply_in_time": self._in_time(self._effective_reply(req, on), on),
        }, notify=("applicant",), state=State.DENIED, decision=decision)

    def notify_third_party(
        self, req: Request, *, actor: Actor, key: str, on: date, reference: str = ""
    ) -> Request:
        """Record the written notice to third party ``key`` of what was opened
        over its objection and why (003 §25 书面告知第三方).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: no notice is owed to ``key``.
        """
        self._guard(req, Action.NOTIFY_THIRD_PARTY, actor, on)
        party = next((p for p in req.notices_outstanding if p.key == key), None)
        if party is None:
            raise RuleViolation(f"no written notice is owed to third party {key!r}",
                                self._art("public_interest_override"),
                                code="notice-not-owed", party=key)
        return self._record(req, actor, on, EventKind.THIRD_PARTY_NOTIFIED,
                            {"party": key, "reference": reference.strip()},
                            third_parties=self._swap(req, replace(party, notified_on=on)))

    def deliver(self, req: Request, *, actor: Actor, on: date, reference: str = "") -> Request:
        """The data is opened to the applicant by the approved method (000 §31, 002 §36).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: a third party overridden for the public interest
                has not yet been told in writing (003 §25).
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.DELIVER, actor, on)
        owed = req.notices_outstanding
        if owed:
            raise RuleViolation(
                f"tell third party {', '.join(p.key for p in owed)} in writing what is opened "
                "and why before delivering", self._art("public_interest_override"),
                code="notice-outstanding",
                parties=", ".join(p.key for p in owed))
        assert req.delivery_clock is not None and req.decision is not None  # set by approve
        return self._record(req, actor, on, EventKind.DELIVERED, {
            "delivery_method": str(req.decision.delivery_method), "reference": reference.strip(),
            "in_time": self._in_time(req.delivery_clock, on),
        }, notify=("applicant",), state=State.DELIVERED)
