"""builder.charts: bars proportional to their values, labels escaped, a
legend only when there is more than one kind of segment."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from builder.charts import LABEL_WIDTH, Bar, Segment, stacked_bars


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect class="pt-c\d" x="[\d.]+" y="\d+" width="([\d.]+)"',
                                          svg)]


def test_bars_are_proportional_and_totals_written() -> None:
    svg = stacked_bars([Bar("交通局", (Segment(30, "pt-c1", "无条件"), Segment(10, "pt-c2", "有条件"))),
                        Bar("人社局", (Segment(20, "pt-c1", "无条件"),))], title="数据集")
    first, second, third = widths(svg)
    assert abs(first / third - 1.5) < 0.01 and abs(second / third - 0.5) < 0.01
    texts = [t.get_text() for t in BeautifulSoup(svg, "html.parser").find_all("text")]
    assert texts[:2] == ["无条件", "有条件"]  # legend: two kinds
    assert "40" in texts and "20" in texts
    assert 'aria-label="数据集"' in svg


def test_labels_are_escaped_and_zero_segments_skipped() -> None:
    svg = stacked_bars([Bar("<script>alert(1)</script>", (Segment(0, "pt-c1", "a"),
                                                          Segment(3, "pt-c2", "b&c")))],
                       title='"x"')
    soup = BeautifulSoup(svg, "html.parser")
    assert soup.find("script") is None
    # one bar, and no legend: only one kind of segment has a value
    assert len(soup.find_all("rect")) == 1 and "b&c" in soup.find("rect").get_text()
    assert "&lt;script&gt;" in svg
    assert 'aria-label="&quot;x&quot;"' in svg


def test_no_bars_no_chart_and_long_labels_shortened() -> None:
    assert stacked_bars([], title="x") == ""
    svg = stacked_bars([Bar("云河市规划和自然资源局测绘地理信息处", (Segment(1, "pt-c1", "n"),))],
                       title="t")
    label = BeautifulSoup(svg, "html.parser").find("text").get_text()
    assert label.endswith("…") and len(label) == 10
    assert f'x="{LABEL_WIDTH - 8}"' in svg
