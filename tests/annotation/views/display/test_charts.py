"""The SVG chart helpers: well-formed XML, accessible, every number on hover, text escaped."""

import xml.etree.ElementTree as ET

import pytest

from annotation.views.display.charts import bar_chart, heatmap, line_chart

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script>&'


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def _accessible(root: ET.Element, chart_id: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find("s:title", NS).get("id") == f"{chart_id}-title"
    assert root.find("s:desc", NS).get("id") == f"{chart_id}-desc"


def _texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{{{NS['s']}}}title")]


def test_heatmap_cells_carry_their_values_and_missing_cells_a_dash():
    svg = heatmap(chart_id="kappa", title="Pairwise κ", desc="annotator by annotator",
                  rows=["alice", "bob"], cols=["alice", "bob"],
                  values=[[None, 0.5], [0.5, None]], vmin=-1, vmax=1)
    root = _parse(svg)
    _accessible(root, "kappa")
    cells = root.findall("s:g[@class='chart-cell']", NS)
    assert len(cells) == 4
    tips = ["".join(c.find("s:title", NS).itertext()) for c in cells]
    assert tips == ["alice × alice: –", "alice × bob: 0.500", "bob × alice: 0.500",
                    "bob × bob: –"]
    fills = [c.find("s:rect", NS).get("fill") for c in cells]
    assert fills[0] == fills[3] != fills[1] == fills[2]


def test_heatmap_colour_grows_with_the_value():
    root = _parse(heatmap(chart_id="c", title="t", desc="d", rows=["a"], cols=["x", "y", "z"],
                          values=[[0, 5, 10]]))
    fills = [c.find("s:rect", NS).get("fill") for c in root.findall("s:g", NS)]
    darkness = [sum(int(f[i:i + 2], 16) for i in (1, 3, 5)) for f in fills]
    assert darkness[0] > darkness[1] > darkness[2]  # larger values are darker


@pytest.mark.parametrize("chart", ["heatmap", "line", "bar"])
def test_hostile_label_names_are_escaped(chart):
    if chart == "heatmap":
        svg = heatmap(chart_id=HOSTILE, title=HOSTILE, desc=HOSTILE, rows=[HOSTILE],
                      cols=[HOSTILE], values=[[1.0]])
    elif chart == "line":
        svg = line_chart(chart_id="t", title=HOSTILE, desc=HOSTILE, x_labels=[HOSTILE],
                         series=[(HOSTILE, [0.5])])
    else:
        svg = bar_chart(chart_id="b", title=HOSTILE, desc=HOSTILE, labels=[HOSTILE],
                        values=[0.5], notes=[HOSTILE])
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.findall(".//s:script", NS) == []
    assert any(HOSTILE in text for text in _texts(root))  # shown as text, intact


def test_line_chart_points_titles_and_gaps():
    svg = line_chart(chart_id="trend", title="Agreement over time", desc="one point a report",
                     x_labels=["May 1", "May 2", "May 3"],
                     series=[("α", [0.2, None, 0.6]), ("F1", [0.5, 0.7, 0.9])])
    root = _parse(svg)
    _accessible(root, "trend")
    points = root.findall("s:circle", NS)
    assert len(points) == 5  # the missing alpha has no point
    tips = ["".join(p.find("s:title", NS).itertext()) for p in points]
    assert tips[:2] == ["α, May 1: 0.200", "α, May 3: 0.600"]
    # the gap splits alpha into runs of one point, so only F1 draws a line
    assert len(root.findall("s:polyline", NS)) == 1
    ys = [float(p.get("cy")) for p in points[2:]]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher


def test_bar_chart_flags_low_labels_in_text_not_only_colour():
    svg = bar_chart(chart_id="ents", title="Entities", desc="share of each label",
                    labels=["PER", "MISC"], values=[0.99, 0.01], notes=["99", "1"],
                    flagged=[False, True])
    root = _parse(svg)
    _accessible(root, "ents")
    bars = root.findall("s:g", NS)
    assert [b.get("class") for b in bars] == ["chart-bar", "chart-bar chart-low"]
    assert "".join(bars[1].find("s:title", NS).itertext()) == "MISC: 1.0% (1) !"
    widths = [float(b.find("s:rect", NS).get("width")) for b in bars]
    assert widths[0] > widths[1] > 0
