"""The quick test that lets ordinary descriptors skip the YAML event pass
(``_shape_surely_bounded``) must never let through a document that the
event pass would refuse (too deep, aliases)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from domain.catalogue import structured as C


def _documents() -> list[str]:
    """Nestings of every kind, around the limit of 100 levels."""
    docs = []
    for depth in (3, 30, 48, 49, 50, 51, 60, 99, 100, 101, 150):
        docs.append("x: " + "[" * depth + "1" + "]" * depth + "\n")
        docs.append("x: " + "{a: " * depth + "1" + "}" * depth + "\n")
        docs.append("- " * depth + "x\n")  # compact block sequences on one line
        docs.append("".join(f"{' ' * i}k{i}:\n" for i in range(depth)) + " " * depth + "v\n")
        # A sequence at its key's column: two levels per column.
        docs.append("".join(f"{' ' * i}- k{i}:\n" for i in range(depth)) + " " * depth + "- v\n")
        docs.append("".join(f"{'  ' * i}- ? - k{i}\n" for i in range(depth // 3)) + "\n")
    docs.append("a: &x [1, 2]\nb: *x\n")
    docs.append("a: !!str 1\n")
    docs.append("a: b\n" * 500)
    return docs


def _event_pass_accepts(text: str) -> bool:
    try:
        C._check_yaml_shape(text)
    except ValueError:
        return False
    except Exception:  # not YAML at all: the parse reports it either way
        return True
    return True


@pytest.mark.parametrize("text", _documents())
def test_the_quick_test_never_passes_what_the_event_pass_refuses(text: str) -> None:
    if C._shape_surely_bounded(text):
        assert _event_pass_accepts(text)


def test_ordinary_descriptors_take_the_quick_path() -> None:
    descriptors = sorted((Path(__file__).parent / "data" / "catalogs").rglob("datapackage.yaml"))
    assert descriptors
    quick = [C._shape_surely_bounded(p.read_text(encoding="utf-8")) for p in descriptors]
    assert sum(quick) >= len(quick) * 0.8


@pytest.mark.parametrize("prefix,depth", list(itertools.product(["- ", "[", "{a: "], [200, 40_000])))
def test_deep_documents_are_still_refused(tmp_path: Path, prefix: str, depth: int) -> None:
    path = tmp_path / "datapackage.yaml"
    closing = {"- ": "", "[": "]", "{a: ": "}"}[prefix] * depth
    path.write_text("deep: " * (prefix != "- ") + prefix * depth + "1" + closing + "\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="nest"):
        C.read_structured(path)
