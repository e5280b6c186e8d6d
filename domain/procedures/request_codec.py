"""Plain-JSON form of a conditional-open request, for storage only.

:func:`request_to_dict` turns a :class:`~domain.procedures.request_records.Request` into
a dict of JSON values (dates as ISO ``YYYY-MM-DD`` strings, enums as their
values) and :func:`request_from_dict` turns it back; the round trip is exact
(``request_from_dict(request_to_dict(r)) == r``). The same pairs exist for the
parts: applications, events, clocks, third parties and decisions.

The dict of a request holds the applicant's clear identity number and
contacts (SPEC §7): it is for the store, never for logs, pages or messages.
:func:`split_personal` takes them out (the store keeps them in a separate,
encrypted column and the rest as the request's snapshot) and
:func:`join_personal` puts them back. An applicant may also type an ID,
mobile or card number into the free text of the application (purpose, scope
of use...): those texts go into the snapshot masked, and whole only into the
personal part, under ``clear:<field>``.

Decoding is strict: a missing or unknown key, a value of the wrong type or an
unknown enum value raises :class:`CodecError` naming where it is, e.g.
``events[3].on``. Event data must be JSON values already (lists, not tuples),
or the round trip could not be exact; encoding refuses anything else.
"""


from domain.procedures.request_decode import (
    application_from_dict,
    clock_from_dict,
    decision_from_dict,
    event_from_dict,
    request_from_dict,
    third_party_from_dict,
)
from domain.procedures.request_encode import (
    FORMAT,
    PERSONAL_FIELDS,
    CodecError,
    application_to_dict,
    clock_to_dict,
    decision_to_dict,
    event_to_dict,
    request_to_dict,
    third_party_to_dict,
)
from domain.procedures.request_personal import (
    CLEAR_PREFIX,
    FREE_TEXT_FIELDS,
    join_personal,
    split_personal,
)

__all__ = [
    "CLEAR_PREFIX",
    "FORMAT",
    "FREE_TEXT_FIELDS",
    "PERSONAL_FIELDS",
    "CodecError",
    "application_from_dict",
    "application_to_dict",
    "clock_from_dict",
    "clock_to_dict",
    "decision_from_dict",
    "decision_to_dict",
    "event_from_dict",
    "event_to_dict",
    "join_personal",
    "request_from_dict",
    "request_to_dict",
    "split_personal",
    "third_party_from_dict",
    "third_party_to_dict",
]
