"""Tests of cxlib.outputs.charts: every chart from a small frame, checked against that frame."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from cxlib.outputs import charts
from cxlib.outputs.theme import load_theme

THEME = load_theme()


@pytest.fixture
def segments():
    """NPS by region with intervals and sample sizes."""
    return pd.DataFrame({"region": ["North", "South", "East"], "nps": [32.0, 18.5, -5.0],
                         "lo": [25.0, 9.5, -24.0], "hi": [38.0, 27.0, 12.0],
                         "n": [412, 388, 97]})


@pytest.fixture
def touchpoints():
    """A touchpoint catalogue with gaps (P2/P3), leaving attraction, use and advocacy empty."""
    return pd.DataFrame({
        "stage": ["awareness", "discovery", "interaction", "interaction", "purchase",
                  "awareness", "cultivation"],
        "name": ["Ads", "Website", "Sales call", "Live chat", "Contract", "Word of mouth",
                 "Account review"],
        "gap": [-0.2, -0.9, 0.3, -1.4, 0.6, 0.4, 0.1],
        "importance": [0.05, 0.12, 0.10, 0.20, 0.15, 0.08, 0.07],
        "breakpoint": [False, True, False, True, False, False, False],
        "n": [400, 420, 200, 150, 390, 380, 120]})


# One call per chart kind on a small frame, and a column whose absence must be reported.
EVERY_CHART = {
    "bars": ({"g": ["a", "b"], "v": [1.0, 2.0], "n": [10, 20]},
             lambda f: charts.bars(f, "g", "v", n="n"), "n"),
    "stacked_shares": ({"g": ["a", "b"], "detractors": [1, 2], "promoters": [3, 1]},
                       lambda f: charts.stacked_shares(f, "g", ["detractors", "promoters"]),
                       "promoters"),
    "journey_map": ({"s": ["use"], "t": ["Billing"], "gap": [-1.0], "imp": [0.2], "b": [True]},
                    lambda f: charts.journey_map(f, "s", "t", "gap", "imp", "b"), "gap"),
    "dumbbell": ({"t": ["a", "b"], "e": [4.0, 3.5], "p": [3.0, 3.8]},
                 lambda f: charts.dumbbell(f, "t", "e", "p"), "p"),
    "sankey": ({"s": ["x", "x"], "t": ["y", "z"], "v": [3, 4]},
               lambda f: charts.sankey(f, "s", "t", "v"), "t"),
    "quadrant": ({"imp": [0.1, 0.3], "perf": [4.0, 3.0], "t": ["a", "b"]},
                 lambda f: charts.quadrant(f, "imp", "perf", "t", 0.2, 3.5), "perf"),
    "impact_effort": ({"i": [4.0, 2.0], "e": [1.0, 4.0], "t": ["a", "b"], "c": ["x", "y"]},
                      lambda f: charts.impact_effort(f, "i", "e", "t", color="c"), "c"),
    "heatmap": ({"x": ["a", "b"], "y": ["c", "c"], "v": [1.0, 2.0]},
                lambda f: charts.heatmap(f, "x", "y", "v"), "y"),
    "radar": ({"a": ["s", "t", "u"], "v": [2.0, 3.0, 4.0], "w": ["1", "1", "1"]},
              lambda f: charts.radar(f, "a", "v", "w"), "w"),
    "forest": ({"t": ["a"], "e": [1.0], "lo": [0.5], "hi": [1.5]},
               lambda f: charts.forest(f, "t", "e", "lo", "hi"), "lo"),
    "histogram": ({"x": [0, 5, 10, 10], "g": ["a", "a", "b", "b"]},
                  lambda f: charts.histogram(f, "x", color="g"), "g"),
    "sentiment_bars": ({"l": ["a", "b"], "neg": [2, 0], "neu": [1, 1], "pos": [0, 3]},
                       lambda f: charts.sentiment_bars(f, "l", "neg", "neu", "pos"), "pos"),
    "plan_grid": ({"o": ["a"], "h": [30], "t": ["x"]},
                  lambda f: charts.plan_grid(f, "o", "h", "t"), "h"),
}


@pytest.mark.parametrize("kind", EVERY_CHART)
def test_chart_any_kind_has_theme_width_height_and_template(kind):
    data, draw, _ = EVERY_CHART[kind]
    fig = draw(pd.DataFrame(data))
    assert isinstance(fig, go.Figure)
    assert fig.layout.width == 680
    assert fig.layout.height >= 200
    assert fig.layout.template.layout.colorway == pio.templates["cx"].layout.colorway
    assert fig.layout.template.layout.font.family == THEME.font_family


@pytest.mark.parametrize("kind", EVERY_CHART)
def test_chart_any_kind_bad_column_raises_listing_columns(kind):
    data, draw, column = EVERY_CHART[kind]
    frame = pd.DataFrame(data).rename(columns={column: "renamed"})
    with pytest.raises(ValueError) as caught:
        draw(frame)
    named, listed = str(caught.value).split("columns are:")
    assert f"'{column}'" in named
    assert all(f"'{c}'" in listed for c in frame.columns)


def test_chart_all_kinds_are_covered():
    public = {n for n in dir(charts) if not n.startswith("_") and callable(getattr(charts, n))
              and getattr(charts, n).__module__ == charts.__name__}
    assert public == set(EVERY_CHART)


def test_chart_title_is_set_and_escaped(segments):
    fig = charts.bars(segments, "region", "nps", title="NPS <by> region")
    assert fig.layout.title.text == "NPS &lt;by&gt; region"


def test_chart_template_other_name_applies_it(segments):
    fig = charts.bars(segments, "region", "nps", template="plotly_white")
    assert fig.layout.template.layout.colorway == pio.templates["plotly_white"].layout.colorway
    assert fig.layout.width == 680


def test_bars_error_bars_equal_interval_distances(segments):
    fig = charts.bars(segments, "region", "nps", ci_low="lo", ci_high="hi")
    bar = fig.data[0]
    assert list(bar.y) == segments["nps"].tolist()
    np.testing.assert_allclose(bar.error_y.array, segments["hi"] - segments["nps"])
    np.testing.assert_allclose(bar.error_y.arrayminus, segments["nps"] - segments["lo"])
    assert bar.error_y.symmetric is False


def test_bars_horizontal_puts_errors_on_x(segments):
    fig = charts.bars(segments, "region", "nps", ci_low="lo", ci_high="hi", orientation="h")
    np.testing.assert_allclose(fig.data[0].error_x.array, segments["hi"] - segments["nps"])
    assert list(fig.data[0].x) == segments["nps"].tolist()


def test_bars_n_in_labels_and_hover(segments):
    fig = charts.bars(segments, "region", "nps", n="n", orientation="h")
    assert list(fig.data[0].y) == ["North (n=412)", "South (n=388)", "East (n=97)"]
    assert "n = 412" in fig.data[0].customdata[0]


def test_bars_only_one_bound_raises(segments):
    with pytest.raises(ValueError, match="ci_low and ci_high"):
        charts.bars(segments, "region", "nps", ci_low="lo")


def test_bars_color_gives_one_trace_per_group():
    frame = pd.DataFrame({"region": ["N", "N", "S", "S"], "wave": [1, 2, 1, 2],
                          "nps": [10.0, 12.0, 5.0, 4.0]})
    fig = charts.bars(frame, "region", "nps", color="wave")
    assert [t.name for t in fig.data] == ["1", "2"]
    assert list(fig.data[1].y) == [12.0, 4.0]
    assert fig.layout.showlegend is True


def test_bars_reference_draws_line_at_value(segments):
    fig = charts.bars(segments, "region", "nps", reference=24.3, reference_name="Overall")
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].y0 == lines[0].y1 == 24.3
    assert any("Overall" in a.text for a in fig.layout.annotations)


def test_bars_reference_label_is_the_name_as_given(segments):
    """The caller names the line and formats its figure: nothing is added to it."""
    fig = charts.bars(segments, "region", "nps", reference=14.2567, kind="nps",
                      reference_name="All customers: +14.3")
    assert [a.text for a in fig.layout.annotations] == ["All customers: +14.3"]


def test_bars_reference_without_name_reads_by_kind(segments):
    from cxlib.outputs import text

    fig = charts.bars(segments, "region", "nps", reference=14.2567, kind="nps")
    assert [a.text for a in fig.layout.annotations] == [text.figure(14.2567, "nps", "en")]
    assert fig.layout.annotations[0].text == "+14.3"


def test_stacked_shares_rows_scale_to_100_with_semantic_colours():
    frame = pd.DataFrame({"seg": ["A", "B"], "detractors": [10, 1], "passives": [30, 1],
                          "promoters": [60, 2]})
    fig = charts.stacked_shares(frame, "seg", ["detractors", "passives", "promoters"])
    assert [type(t) for t in fig.data] == [go.Bar] * 3
    np.testing.assert_allclose(fig.data[0].x, [10.0, 25.0])
    np.testing.assert_allclose(np.sum([t.x for t in fig.data], axis=0), [100.0, 100.0])
    assert [t.marker.color for t in fig.data] == [THEME.negative, THEME.neutral, THEME.positive]


def test_stacked_shares_other_names_take_palette():
    frame = pd.DataFrame({"seg": ["A"], "web": [1], "phone": [3]})
    fig = charts.stacked_shares(frame, "seg", ["web", "phone"])
    assert [t.marker.color for t in fig.data] == list(THEME.palette[:2])


def test_journey_map_places_touchpoints_in_stage_columns(touchpoints):
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint")
    dots = fig.data[0]
    order = list(charts.DEFAULT_STAGES)
    assert list(dots.x) == [order.index(s) for s in touchpoints["stage"]]
    # Touchpoints of one stage stack down in frame order.
    assert list(dots.y) == [0, 0, 0, 1, 0, 1, 0]


def test_journey_map_shows_all_stages_in_order_even_empty(touchpoints):
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint")
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == list(range(8))
    assert list(axis.ticktext) == list(charts.DEFAULT_STAGES.values())
    assert tuple(axis.range) == (-0.5, 7.5)
    assert axis.side == "top"


def test_journey_map_stage_names_mapping_replaces_labels(touchpoints):
    stages = {s: f"阶段{i}" for i, s in enumerate(charts.DEFAULT_STAGES)}
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint",
                             stages=stages)
    assert list(fig.layout.xaxis.ticktext) == list(stages.values())


def test_journey_map_colour_is_gap_on_diverging_scale_centred_at_zero(touchpoints):
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint")
    marker = fig.data[0].marker
    assert marker.cmid == 0
    assert list(marker.color) == touchpoints["gap"].tolist()
    assert marker.colorscale[0][1] == THEME.negative and marker.colorscale[-1][1] == THEME.positive
    assert marker.showscale is True


def test_journey_map_size_grows_with_importance(touchpoints):
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint")
    sizes = pd.Series(fig.data[0].marker.size)
    ranks = touchpoints["importance"].rank()
    assert (sizes.rank() == ranks).all()


def test_journey_map_breakpoints_get_rings_and_bold_names(touchpoints):
    fig = charts.journey_map(touchpoints, "stage", "name", "gap", "importance", "breakpoint")
    rings = fig.data[1]
    assert rings.marker.symbol == "circle-open"
    assert list(rings.x) == [1, 3]              # discovery, interaction
    assert fig.data[0].text[1].startswith("<b>") and not fig.data[0].text[0].startswith("<b>")


def test_journey_map_unknown_stage_raises_naming_it(touchpoints):
    frame = touchpoints.assign(stage=touchpoints["stage"].replace("use", "usage"))
    frame.loc[0, "stage"] = "onboarding"
    with pytest.raises(ValueError, match="'onboarding'"):
        charts.journey_map(frame, "stage", "name", "gap", "importance", "breakpoint")


def test_journey_map_long_names_wrap():
    frame = pd.DataFrame({"s": ["use"], "t": ["Billing and invoices by email"], "gap": [0.0],
                          "imp": [1.0], "b": [False]})
    fig = charts.journey_map(frame, "s", "t", "gap", "imp", "b")
    assert "<br>" in fig.data[0].text[0]


def test_dumbbell_sorted_by_gap_with_lines_coloured_by_sign():
    frame = pd.DataFrame({"tp": ["a", "b", "c"], "E": [4.0, 4.0, 3.0], "P": [3.9, 3.0, 3.5]})
    fig = charts.dumbbell(frame, "tp", "E", "P")
    starts, ends = fig.data[2], fig.data[3]
    assert list(ends.y) == ["b", "a", "c"]                # gaps -1.0, -0.1, +0.5
    assert list(ends.x) == [3.0, 3.9, 3.5] and list(starts.x) == [4.0, 4.0, 3.0]
    assert fig.data[0].line.color == THEME.negative and fig.data[1].line.color == THEME.positive
    assert [v for v in fig.data[1].x if v is not None] == [3.0, 3.5]
    assert list(fig.layout.yaxis.categoryarray) == ["b", "a", "c"]


def test_dumbbell_interval_whiskers_on_end_values():
    frame = pd.DataFrame({"tp": ["a"], "E": [4.0], "P": [3.0], "lo": [2.8], "hi": [3.3]})
    fig = charts.dumbbell(frame, "tp", "E", "P", ci_low="lo", ci_high="hi")
    np.testing.assert_allclose(fig.data[3].error_x.array, [0.3])
    np.testing.assert_allclose(fig.data[3].error_x.arrayminus, [0.2])


def test_sankey_sums_repeated_flows_on_shared_nodes():
    frame = pd.DataFrame({"a": ["Web", "Web", "Chat", "Web"],
                          "b": ["Chat", "Phone", "Phone", "Chat"], "v": [10, 5, 7, 3]})
    fig = charts.sankey(frame, "a", "b", "v")
    sk = fig.data[0]
    assert list(sk.node.label) == ["Web", "Chat", "Phone"]
    flows = {(sk.node.label[s], sk.node.label[t]): v
             for s, t, v in zip(sk.link.source, sk.link.target, sk.link.value)}
    assert flows == {("Web", "Chat"): 13, ("Web", "Phone"): 5, ("Chat", "Phone"): 7}


def test_sankey_cycle_puts_sources_left_targets_right():
    frame = pd.DataFrame({"a": ["self", "self", "assisted"], "b": ["self", "assisted", "self"],
                          "v": [5, 2, 1]})
    sk = charts.sankey(frame, "a", "b", "v").data[0]
    assert list(sk.node.label) == ["self", "assisted", "self", "assisted"]
    assert list(sk.link.source) == [0, 0, 1] and list(sk.link.target) == [2, 3, 2]


def test_quadrant_crosshair_at_cuts_and_names_in_corners():
    frame = pd.DataFrame({"imp": [0.1, 0.3, 0.3, 0.1], "perf": [4.0, 3.0, 4.5, 3.2],
                          "tp": ["a", "b", "c", "d"]})
    fig = charts.quadrant(frame, "imp", "perf", "tp", 0.2, 3.5)
    shapes = fig.layout.shapes
    assert {(s.x0, s.x1) for s in shapes if s.xref == "x"} == {(0.2, 0.2)}
    assert {(s.y0, s.y1) for s in shapes if s.yref == "y"} == {(3.5, 3.5)}
    corners = {a.text: (a.x, a.y) for a in fig.layout.annotations}
    assert corners == {"<b>Concentrate here</b>": (1, 0), "<b>Keep up the good work</b>": (1, 1),
                       "<b>Low priority</b>": (0, 0), "<b>Possible overkill</b>": (0, 1)}
    # a: low importance, high performance; b: high, low; c: high, high; d: low, low.
    assert list(fig.data[0].marker.color) == [THEME.accent, THEME.negative, THEME.positive,
                                              THEME.muted]


def test_quadrant_names_passed_in_replace_defaults():
    frame = pd.DataFrame({"imp": [0.1], "perf": [4.0], "tp": ["a"]})
    names = ("重点改进", "继续保持", "低优先", "过度投入")
    fig = charts.quadrant(frame, "imp", "perf", "tp", 0.2, 3.5, quadrant_names=names)
    assert {a.text for a in fig.layout.annotations} == {f"<b>{n}</b>" for n in names}


def test_quadrant_wrong_number_of_names_raises():
    frame = pd.DataFrame({"imp": [0.1], "perf": [4.0], "tp": ["a"]})
    with pytest.raises(ValueError, match="four names"):
        charts.quadrant(frame, "imp", "perf", "tp", 0.2, 3.5, quadrant_names=("a", "b"))


def test_impact_effort_quick_wins_are_high_impact_low_effort():
    frame = pd.DataFrame({"impact": [5.0, 1.0, 5.0], "effort": [1.0, 5.0, 5.0],
                          "name": ["quick", "thankless", "major"]})
    fig = charts.impact_effort(frame, "impact", "effort", "name")
    corners = {a.text: (a.x, a.y) for a in fig.layout.annotations}
    assert corners["<b>Quick wins</b>"] == (0, 1)
    assert list(fig.data[0].x) == [1.0, 5.0, 5.0]           # effort across
    assert list(fig.data[0].marker.color) == [THEME.positive, THEME.negative, THEME.primary]
    # Default cuts: the middle of each range.
    assert {s.x0 for s in fig.layout.shapes if s.xref == "x"} == {3.0}


def test_impact_effort_color_gives_trace_per_group_numbered_in_order():
    frame = pd.DataFrame({"i": [1.0, 2.0, 3.0], "e": [1.0, 2.0, 3.0], "t": ["a", "b", "c"],
                          "cat": ["systems", "skills", "systems"]})
    fig = charts.impact_effort(frame, "i", "e", "t", color="cat")
    assert [(t.name, list(t.text)) for t in fig.data] == [("systems", ["1", "3"]),
                                                          ("skills", ["2"])]


def _initiatives(count: int, places: list[tuple[int, int]]) -> pd.DataFrame:
    """Many initiatives on a few (impact, effort) places: ties, long titles, four owners."""
    words = "Standardise the fault repair journey with a checklist and monthly tracking"
    return pd.DataFrame({
        "priority": range(1, count + 1),
        "impact": [places[k % len(places)][0] for k in range(count)],
        "effort": [places[k % len(places)][1] for k in range(count)],
        "title": [f"{words[: 20 + 7 * (k % 8)]} no. {k + 1}" for k in range(count)],
        "owner": [("Operations", "Digital", "Finance", "Executive team")[k % 4]
                  for k in range(count)],
        "horizon": [(30, 60, 90)[k % 3] for k in range(count)],
        "category": [("Processes", "Tools", "Systems")[k % 3] for k in range(count)]})


def test_impact_effort_ties_sit_side_by_side_and_keep_their_order():
    frame = _initiatives(6, [(5, 2)])
    fig = charts.impact_effort(frame, "impact", "effort", "title", number="priority")
    dots = fig.data[0]
    assert (dots.x[0], dots.y[0]) == (2.0, 5.0)            # the first keeps its value
    assert len({(round(x, 6), round(y, 6)) for x, y in zip(dots.x, dots.y)}) == 6
    assert all(abs(x - 2) < 0.5 and abs(y - 5) < 0.5 for x, y in zip(dots.x, dots.y))
    assert all("5" in h and "2" in h for h in dots.customdata)   # hover: the exact values


@pytest.mark.browser
@pytest.mark.parametrize("count, places", [(12, [(5, 2), (4, 3), (5, 4)]),
                                           (24, [(3, 3), (3, 4)]), (9, [(5, 1)])],
                         ids=["demo-like", "many-ties", "corner"])
def test_impact_effort_nothing_drawn_on_anything_else(browser, count, places):
    from chart_boxes import drawn, overlaps

    frame = _initiatives(count, places)
    fig = charts.impact_effort(frame, "impact", "effort", "title", number="priority",
                               color="category")
    boxes = drawn(browser, fig)
    assert overlaps(boxes) == []
    assert len(boxes["points"]) == count
    shown = "".join(t["text"] for t in boxes["texts"]).replace(" ", "")
    assert all(t.replace(" ", "") in shown for t in frame["title"])   # the titles in full


def test_plan_grid_lists_each_entry_under_its_owner_and_horizon():
    frame = _initiatives(14, [(5, 2)])
    fig = charts.plan_grid(frame, "owner", "horizon", "title", number="priority",
                           columns=(30, 60, 90), column_names={30: "First 30 days"})
    notes = list(fig.layout.annotations)
    heads = {h: next(a.x for a in notes if a.text == f"<b>{name}</b>")
             for h, name in ((30, "First 30 days"), (60, "60"), (90, "90"))}
    rows = sorted((a.y, a.text[3:-4]) for a in notes if a.x == charts.GRID_PAD)
    for r in frame.itertuples():
        entry = next(a for a in notes if a.text.startswith(f"<b>{r.priority}</b> "))
        assert entry.text.replace("<br>", " ").endswith(r.title)
        column = min(heads, key=lambda h: abs(heads[h] - entry.x - charts.GRID_PAD))
        assert column == r.horizon, r
        row = [owner for y, owner in rows if y <= entry.y][-1]
        assert row == r.owner, r


@pytest.mark.browser
def test_plan_grid_nothing_drawn_on_anything_else(browser):
    from chart_boxes import drawn, overlaps

    fig = charts.plan_grid(_initiatives(20, [(5, 2)]), "owner", "horizon", "title",
                           number="priority", columns=(30, 60, 90))
    assert overlaps(drawn(browser, fig)) == []


def test_heatmap_pivots_long_frame_and_diverges_around_zero():
    frame = pd.DataFrame({"theme": ["price", "speed", "price"], "tp": ["web", "web", "call"],
                          "s": [-1.0, 0.5, 2.0]})
    fig = charts.heatmap(frame, "tp", "theme", "s")
    hm = fig.data[0]
    assert list(hm.x) == ["web", "call"] and list(hm.y) == ["price", "speed"]
    assert hm.z[0] == (-1.0, 2.0) or list(hm.z[0]) == [-1.0, 2.0]
    assert list(hm.z[1])[0] == 0.5 and np.isnan(list(hm.z[1])[1])
    assert hm.zmid == 0 and hm.colorscale[0][1] == THEME.negative


def test_heatmap_positive_values_use_sequential_scale():
    frame = pd.DataFrame({"x": ["a", "b"], "y": ["c", "c"], "count": [3, 9]})
    hm = charts.heatmap(frame, "x", "y", "count").data[0]
    assert hm.zmid is None and hm.colorscale[-1][1] == THEME.primary
    assert list(hm.text[0]) == ["3", "9"]


def test_heatmap_duplicate_cells_raise():
    frame = pd.DataFrame({"x": ["a", "a"], "y": ["c", "c"], "v": [1, 2]})
    with pytest.raises(ValueError, match="one row per"):
        charts.heatmap(frame, "x", "y", "v")


def test_radar_one_closed_trace_per_series():
    frame = pd.DataFrame({"cap": ["systems", "tools", "skills"] * 2, "score": [2, 3, 4, 3, 3, 5],
                          "wave": ["W1"] * 3 + ["W2"] * 3})
    fig = charts.radar(frame, "cap", "score", "wave", range=(1, 5))
    assert [type(t) for t in fig.data] == [go.Scatterpolar] * 2
    assert list(fig.data[1].r) == [3, 3, 5, 3]
    assert list(fig.data[0].theta) == ["systems", "tools", "skills", "systems"]
    assert tuple(fig.layout.polar.radialaxis.range) == (1, 5)


def test_forest_log_axis_reference_one_and_intervals():
    frame = pd.DataFrame({"term": ["promoter", "passive"], "or": [3.0, 1.2],
                          "lo": [2.0, 0.8], "hi": [4.5, 1.8]})
    fig = charts.forest(frame, "term", "or", "lo", "hi", log_x=True)
    assert fig.layout.xaxis.type == "log"
    assert [s.x0 for s in fig.layout.shapes] == [1]
    np.testing.assert_allclose(fig.data[0].error_x.array, [1.5, 0.6])
    np.testing.assert_allclose(fig.data[0].error_x.arrayminus, [1.0, 0.4])
    assert list(fig.data[0].marker.color) == [THEME.primary, THEME.muted]


def test_forest_log_axis_nonpositive_raises():
    frame = pd.DataFrame({"t": ["a"], "e": [0.0], "lo": [-1.0], "hi": [1.0]})
    with pytest.raises(ValueError, match="positive"):
        charts.forest(frame, "t", "e", "lo", "hi", log_x=True)


def test_histogram_whole_scores_get_one_bin_per_value():
    frame = pd.DataFrame({"nps": [0, 3, 9, 10, 10]})
    hist = charts.histogram(frame, "nps").data[0]
    assert list(hist.x) == [0, 3, 9, 10, 10]
    assert (hist.xbins.start, hist.xbins.end, hist.xbins.size) == (-0.5, 10.5, 1)


def test_histogram_overlapping_groups_give_percent_traces_named_with_n():
    frame = pd.DataFrame({"nps": [1, 9, 3, 9, 10], "region": ["N", "N", "S", "S", "S"]})
    fig = charts.histogram(frame, "nps", color="region")
    assert [t.name for t in fig.data] == ["N (n=2)", "S (n=3)"]
    assert {t.histnorm for t in fig.data} == {"percent"}
    assert list(fig.data[1].x) == [3, 9, 10]
    assert fig.layout.barmode == "group"


def test_histogram_loyalty_groups_are_counts_in_semantic_colours():
    frame = pd.DataFrame({"nps": [0, 6, 7, 8, 9, 10, np.nan],
                          "group": ["detractor", "detractor", "passive", "passive", "promoter",
                                    "promoter", None]})
    fig = charts.histogram(frame, "nps", color="group")
    assert [t.name for t in fig.data] == ["detractor (n=2)", "passive (n=2)", "promoter (n=2)"]
    assert {t.histnorm for t in fig.data} == {""}
    assert [t.marker.color for t in fig.data] == [THEME.negative, THEME.neutral, THEME.positive]


def test_heatmap_many_columns_leave_cell_text_to_hover():
    frame = pd.DataFrame({"x": [f"col{i}" for i in range(30)], "y": "row", "v": 3.14159})
    hm = charts.heatmap(frame, "x", "y", "v").data[0]
    assert hm.texttemplate is None and hm.text is None
    assert "3.14" in hm.customdata[0][0]


def test_quadrant_crowded_labels_dropped_but_all_in_hover():
    names = [f"Touchpoint number {i}" for i in range(12)]
    frame = pd.DataFrame({"imp": [0.1 + 0.001 * i for i in range(12)] + [0.9],
                          "perf": [3.0 + 0.001 * i for i in range(12)] + [4.5],
                          "tp": names + ["Outlier"]})
    dots = charts.quadrant(frame, "imp", "perf", "tp", 0.5, 3.5).data[0]
    shown = [t for t in dots.text if t]
    assert "Outlier" in shown and 1 <= len(shown) < len(names)
    assert all(any(n in h for h in dots.customdata) for n in names)


CLIENT_TEXT = "<script>alert(1)</script>"


@pytest.mark.parametrize("make", [
    lambda f: charts.bars(f, "label", "a", n="n").data[0].customdata,
    lambda f: charts.dumbbell(f, "label", "a", "b").data[3].customdata,
    lambda f: charts.forest(f, "label", "a", "lo", "hi").data[0].customdata,
    lambda f: charts.quadrant(f, "a", "b", "label", 1, 1).data[0].customdata,
    lambda f: charts.impact_effort(f, "a", "b", "label").data[0].customdata,
    lambda f: [a.text for a in charts.plan_grid(f, "label", "a", "label").layout.annotations],
], ids=["bars", "dumbbell", "forest", "quadrant", "impact_effort", "plan_grid"])
def test_chart_client_label_escaped_in_hover(make):
    frame = pd.DataFrame({"label": [CLIENT_TEXT], "a": [1.0], "b": [2.0], "lo": [0.5],
                          "hi": [1.5], "n": [5]})
    hover = " ".join(make(frame))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover
    assert "<script>" not in hover


def test_journey_map_client_label_escaped_in_text_and_hover():
    frame = pd.DataFrame({"s": ["use"], "t": ["<b>x</b> %{y}"], "gap": [0.0], "imp": [1.0],
                          "b": [False]})
    dots = charts.journey_map(frame, "s", "t", "gap", "imp", "b").data[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in dots.text[0] and "<b>" not in dots.text[0]
    assert "&lt;b&gt;" in dots.customdata[0]
    assert dots.hovertemplate == "%{customdata}<extra></extra>"


def test_wrap_counts_cjk_as_two_columns():
    assert charts._wrap("客户服务中心电话", 8) == "客户服务<br>中心电话"
    assert charts._wrap("Billing and invoices", 13) == "Billing and<br>invoices"
