from __future__ import annotations

from datetime import date, timedelta

import defusedxml.ElementTree as ET
import pytest

from app.analytics import (
    bar_chart,
    calendar_heatmap,
    format_number,
    grouped_bar_chart,
    line_chart,
)

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ET.fromstring(svg)


def tooltips(root) -> list[str]:
    """The <title> of every group: one per bar, point or day."""
    return [
        g.find(f"{NS}title").text for g in root.iter(f"{NS}g") if g.find(f"{NS}title") is not None
    ]


def all_charts() -> list[str]:
    days = [(date(2025, 1, 1) + timedelta(i), i % 5) for i in range(40)]
    return [
        bar_chart([("a", 1), ("b", 2)], "Bars", "Day", "Reviews"),
        line_chart([("a", 10), ("b", 20)], "Line", "Session", "Score", target=(15, "Target")),
        calendar_heatmap(days, "Calendar"),
        bar_chart([], "Empty bars", "Day", "Reviews"),
        line_chart([], "Empty line", "Session", "Score"),
        calendar_heatmap([], "Empty calendar"),
        grouped_bar_chart(
            ["a", "b"], [("Up", [10, None]), ("Down", [-5, 20])], "Grouped", "x", "y"
        ),
        grouped_bar_chart([], [("Up", [])], "Empty grouped", "x", "y"),
    ]


@pytest.mark.parametrize("svg", all_charts())
def test_charts_are_well_formed_accessible_images(svg):
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title.get("id") == title_id and title.text
    assert desc.get("id") == desc_id and desc.text
    assert root.get("viewBox")


@pytest.mark.parametrize("svg", all_charts())
def test_charts_need_no_inline_style_or_script(svg):
    root = parse(svg)
    for element in root.iter():
        assert element.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_text_is_escaped():
    svg = bar_chart(
        [("<script>alert(1)</script>", 3), ('"quoted" & more', 4)],
        "Title <b>bold</b>",
        "X <i>",
        "Y & Z",
        unit="<u>",
        chart_id='x" onload="alert(1)',
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and "<u>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(f"{NS}title").text == "Title <b>bold</b>"
    assert root.get("aria-labelledby").split()[0].startswith("chart-x--onload")
    assert "onload" not in root.attrib
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "X <i>" in texts and "Y & Z" in texts
    assert tooltips(root) == [
        "<script>alert(1)</script>: 3 <u>",
        '"quoted" & more: 4 <u>',
    ]


def test_every_bar_has_a_tooltip_with_its_exact_figure():
    points = [("1 Mar", 0), ("2 Mar", 12), ("3 Mar", 1234), ("4 Mar", 2.5)]
    root = parse(bar_chart(points, "Due", "Day", "Reviews due", unit="due"))
    assert tooltips(root) == ["1 Mar: 0 due", "2 Mar: 12 due", "3 Mar: 1,234 due", "4 Mar: 2.5 due"]


def test_bars_are_as_tall_as_their_values():
    root = parse(bar_chart([("a", 5), ("b", 10)], "Bars", "x", "y"))
    visible = [
        float(rect.get("height"))
        for rect in root.iter(f"{NS}rect")
        if rect.get("fill-opacity") != "0"
    ]
    assert visible[1] == pytest.approx(2 * visible[0])


def test_axes_are_labelled_with_text_and_long_series_thin_their_labels():
    points = [(f"day {i}", i) for i in range(90)]
    root = parse(bar_chart(points, "History", "Study day", "Reviews", max_x_labels=10))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Study day" in texts and "Reviews" in texts
    day_labels = [t for t in texts if t.startswith("day ")]
    assert 1 < len(day_labels) <= 10
    assert "day 0" in day_labels
    assert len(tooltips(root)) == 90  # every bar keeps its own figure


def test_line_chart_points_and_target():
    root = parse(
        line_chart(
            [("10 Jan", 50), ("12 Jan", 75.5)],
            "Scores",
            "Session",
            "Score",
            y_max=100,
            value_format=lambda v: f"{format_number(v)}%",
            target=(90, "Target 90%"),
        )
    )
    assert tooltips(root) == ["10 Jan: 50%", "12 Jan: 75.5%"]
    assert len(list(root.iter(f"{NS}circle"))) == 2
    assert root.find(f"{NS}polyline") is not None
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Target 90%" in texts and "100%" in texts


def test_empty_charts_say_so():
    for svg in (bar_chart([], "B", "x", "y"), line_chart([], "L", "x", "y")):
        assert "No data yet" in [t.text for t in parse(svg).iter(f"{NS}text")]


def test_heatmap_has_one_day_per_square_with_its_count():
    first = date(2025, 1, 1)  # a Wednesday
    days = [(first + timedelta(i), n) for i, n in enumerate([0, 1, 8, 3])]
    root = parse(calendar_heatmap(days, "Year"))
    day_tips = [tip for tip in tooltips(root) if "2025" in tip]
    assert day_tips == [
        "Wed 1 Jan 2025: 0 reviews",
        "Thu 2 Jan 2025: 1 review",
        "Fri 3 Jan 2025: 8 reviews",
        "Sat 4 Jan 2025: 3 reviews",
    ]
    assert "12 reviews on 3 of 4 days" in root.find(f"{NS}desc").text


def test_units_can_have_a_singular():
    root = parse(bar_chart([("a", 1), ("b", 2)], "B", "x", "y", unit=("card", "cards")))
    assert tooltips(root) == ["a: 1 card", "b: 2 cards"]


def test_heatmap_shows_the_level_by_size_as_well_as_shade():
    first = date(2025, 1, 6)  # a Monday
    days = [(first + timedelta(i), n) for i, n in enumerate([0, 1, 2, 3, 4])]
    root = parse(calendar_heatmap(days, "Year"))
    day_groups = [g for g in root.iter(f"{NS}g") if "2025" in (g.findtext(f"{NS}title") or "")]
    squares = [g.findall(f"{NS}rect") for g in day_groups]
    assert len(squares[0]) == 1  # no reviews: an empty outline only
    inner = [rects[1] for rects in squares[1:]]
    sizes = [float(rect.get("width")) for rect in inner]
    shades = [rect.get("fill") for rect in inner]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    assert len(set(shades)) == 4
    # The legend says which counts each level stands for.
    legend = [g.findtext(f"{NS}title") for g in root.iter(f"{NS}g")]
    assert {"0 reviews", "1 review", "4 reviews"} <= set(legend)


def test_heatmap_weeks_are_columns_and_weekdays_rows():
    first = date(2025, 1, 5)  # a Sunday, then Monday the 6th starts a new week
    days = [(first, 1), (first + timedelta(1), 1)]
    root = parse(calendar_heatmap(days, "Two days"))
    outlines = [
        g.findall(f"{NS}rect")[0]
        for g in root.iter(f"{NS}g")
        if "2025" in (g.findtext(f"{NS}title") or "")
    ]
    sunday, monday = outlines
    assert float(monday.get("x")) > float(sunday.get("x"))
    assert float(monday.get("y")) < float(sunday.get("y"))


def test_chart_ids_differ_by_title():
    one = parse(bar_chart([("a", 1)], "One", "x", "y")).get("aria-labelledby")
    two = parse(bar_chart([("a", 1)], "Two", "x", "y")).get("aria-labelledby")
    assert one != two


def test_grouped_bars_hang_below_zero_and_skip_missing_figures():
    svg = grouped_bar_chart(
        ["Q1", "Q2"], [("Facility", [50, 80]), ("Discrimination", [-25, None])], "G", "x", "y"
    )
    root = parse(svg)
    assert tooltips(root) == [
        "Q1, Facility: 50",
        "Q1, Discrimination: -25",
        "Q2, Facility: 80",
        "Q2, Discrimination: —",
    ]
    bars = [
        (float(r.get("y")), float(r.get("height")))
        for g in root.iter(f"{NS}g")
        for r in g.iter(f"{NS}rect")
        if r.get("fill-opacity") != "0" and g.find(f"{NS}title") is not None
    ]
    assert len(bars) == 3  # no bar for the missing figure
    (up_y, up_h), (down_y, down_h), _ = bars
    assert up_y + up_h == pytest.approx(down_y)  # both meet at the zero line
    assert up_h == pytest.approx(2 * down_h, abs=0.02)  # coordinates have two decimals
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Facility" in texts and "Discrimination" in texts  # the legend names them
