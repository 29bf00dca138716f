"""The server-side SVG charts: self-contained, escaped, deterministic, gaps kept as gaps."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from audit_export import charts


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_line_chart_is_deterministic_and_self_contained() -> None:
    labels = [f"2026-{m:02d}" for m in range(1, 7)]
    values: list[float | None] = [0.8, 0.85, None, 0.9, 0.95, 0.97]
    first = charts.line_chart(labels, values, title="First-time fix", target=0.9, format_value="{:.0%}")
    assert first == charts.line_chart(
        labels, values, title="First-time fix", target=0.9, format_value="{:.0%}"
    )
    root = _parse(first)
    assert root.tag.endswith("svg")
    # Nothing fetched: no links, images, scripts or style sheets, only the SVG namespace.
    assert re.findall(r"https?://[^\"]+", first) == ["http://www.w3.org/2000/svg"]
    for forbidden in ("<script", "<image", "href", "<style", "@import"):
        assert forbidden not in first
    # The gap (None) splits the line in two runs: 2 points then 3 points.
    lines = [el for el in root.iter() if el.tag.endswith("polyline")]
    assert [len(el.get("points", "").split()) for el in lines] == [2, 3]
    assert len([el for el in root.iter() if el.get("class") == "target"]) == 1
    assert "2026-03: –" in first


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & "q"'
    svg = charts.line_chart([hostile], [1.0], title=hostile)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    _parse(svg)  # still well-formed XML
    bars = charts.bar_chart([hostile, "网点 A"], [0.5, None], title=hostile)
    assert "<script>" not in bars and "网点 A" in bars
    _parse(bars)


def test_target_higher_than_every_value_stays_in_the_picture() -> None:
    svg = charts.line_chart(["a", "b"], [0.1, 0.2], title="t", target=0.95, height=200)
    target = next(el for el in _parse(svg).iter() if el.get("class") == "target")
    assert 0 <= float(target.get("y1", "-1")) <= 200


def test_sparkline_without_values_is_empty_but_valid() -> None:
    svg = charts.sparkline([None, None], title="nothing")
    root = _parse(svg)
    assert not [el for el in root.iter() if el.tag.endswith(("polyline", "circle"))]
    single = charts.sparkline([None, 0.5, None], title="one")
    assert [el.tag.split("}")[-1] for el in _parse(single).iter()][-1] == "circle"


def test_label_and_value_counts_must_match() -> None:
    with pytest.raises(ValueError):
        charts.line_chart(["a"], [1.0, 2.0], title="t")
    with pytest.raises(ValueError):
        charts.bar_chart(["a", "b"], [1.0], title="t")


def test_crowded_axis_labels_are_thinned_but_the_newest_is_shown() -> None:
    labels = [f"2026-{m:02d}" for m in range(1, 13)]
    svg = charts.line_chart(labels, [0.5] * 12, title="t", width=480)
    axis = [el for el in _parse(svg).iter() if el.tag.endswith("text") and el.get("text-anchor") == "middle"]
    assert len(axis) == 12, "every month keeps its hover title"
    visible = [(el[0].tail or "") for el in axis]
    assert visible[-1] == "2026-12" and visible[-2] == ""
    assert 3 <= len([text for text in visible if text]) < 12
