"""The outbox check and the audit masking use the one normalised detector
(issue 11): a message holding an ID, mobile or card number in any of the
corpus's writings is refused; the applicant's own values are recognised
however they are written; the audit detail keeps them masked."""

from __future__ import annotations

import json

import pytest

from domain.catalogue.desensitize import find_pii
from search_api.store import PersonalDataRefused, Store
from search_api.store.personal import mask_pii
from tests.pii_corpus import positives
from tests.store.store_helpers import APPLICANT, AUTHORITY, P, d, submitted
from tests.store.store_helpers import Clock as Tick
from tests.store.test_store_outbox_users_links import reminder

# One writing in five is enough here: the detector itself is tested on the
# whole corpus in tests/test_pii_corpus.py. The outbox check looks for ID and
# mobile numbers (a card number is not looked for in messages).
SAMPLE = [w for w in positives()[::5] if w.kind != "bank-card"]


def test_every_sampled_writing_is_refused(store: Store, clock: Tick) -> None:
    for writing in SAMPLE:
        with pytest.raises(PersonalDataRefused) as info:
            store.add_message(reminder(key=None, body=f"请联系 {writing.text}"), at=clock())
        assert writing.text not in str(info.value)
    assert store.pending_messages() == []


@pytest.mark.parametrize("written", ["申请人电话 0851 8888 8888", "申请人电话 ０８５１－８８８８８８８８",
                                     "申请人电话 0851\u200b88888888"])
def test_the_applicants_own_value_is_found_however_written(store: Store, clock: Tick,
                                                          written: str) -> None:
    req = submitted(phone="0851-88888888")  # a landline: no detector rule, only the value
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    loaded, version = store.load(req.number)
    with pytest.raises(PersonalDataRefused, match="applicant's identity or contact"):
        store.save(P.forward(loaded, actor=AUTHORITY, on=d(3)), expected_version=version,
                   actor=AUTHORITY, at=clock(), outbox=[reminder(body=written)])


def test_audit_masking_covers_every_writing() -> None:
    detail = {"data": {"reasons": [w.text for w in positives()]}}
    masked = json.dumps(mask_pii(detail), ensure_ascii=False)
    for writing in positives():
        assert writing.text not in masked
    assert all(find_pii(text) == [] for text in mask_pii(detail)["data"]["reasons"])
