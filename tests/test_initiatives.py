"""Tests of cxlib.practices.initiatives: the library, impact and priority rules, overrides."""
import numpy as np
import pandas as pd
import pytest

from cxlib.practices import initiatives
from cxlib.errors import DataError

METHOD_IDS = ([f"B{i}" for i in range(1, 10)] + [f"C{i}" for i in range(1, 5)]
              + [f"G{i}" for i in range(1, 6)] + [f"A{i}" for i in range(1, 8)] + ["MT"])


@pytest.fixture
def breakpoints():
    """Three breakpoints: a moment of truth, an ordinary one without owner, one without d."""
    return pd.DataFrame({
        "name": ["Online booking", "Billing", "Check-in"],
        "owner": ["Digital", None, "Operations"],
        "gap": [-1.5, -0.5, -1.0],
        "importance": [0.4, 0.3, 0.15],
        "d": ["deliver", "design", None],
        "moment_of_truth": [True, False, False],
    }, index=pd.Index(["online_booking", "billing", "check_in"], name="touchpoint"))


@pytest.fixture
def hotspots():
    """Two switching hotspots with their share of all switches."""
    return pd.DataFrame({"switches": [60, 15], "share": [0.6, 0.15], "name": ["Billing", "Login"]},
                        index=pd.Index(["billing", "login"], name="touchpoint"))


@pytest.fixture
def weak_elements():
    """The growth opportunities of two instruments."""
    return pd.DataFrame({"instrument": ["journeys", "culture"], "element": ["G2", "C4"],
                         "name": ["Shared goals and metrics", "Credibility"],
                         "mean": [2.0, 3.4]})


@pytest.fixture
def roadmap_frame(breakpoints, hotspots, weak_elements):
    """Initiatives generated from all three inputs with the shipped library."""
    return initiatives.initiatives(breakpoints, hotspots, weak_elements)


def _overrides(rows):
    return pd.DataFrame(rows).astype(object)


@pytest.mark.parametrize("trigger", METHOD_IDS + list(initiatives.TRIGGERS))
def test_initiative_library_has_template_for_every_trigger(trigger):
    assert (initiatives.initiative_library()["trigger"] == trigger).any()


@pytest.mark.parametrize("trigger", ["breakpoint", "gap"])
def test_initiative_library_touchpoint_triggers_cover_three_ds(trigger):
    library = initiatives.initiative_library()
    assert set(library.loc[library["trigger"] == trigger, "d"]) == set(initiatives.DS)


def test_initiative_library_values_in_allowed_sets():
    library = initiatives.initiative_library()
    assert set(library["category"]) == set(initiatives.CATEGORIES)
    assert set(library["d"]) <= set(initiatives.DS)
    assert library["effort"].between(1, 5).all()
    assert set(library["horizon_days"]) <= set(initiatives.HORIZONS)
    assert library["title_zh"].str.len().gt(0).all()


def test_check_library_bad_cells_raise_with_file_row():
    library = initiatives.initiative_library().astype(str)
    library.loc[3, "category"] = "people"
    library.loc[5, "effort"] = "9"
    with pytest.raises(DataError) as error:
        initiatives.check_library(library)
    found = {(p.row, p.column, p.got) for p in error.value.problems}
    assert found == {(5, "category", "'people'"), (7, "effort", "'9'")}


def test_initiatives_missing_template_raises(breakpoints):
    library = initiatives.initiative_library()
    library = library[library["trigger"] != "gap"]
    with pytest.raises(DataError, match="trigger gap"):
        initiatives.initiatives(breakpoints, library=library)


def test_initiatives_stable_ids_and_sources(roadmap_frame):
    got = dict(zip(roadmap_frame["initiative"], roadmap_frame["source"]))
    assert got == {"bp-online_booking": "breakpoint", "bp-billing": "breakpoint",
                   "bp-check_in": "breakpoint", "hs-billing": "hotspot",
                   "hs-login": "hotspot", "el-G2": "element", "el-C4": "element"}
    assert list(roadmap_frame.columns) == initiatives.COLUMNS


def test_initiatives_impact_follows_documented_rule(roadmap_frame):
    # breakpoints: |gap| x importance = 0.6, 0.15, 0.15 -> relative 1, .25, .25
    #   -> 1 + round(4 x) = 5, 2, 2; the moment of truth +1 is capped at 5
    # hotspots: share relative to 0.6 -> 1, .25 -> 5, 2
    # elements: (5 - mean) / 4 = .75, .4 -> 1 + round(3.0), 1 + round(1.6) = 4, 3
    impact = dict(zip(roadmap_frame["initiative"], roadmap_frame["impact"]))
    assert impact == {"bp-online_booking": 5, "bp-billing": 2, "bp-check_in": 2,
                      "hs-billing": 5, "hs-login": 2, "el-G2": 4, "el-C4": 3}


@pytest.mark.parametrize(("strength", "impact"), [
    (0.0, 1), (0.124, 1), (0.125, 2), (0.5, 3), (0.874, 4), (0.875, 5), (1.0, 5), (np.nan, 3),
])
def test_score_strength_to_impact_halves_round_up(strength, impact):
    assert initiatives._score(strength) == impact


def test_initiatives_moment_of_truth_adds_one(breakpoints):
    flags = breakpoints.assign(moment_of_truth=[True, True, False])
    impact = initiatives.initiatives(flags).set_index("initiative")["impact"]
    assert (impact["bp-billing"], impact["bp-check_in"]) == (3, 2)


def test_initiatives_templates_chosen_by_trigger_and_d(roadmap_frame):
    library = initiatives.initiative_library()
    frame = roadmap_frame.set_index("initiative")

    def title(trigger, d, name):
        row = library[(library["trigger"] == trigger) & (library["d"] == d)].iloc[0]
        return row["title_en"].replace("{touchpoint}", name)

    assert frame.at["bp-online_booking", "title"] == title("breakpoint", "deliver",
                                                           "Online booking")
    assert frame.at["bp-billing", "title"] == title("gap", "design", "Billing")
    first_gap = library[library["trigger"] == "gap"].iloc[0]
    assert frame.at["bp-check_in", "d"] == first_gap["d"]
    assert "{" not in "".join(roadmap_frame["title"])


def test_initiatives_owner_placeholder_takes_touchpoint_owner(breakpoints):
    library = initiatives.initiative_library()
    library.loc[library["trigger"].isin(["breakpoint", "gap"]), "owner"] = "{owner}"
    owner = initiatives.initiatives(breakpoints, library=library).set_index("initiative")["owner"]
    assert owner["bp-online_booking"] == "Digital"
    assert owner["bp-check_in"] == "Operations"
    assert owner["bp-billing"] == initiatives.OWNER_UNKNOWN


def test_initiatives_priority_by_impact_over_effort_ties_stable():
    library = pd.DataFrame({
        "trigger": ["gap", "G1", "G2", "G3"], "title_en": ["t {touchpoint}", "g1", "g2", "g3"],
        "title_zh": ["", "", "", ""], "category": ["tools"] * 4, "d": ["design"] * 4,
        "owner": ["IT"] * 4, "effort": ["4", "2", "1", "2"], "horizon_days": ["90"] * 4})
    weak = pd.DataFrame({"element": ["G1", "G2", "G3"], "mean": [3.0, 4.0, 3.0]})
    bps = pd.DataFrame({"gap": [1.0], "moment_of_truth": [False]}, index=["x"])
    frame = initiatives.initiatives(bps, weak_elements=weak, library=library)
    # ratios: bp-x 5/4, el-G1 3/2, el-G2 2/1, el-G3 3/2 (tie with G1, keeps input order)
    assert list(frame["initiative"]) == ["el-G2", "el-G1", "el-G3", "bp-x"]
    assert list(frame["priority"]) == [1, 2, 3, 4]


def test_initiatives_quick_wins_in_first_30_days(roadmap_frame):
    quick = (roadmap_frame["impact"] >= initiatives.QUICK_WIN_IMPACT) \
        & (roadmap_frame["effort"] <= initiatives.QUICK_WIN_EFFORT)
    assert quick.any()
    assert (roadmap_frame.loc[quick, "horizon"] == 30).all()
    slow = roadmap_frame.set_index("initiative").loc["hs-billing"]  # impact 5, effort 4
    assert slow["horizon"] == 90


@pytest.mark.parametrize("money", [
    pd.Series({"online_booking": 2000.0, "billing": 500.0}),
    {"online_booking": 2000.0, "billing": 500.0},
    pd.DataFrame({"touchpoint": ["online_booking", "billing"], "value": [2000.0, 500.0]}),
])
def test_initiatives_revenue_is_value_allocated_to_touchpoint(breakpoints, money):
    frame = initiatives.initiatives(breakpoints, revenue_by_touchpoint=money).set_index("initiative")
    assert frame.at["bp-online_booking", "impact_revenue"] == pytest.approx(2000.0)
    assert frame.at["bp-billing", "impact_revenue"] == pytest.approx(500.0)
    assert np.isnan(frame.at["bp-check_in", "impact_revenue"])


def test_initiatives_driver_weight_preferred_to_stated_importance(breakpoints):
    # weights 10, 40, NaN (-> median 25): |gap| x weight = 15, 20, 25 -> relative .6, .8, 1
    # -> 1 + round(2.4, 3.2, 4) = 3 (+1 moment of truth), 4, 5
    weighted = breakpoints.assign(weight=[10.0, 40.0, np.nan])
    impact = initiatives.initiatives(weighted).set_index("initiative")["impact"]
    assert dict(impact) == {"bp-online_booking": 4, "bp-billing": 4, "bp-check_in": 5}


def test_initiatives_revenue_unknown_for_hotspots_and_elements(roadmap_frame):
    others = roadmap_frame[roadmap_frame["source"] != "breakpoint"]
    assert others["impact_revenue"].isna().all()


@pytest.mark.parametrize("empty", [None, pd.DataFrame()])
def test_initiatives_no_inputs_empty_with_columns(empty):
    frame = initiatives.initiatives(empty, empty, empty)
    assert frame.empty and list(frame.columns) == initiatives.COLUMNS


def test_initiatives_chinese_titles_use_chinese_element_names(weak_elements):
    library = initiatives.initiative_library()
    library.loc[library["trigger"] == "G2", "title_zh"] = "改进{element}"
    frame = initiatives.initiatives(weak_elements=weak_elements, library=library, language="zh")
    assert frame.set_index("initiative").at["el-G2", "title"] == "改进共同目标与指标"


def test_apply_overrides_replaces_cells_and_marks_rows(roadmap_frame):
    result = initiatives.apply_overrides(roadmap_frame, _overrides([
        {"initiative": "el-C4", "title": "Quote customers at every board meeting",
         "category": "Content", "effort": "2", "horizon": "60", "owner": None},
    ])).set_index("initiative")
    row = result.loc["el-C4"]
    assert (row["title"], row["category"], row["effort"], row["horizon"]) == (
        "Quote customers at every board meeting", "content", 2, 60)
    assert row["owner"] == roadmap_frame.set_index("initiative").at["el-C4", "owner"]
    assert result["overridden"].sum() == 1 and bool(row["overridden"])


def test_apply_overrides_drop_removes_row(roadmap_frame):
    result = initiatives.apply_overrides(roadmap_frame, _overrides([
        {"initiative": "hs-login", "drop": "yes"}, {"initiative": "el-G2", "drop": "no"}]))
    assert "hs-login" not in set(result["initiative"])
    assert len(result) == len(roadmap_frame) - 1


def test_apply_overrides_unknown_id_adds_initiative(roadmap_frame):
    result = initiatives.apply_overrides(roadmap_frame, _overrides([
        {"initiative": "new-agents", "title": "Agent academy", "impact": "5", "effort": "1",
         "category": "skills"}]))
    row = result.set_index("initiative").loc["new-agents"]
    assert (row["title"], row["category"], row["source"], row["horizon"]) == (
        "Agent academy", "skills", "override", 30)
    assert row["priority"] == 1 and bool(row["overridden"])
    assert len(result) == len(roadmap_frame) + 1


def test_apply_overrides_recomputes_priority(roadmap_frame):
    last = roadmap_frame["initiative"].iloc[-1]
    result = initiatives.apply_overrides(roadmap_frame, _overrides([
        {"initiative": last, "impact": "5", "effort": "1"}]))
    assert result["initiative"].iloc[0] == last
    assert list(result["priority"]) == list(range(1, len(result) + 1))
    ratio = result["impact"] / result["effort"]
    assert ratio.is_monotonic_decreasing


def test_apply_overrides_none_keeps_roadmap(roadmap_frame):
    result = initiatives.apply_overrides(roadmap_frame, None)
    pd.testing.assert_frame_equal(result.drop(columns="overridden"), roadmap_frame)
    assert not result["overridden"].any()


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("category", "people", "one of systems, tools, processes, skills, content"),
    ("d", "deploy", "one of design, deliver, develop"),
    ("impact", "6", "a whole number 1-5"),
    ("effort", "2.5", "a whole number 1-5"),
    ("horizon", "45", "30, 60 or 90 (days)"),
    ("drop", "maybe", "yes or no"),
])
def test_apply_overrides_bad_value_raises_with_row(roadmap_frame, column, value, expected):
    overrides = _overrides([{"initiative": "el-G2", column: None},
                            {"initiative": "el-C4", column: value}])
    with pytest.raises(DataError) as error:
        initiatives.apply_overrides(roadmap_frame, overrides)
    [problem] = error.value.problems
    assert (problem.file, problem.row, problem.column, problem.expected, problem.got) == (
        "roadmap overrides", 3, column, expected, repr(value))


@pytest.mark.parametrize(("rows", "row", "column", "expected"), [
    ([{"initiative": "new-1", "effort": "2"}], 2, "title", "a title for the new initiative new-1"),
    ([{"initiative": "el-G2"}, {"initiative": "el-G2"}], 3, "initiative", "each initiative once"),
    ([{"initiative": "xx-9", "drop": "yes"}], 2, "initiative",
     "an initiative of the generated roadmap to drop"),
    ([{"initiative": "", "effort": "2"}], 2, "initiative", "an initiative id"),
])
def test_apply_overrides_bad_rows_raise(roadmap_frame, rows, row, column, expected):
    with pytest.raises(DataError) as error:
        initiatives.apply_overrides(roadmap_frame, _overrides(rows))
    [problem] = error.value.problems
    assert (problem.row, problem.column, problem.expected) == (row, column, expected)


def test_apply_overrides_unknown_column_raises(roadmap_frame):
    with pytest.raises(DataError, match="priority"):
        initiatives.apply_overrides(roadmap_frame, _overrides([{"initiative": "el-G2",
                                                            "priority": "1"}]))


def test_plan_starts_each_horizon_at_its_window(roadmap_frame):
    timeline = initiatives.plan(roadmap_frame)
    assert list(timeline.columns) == initiatives.PLAN_COLUMNS
    assert (timeline["end_day"] == timeline["horizon"]).all()
    assert (timeline["start_day"] == timeline["horizon"].map({30: 0, 60: 30, 90: 60})).all()
    assert timeline["horizon"].is_monotonic_increasing
    first = timeline[timeline["horizon"] == 30]
    priority = roadmap_frame.set_index("initiative").loc[first["initiative"], "priority"]
    assert priority.is_monotonic_increasing
