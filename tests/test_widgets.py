"""The analyst's workbench: live controls redraw their views; static output is the practice's."""
import dataclasses
import os
import re
import shutil
import sys
from pathlib import Path

import ipywidgets as w
import pandas as pd
import pytest
import yaml

from cxlib import paths, practices
from cxlib.inputs.client import load_client
from cxlib.outputs import report, text, widgets
from cxlib.runs import explore


@pytest.fixture(scope="module")
def demo():
    """The demo client, loaded once."""
    return load_client("demo")


def _same_section(got, expected):
    assert got.narrative == expected.narrative
    assert got.caveats == expected.caveats
    assert {k: m.to_dict() for k, m in got.metrics.items()} == {
        k: m.to_dict() for k, m in expected.metrics.items()}
    assert got.tables.keys() == expected.tables.keys()
    for key in got.tables:
        pd.testing.assert_frame_equal(got.tables[key], expected.tables[key])
    assert {k: f.to_json() for k, f in got.figures.items()} == {
        k: f.to_json() for k, f in expected.figures.items()}


@pytest.mark.parametrize("make, practice, values", [
    (widgets.outcomes, practices.outcomes, {"what_if_share": 0.35}),
    (widgets.touchpoints, practices.touchpoints, {"threshold": 0.7, "alpha": 0.01}),
    (widgets.perception_gaps, practices.perception_gaps, {"threshold": 0.3, "alpha": 0.1}),
    (widgets.capabilities, practices.capabilities, {}),
])
def test_workbench_static_section_is_the_practice_result(demo, make, practice, values):
    _same_section(make(demo, **values, live=False).section, practice(demo, **values))


@pytest.mark.parametrize("make, practice, controls", [
    (widgets.outcomes, practices.outcomes, ("what_if_share", "segment")),
    (widgets.touchpoints, practices.touchpoints, ("threshold", "alpha", "segment")),
    (widgets.perception_gaps, practices.perception_gaps, ("threshold", "alpha", "segment")),
])
def test_workbench_fast_path_equals_the_practice_computed_whole(demo, make, practice, controls):
    """What the workbench keeps per client (gap tests, drivers, charts no control changes,
    P1 without its what-if) gives the very Section a fresh client computes whole."""
    import dataclasses
    import random

    rng = random.Random(13)
    segments = [v for _, v in widgets._filter_options(demo, "segment")]
    bench = make(demo, live=True)
    for _ in range(3):
        values = {"threshold": round(rng.choice(range(41)) * 0.05, 2),
                  "alpha": rng.choice(widgets.ALPHAS), "what_if_share": rng.choice(range(21)) / 20,
                  "segment": rng.choice(segments)}
        values = {k: v for k, v in values.items() if k in controls}
        got = bench.set(**values)
        # A new client object: nothing kept for it yet, so the practice computes it whole.
        fresh = widgets.restrict(dataclasses.replace(demo), segment=values["segment"] or None)
        _same_section(got, practice(fresh, **{k: v for k, v in values.items()
                                              if k != "segment"}))


@pytest.mark.parametrize("make, practice", [
    (widgets.outcomes, practices.outcomes),
    (widgets.perception_gaps, practices.perception_gaps),
])
def test_warm_up_keeps_every_segment_value_as_the_practice_computes_it_whole(
        demo, monkeypatch, make, practice):
    """The background warm-up computes each segment value's Section at the notebook's
    values; choosing the value then shows it without computing, and it is the Section a
    fresh client restricted to that value gives."""
    import dataclasses

    calls = []
    bench = make(demo, live=True)
    bench.warm_up.result()
    assert bench.warm_seconds[0] > 0
    monkeypatch.setattr(bench, "_practice", lambda *a, **k: calls.append(a))
    for _, value in widgets._filter_options(demo, "segment")[1:]:
        got = bench.set(segment=value)
        fresh = widgets.restrict(dataclasses.replace(demo), segment=value)
        _same_section(got, practice(fresh, **bench._values))
    assert calls == []


@pytest.mark.parametrize("make, practice, control", [
    (widgets.outcomes, practices.outcomes, "what_if_share"),
    (widgets.touchpoints, practices.touchpoints, "threshold"),
    (widgets.perception_gaps, practices.perception_gaps, "alpha"),
])
def test_warm_up_keeps_every_step_of_a_parameter_control(demo, monkeypatch, make, practice,
                                                         control):
    """The warm-up also computes each slider step and alpha level at the other controls'
    starting values: every one is then shown without computing, a step as the browser
    sends it (0.1 + 0.2, not 0.3) included, and a few equal the practice run whole."""
    import dataclasses

    calls = []
    bench = make(demo, live=True)
    bench.warm_up.result()
    start = dict(bench._values)
    steps = widgets._choices(control, start[control])
    assert len(steps) == (5 if control == "alpha" else
                          round((widgets.SLIDERS[control][1] - widgets.SLIDERS[control][0])
                                / widgets.SLIDERS[control][2]) + 1)
    monkeypatch.setattr(bench, "_practice", lambda *a, **k: calls.append(a))
    for value in steps:
        bench.set(**{control: value})
    if control != "alpha":
        bench.set(**{control: 0.1 + 0.2})       # 0.30000000000000004, a slider's float
        assert bench._values[control] == 0.3
    assert calls == []
    monkeypatch.undo()
    for value in steps[1::max(1, len(steps) // 3)]:
        got = bench.set(**{control: value})
        _same_section(got, practice(dataclasses.replace(demo), **{**start, control: value}))


def test_segment_values_after_a_parameter_change_equal_the_practice_computed_whole(demo):
    """A segment visited at parameter values the warm-up did not use is computed from the
    segment's kept work, and still equals the practice run whole on a fresh client."""
    import dataclasses

    bench = widgets.touchpoints(demo, live=True)
    bench.warm_up.result()
    bench.set(threshold=0.2, alpha=0.1)
    for _, value in widgets._filter_options(demo, "segment")[1::3]:
        got = bench.set(segment=value)
        fresh = widgets.restrict(dataclasses.replace(demo), segment=value)
        _same_section(got, practices.touchpoints(fresh, threshold=0.2, alpha=0.1))


def test_workbench_static_views_are_the_section_and_the_report_table(demo):
    bench = widgets.touchpoints(demo, threshold=0.7, live=False)
    assert bench.figure("journey_map") is bench.section.figures["journey_map"]
    view = report.table_view("P2", "breakpoints", bench.section.tables["breakpoints"], "en")
    page = bench.table("breakpoints").data
    assert all(h in page for h in view["headers"]) and view["rows"][0][0] in page
    assert "Northwind Telecom" in bench.controls.data


def test_workbench_live_threshold_redraws_sentence_table_and_chart(demo):
    bench = widgets.touchpoints(demo, threshold=0.5, live=True)
    words, table, chart = bench.narrative, bench.table("breakpoints"), bench.figure("journey_map")
    before = (words.value, table.value)
    bench.inputs["threshold"].value = 0.9
    assert bench.section.tables["breakpoints"].equals(
        practices.touchpoints(demo, threshold=0.9).tables["breakpoints"])
    assert words.value != before[0] and table.value != before[1]
    assert isinstance(chart, w.Output)
    assert "0.9 points" in words.value


def test_workbench_metrics_read_as_report_cards(demo):
    bench = widgets.outcomes(demo, live=False)
    cards = bench.metrics.data
    card = report.metric_view("loyalty", bench.section.metrics["loyalty"], "en")
    assert card["value"] in cards and card["ci"] in cards and f"n = {card['n']}" in cards
    assert "dtype" not in cards


def test_workbench_what_if_changes_only_what_if_figures(demo):
    bench = widgets.outcomes(demo, what_if_share=0.2, live=True)
    cards, words = bench.metrics, bench.narrative
    before, shown = bench.section, (cards.value, words.value)
    bench.set(what_if_share=0.6)
    after = bench.section
    assert after.metrics["what_if_value"].value > before.metrics["what_if_value"].value
    assert after.metrics["loyalty"] == before.metrics["loyalty"]
    assert bench.inputs["what_if_share"].value == 0.6
    assert cards.value != shown[0] and "60%" in words.value and "60%" not in shown[1]


def test_segment_options_start_with_all_then_values_in_category_order(demo):
    options = widgets._filter_options(demo, "segment")
    assert options[0] == ("All respondents", widgets.ALL)
    regions = [v for _, (s, v) in [o for o in options[1:]] if s == "Region"]
    assert regions == list(demo.survey["Region"].cat.categories)
    assert [label for label, _ in options[1:3]] == ["Region: Central", "Region: East"]


def test_segment_filter_restricts_every_respondent_frame_and_drops_the_segment(demo):
    north = widgets.restrict(demo, segment=("Region", "North"))
    assert (north.survey["Region"] == "North").all()
    assert north.perception.index.equals(north.survey.index)
    assert set(north.journeys["customer"]) <= set(north.survey["customer_id"])
    assert "Region" not in north.segments and "Region" in demo.segments
    bench = widgets.outcomes(demo, live=True)
    bench.set(segment=("Region", "North"))
    assert bench.section.metrics["loyalty"].n == int(north.survey["overall"].notna().sum())
    assert "loyalty_by_Region" not in bench.section.figures


def test_wave_and_function_filters_restrict_the_assessment(demo):
    bench = widgets.capabilities(demo, live=True)
    assert [o[0] for o in widgets._filter_options(demo, "wave")] == [
        "All waves", "Wave 1", "Wave 2"]
    bench.set(wave=2.0, function="IT")
    expected = practices.capabilities(widgets.restrict(demo, wave=2.0, function="IT"))
    _same_section(bench.section, expected)
    assert bench.inputs["function"].value == "IT"


def test_missing_chart_for_a_selection_says_why(demo):
    bench = widgets.capabilities(demo, live=True)
    bench.figure("wave_change")
    bench.set(wave=1.0)
    assert "wave_change" not in bench.section.figures
    assert "No 'wave_change' chart" in repr(bench.section.figure("wave_change"))


def test_going_back_to_a_value_reuses_its_section(demo):
    bench = widgets.perception_gaps(demo, live=True)
    first = bench.section
    bench.set(threshold=0.9)
    bench.set(threshold=0.5)
    assert bench.section is first


def test_unknown_control_names_the_controls(demo):
    with pytest.raises(KeyError, match="threshold, alpha, segment"):
        widgets.touchpoints(demo, live=False).set(thresold=0.2)


def test_use_these_settings_writes_settings_yml(client_copy):
    client = load_client(client_copy)
    bench = widgets.touchpoints(client, threshold=0.5, live=True)
    bench.set(threshold=0.8, alpha=0.01)
    bench._controls.children[-2].click()
    saved = yaml.safe_load((client_copy / "settings.yml").read_text(encoding="utf-8"))
    assert saved == {"threshold": 0.8, "alpha": 0.01}
    assert "threshold: 0.8" in bench._controls.children[-1].value


def test_intake_picker_lists_clients_and_redraws_for_the_pick(client_copy):
    intake = widgets.intake(client_copy, live=True)
    labels = [label for label, _ in intake.picker.options]
    assert "Northwind Telecom (demo)" in labels
    sources = intake.table("sources")
    shutil.copy(client_copy / "touchpoints.csv", client_copy / "extra.csv")
    before = sources.value
    intake.picker.value = "demo"
    assert intake.client.config.folder.name == "demo" and "(demo)" in intake._banner.value
    assert sources.value != before or "survey.csv" in sources.value


def test_explorer_notebook_gets_client_folder_and_settings(tiny_client, tmp_path):
    notebook = explore.prepare(tiny_client, tmp_path)
    import nbformat

    injected = nbformat.read(notebook, as_version=4).cells[2].source
    assert f'client = "{tiny_client}"' in injected and "threshold = 0.4" in injected
    command = explore.command(notebook, 8123)
    assert "--no-browser" in command and "--Voila.ip=127.0.0.1" in command
    assert f"--template={explore.TEMPLATE}" in command


def test_explorer_page_template_is_found_on_voila_path_and_links_no_cdn():
    from voila.paths import collect_template_paths

    jupyter_path = explore.environment()["JUPYTER_PATH"].split(os.pathsep)
    found = collect_template_paths(["voila", "nbconvert"], explore.TEMPLATE, prune=True,
                                   root_dirs=jupyter_path + [sys.prefix + "/share/jupyter"])
    assert found[0] == str(paths.JUPYTER_DATA / "voila" / "templates" / explore.TEMPLATE)
    lab = Path(sys.prefix, "share/jupyter/voila/templates/lab/index.html.j2").read_text()
    ours = (Path(found[0]) / "index.html.j2").read_text()
    # Each CDN stylesheet Voila's page links is one this template removes.
    links = re.findall(r'<link rel="stylesheet" href="https://[^"]+"[^>]*>', lab)
    assert links and all(f"replace('{link}', '')" in ours for link in links)


def test_selection_that_cannot_be_computed_says_why_and_keeps_the_views(demo):
    def practice(client, threshold):
        if threshold > 1:
            raise ValueError("only 8 respondents behind some correlation")
        return practices.touchpoints(client, threshold=threshold)

    bench = widgets.Workbench(demo, practice, {"threshold": 0.5}, ("segment",), live=True)
    words = bench.narrative
    before = (bench.section, words.value)
    bench.set(threshold=1.5)
    assert "cannot be computed" in bench._problem.value and "8 respondents" in bench._problem.value
    assert bench.section is before[0] and words.value == before[1]
    bench.set(threshold=0.5)
    assert bench._problem.value == ""


def test_keyword_explorer_says_its_counts_as_the_report_and_redacts_comments(demo):
    """The keyword explorer (notebook 05): its counts in a sentence, numbers as the report
    writes them, and the caught comments in the report's table style, redacted; typing
    another keyword redraws it in place."""
    from cxlib.practices import comments

    texts = demo.survey["comment"].dropna()
    found = comments.keyword_matches(texts, "esim", comments.match(texts, demo.codebook))
    view = widgets.keyword_explorer(demo, "esim", live=False).data
    count = lambda n: text.figure(n, "count", "en")  # noqa: E731
    assert (f"“esim” catches {count(found.attrs['matched'])} of {count(len(texts))} comments; "
            f"no codebook theme catches {count(found.attrs['new'])} of them yet.") in view
    assert "<th>Comment</th><th>No theme yet</th>" in view
    assert "[email]" in view and not re.search(r"\w@\w", view)
    assert (f"Type a keyword to see how many of the {count(len(texts))} comments it catches."
            in widgets.keyword_explorer(demo, " ", live=False).data)
    silent = dataclasses.replace(demo, survey=demo.survey.drop(columns="comment"))
    assert ("This survey has no open comments to search."
            in widgets.keyword_explorer(silent, "esim", live=False).data)
    live = widgets.keyword_explorer(demo, "esim", live=True)
    box, area = live.children[0].children[0], live.children[1]
    before = area.outputs[0]["data"]
    box.value = "bill*"
    assert area.outputs[0]["data"] != before and len(area.outputs) == 1
