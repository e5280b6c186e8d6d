"""``service.published`` (read on every filing) keeps the records it made,
issue #17: a record changed by a re-index is seen at once, an unknown one
is None, and an unchanged one is made once."""

from __future__ import annotations

from flask import Flask

from search_api import service


def test_a_reindexed_record_is_seen_at_once(app: Flask) -> None:
    with app.app_context():
        engine = service.engine()
        identifier = engine.all_ids()[0]
        first = service.published(identifier)
        assert first is not None
        assert service.published(identifier) is first  # unchanged: made once
        changed = {**engine.get(identifier), "title": first.title + "（修订）"}
        engine.index([changed])
        again = service.published(identifier)
        assert again is not None and again.title == first.title + "（修订）"
        assert service.published("no-such-dataset") is None
