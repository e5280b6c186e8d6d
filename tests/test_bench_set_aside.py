"""The benchmarks' set-aside of old output (bench.set_aside): moved now, deleted after."""

from __future__ import annotations

from pathlib import Path

from bench.set_aside import SetAside


def test_folders_are_moved_now_and_deleted_after(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("old", encoding="utf-8")
    trash = tmp_path / "set-aside"
    with SetAside(trash) as old:
        old.move(site, tmp_path / "never-made")
        assert not site.exists()  # the build gets an empty place
        kept = list(trash.iterdir())
        assert [p.name.startswith("site-") for p in kept] == [True]
        assert (kept[0] / "a" / "index.html").read_text(encoding="utf-8") == "old"
        site.mkdir()  # a new run's output, then set aside again: both kept
        old.move(site)
        assert len(list(trash.iterdir())) == 2
    assert not trash.exists()


def test_an_interrupted_runs_trash_is_emptied_first(tmp_path: Path) -> None:
    trash = tmp_path / "set-aside"
    (trash / "site-1234").mkdir(parents=True)
    with SetAside(trash):
        assert not trash.exists()
