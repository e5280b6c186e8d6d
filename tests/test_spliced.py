"""Catalogue-wide files rewritten from the previous file's unchanged pieces
(builder.spliced): always the same bytes as the file written whole."""

from __future__ import annotations

import os
import random
from pathlib import Path

from builder.spliced import Spliced, write_spliced


def _spliced(items: list[tuple[str, str]], made: list[str], *, head: str = "[",
             sep: str = ",", sep_first: bool = False, tail: str = "]\n",
             keyed: bool = True) -> Spliced:
    def piece(key: str, text: str) -> tuple[str | None, object]:
        def produce() -> str:
            made.append(key)
            return text
        return (key if keyed else None), produce

    return Spliced((f"head:{head}", lambda: head), [piece(k, t) for k, t in items], tail, sep,
                   sep_first=sep_first)  # type: ignore[arg-type]


def _whole(items: list[tuple[str, str]], **options: object) -> str:
    return "".join(_spliced(items, [], **options))  # type: ignore[arg-type]


def test_random_edits_give_the_bytes_of_a_whole_write(tmp_path: Path) -> None:
    rng = random.Random(3)
    target, index = tmp_path / "site" / "catalog.json", tmp_path / "cache" / "catalog.json.json"
    items = [(f"k{i}", f'{{"id":{i}}}') for i in range(40)]
    version = 0
    for sep_first in (False, True):
        for step in range(60):
            action = rng.choice(["change", "remove", "add", "move", "empty", "none"])
            position = rng.randrange(len(items))
            version += 1
            if action == "change":
                items[position] = (f"k{position}v{version}", f'{{"id":"{version}"}}')
            elif action == "remove" and len(items) > 1:
                items.pop(position)
            elif action == "add":
                items.insert(position, (f"n{version}", f'{{"new":{version}}}'))
            elif action == "move":
                items.insert(rng.randrange(len(items)), items.pop(position))
            elif action == "empty":
                items[position] = (f"e{version}", "")
            made: list[str] = []
            write_spliced(target, index, _spliced(items, made, sep_first=sep_first))
            assert target.read_text() == _whole(items, sep_first=sep_first), action
            if action in ("change", "add") and step:  # (a new sep_first: nothing reused)
                assert len(made) <= 1  # only the new piece was made


def test_an_unchanged_file_is_not_written_again(tmp_path: Path) -> None:
    target, index = tmp_path / "dcat.ttl", tmp_path / "index.json"
    items = [("a", "x"), ("b", "y")]
    assert write_spliced(target, index, _spliced(items, []))
    before = target.stat().st_mtime_ns
    made: list[str] = []
    assert not write_spliced(target, index, _spliced(items, made))
    assert made == [] and target.stat().st_mtime_ns == before
    assert target.read_text() == "[x,y]\n"


def test_a_file_changed_by_anyone_else_is_written_whole(tmp_path: Path) -> None:
    target, index = tmp_path / "catalog.json", tmp_path / "index.json"
    items = [("a", "alpha"), ("b", "beta")]
    write_spliced(target, index, _spliced(items, []))
    target.write_text("[alpha,BETA]\n")  # edited by hand: same size
    os.utime(target, ns=(1, 1))
    made: list[str] = []
    write_spliced(target, index, _spliced(items + [("c", "gamma")], made))
    assert target.read_text() == "[alpha,beta,gamma]\n"
    assert made == ["a", "b", "c"]


def test_another_salt_or_no_key_reuses_nothing(tmp_path: Path) -> None:
    target, index = tmp_path / "catalog.json", tmp_path / "index.json"
    items = [("a", "alpha"), ("b", "beta")]
    write_spliced(target, index, _spliced(items, []), salt="code-1")
    made: list[str] = []
    write_spliced(target, index, _spliced(items, made), salt="code-2")
    assert made == ["a", "b"]
    made.clear()
    write_spliced(target, index, _spliced(items, made, keyed=False), salt="code-2")
    assert made == ["a", "b"] and target.read_text() == "[alpha,beta]\n"


def test_a_damaged_index_is_ignored(tmp_path: Path) -> None:
    target, index = tmp_path / "catalog.json", tmp_path / "index.json"
    write_spliced(target, index, _spliced([("a", "alpha")], []))
    index.write_bytes(b"{not json")
    write_spliced(target, index, _spliced([("a", "alpha"), ("b", "beta")], []))
    assert target.read_text() == "[alpha,beta]\n"
