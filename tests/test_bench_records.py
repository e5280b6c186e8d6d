"""The search benchmarks' synthetic records are what `portal build` writes:
`portal index` reads them as typed public records (it refuses anything else)."""

from __future__ import annotations

from bench.search_bench import make_records
from domain.catalogue.public_record import PublicRecord


def test_synthetic_records_read_as_public_records() -> None:
    records = make_records(500)
    for raw in records:
        record = PublicRecord.from_json(raw)
        assert record.id == raw["id"] and record.title == raw["title"]
    assert len({r["id"] for r in records}) == 500
