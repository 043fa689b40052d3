"""report.html and results.json of the demo client: self-contained, complete, escaped."""
import json
import re

import pandas as pd
import pytest

from cxlib import practices
from cxlib.outputs import report, text
from cxlib.inputs.client import load_client
from cxlib.outputs.section import Section


@pytest.fixture(scope="module")
def page(demo_report) -> str:
    """The demo report's HTML."""
    return (demo_report / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def results(demo_report) -> dict:
    """The demo report's results.json."""
    return json.loads((demo_report / "results.json").read_text(encoding="utf-8"))


def test_report_has_no_external_script(page):
    assert re.search(r"<script[^>]*\bsrc=", page) is None
    assert re.search(r"<link[^>]*\bhref=\"?https?:", page) is None


def test_report_embeds_plotlyjs_exactly_once(page):
    import plotly

    banner = f"* plotly.js v{plotly.offline.get_plotlyjs_version()}"
    assert page.count(banner) == 1
    assert page.index(banner) < page.index("</head>")


def test_report_demo_embeds_the_partial_plotlyjs_of_the_installed_version(page):
    import plotly

    bundle = report.PLOTLY_BUNDLE.read_text(encoding="utf-8")
    assert bundle.startswith(f"/**\n* plotly.js v{plotly.offline.get_plotlyjs_version()}\n"), \
        "plotly was upgraded: rebuild the bundle with python bench/plotly_bundle.py"
    assert page.count(bundle) == 1


def test_plotly_js_full_bundle_for_a_trace_type_the_partial_lacks():
    import plotly
    import plotly.graph_objects as go

    bar, pie = go.Figure(go.Bar(y=[1, 2])), go.Figure(go.Pie(values=[1, 2]))
    assert report.plotly_js([bar]) == report.PLOTLY_BUNDLE.read_text(encoding="utf-8")
    assert report.plotly_js([bar, pie]) == plotly.offline.get_plotlyjs()


def test_report_has_one_chart_div_per_figure(page, results):
    assert page.count('class="plotly-graph-div"') == results["figures"]
    assert results["figures"] >= 15


def test_report_shows_client_name_date_toc_and_every_section(page, results):
    assert "Northwind Telecom" in page
    assert 'class="toc"' in page
    for anchor in ("summary", "p1", "p2", "p3", "p4", "roadmap", "appendix"):
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page


def test_executive_summary_leads_with_revenue_number(page):
    summary = page[page.index('id="summary"'):page.index('id="p1"')]
    lead = re.search(r'<p class="[^"]*\blead\b[^"]*">(.*?)</p>', summary, re.S).group(1)
    assert "USD" in lead and "revenue" in lead
    assert "complaint" not in lead.lower()


def test_report_contains_no_code(page):
    body = page[page.index("<body>"):]
    assert "import cxlib" not in body and "cx.practices" not in body


def test_results_json_carries_headline_figures_of_every_practice(results):
    sections = results["sections"]
    assert {"P1", "P2", "P3", "P4", "roadmap"} <= set(sections)
    p1 = sections["P1"]["metrics"]
    for key in ("loyalty", "revenue_at_risk", "what_if_value", "odds_ratio_per_point"):
        assert {"value", "n"} <= set(p1[key])
    assert p1["loyalty"]["ci_low"] < p1["loyalty"]["value"] < p1["loyalty"]["ci_high"]
    assert sections["P2"]["metrics"]["breakpoints"]["value"] >= 1
    assert "self_service_to_assisted" in sections["P2"]["metrics"]
    assert "drivers_r_squared" in sections["P3"]["metrics"]
    assert sections["P4"]["metrics"]["staff_respondents"]["value"] >= 25


def test_results_loyalty_matches_an_independent_nps(results, demo_folder):
    import pandas as pd

    survey = pd.read_csv(demo_folder / "survey.csv")
    answers = survey["Q1"][survey["Q1"] != -99].dropna()
    expected = 100 * ((answers >= 9).mean() - (answers <= 6).mean())
    assert results["sections"]["P1"]["metrics"]["loyalty"]["value"] == pytest.approx(expected,
                                                                                     abs=0.05)


def test_client_text_is_escaped_in_html(demo_folder):
    client = load_client(demo_folder)
    planted = Section("P1", "Title <b>bold</b>", narrative=["<script>alert('x')</script>"])
    html = report.render_html(client, {"P1": planted}, __import__("datetime").date(2026, 1, 2))
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Title &lt;b&gt;bold&lt;/b&gt;" in html


def test_summary_without_outcomes_leads_with_loyalty_not_complaints(demo_folder):
    client = load_client(demo_folder)
    from cxlib.outputs.section import Metric

    p1 = Section("P1", "P1", metrics={"loyalty": Metric(12.0, 400, "NPS points", 8.0, 16.0,
                                                          kind="nps")})
    lead = report.summary(client, {"P1": p1}).narrative[0]
    assert "12.0" in lead and "8.0" in lead and "n = 400" in lead


def test_a_name_column_is_headed_by_what_it_names():
    """The report shows a row's name without its id: "Theme" beside a customer's comment,
    not "Name", which a client reads as the customer's."""
    verbatims = pd.DataFrame({"theme": ["app"], "name": ["The app"], "comment": ["Slow."]})
    assert report._table(verbatims, ("name", "comment"), "en")["headers"] == ["Theme", "Comment"]
    assert report._table(verbatims, ("name", "comment"), "zh")["headers"][0] == "主题"
    gaps = pd.DataFrame({"name": ["First bill"], "gap": [-0.4]},
                        index=pd.Index(["first_bill"], name="touchpoint"))
    assert report._table(gaps, ("name", "gap"), "en")["headers"] == ["Touchpoint", "Gap"]
    plain = pd.DataFrame({"name": ["x"], "n": [3]})
    assert report._table(plain, ("name", "n"), "en")["headers"] == ["Name", "n"]


def test_body_rows_add_breakpoints_to_the_top_rows_never_in_their_place():
    """Where journeys switch: the 5 touchpoints most switched from, then the breakpoints
    outside them (the demo showed 2 breakpoints with 6 and 5 switches in place of the 4th
    and 5th, 95 and 45)."""
    switches = pd.DataFrame({"switches": [214, 156, 130, 95, 45, 30, 6, 5]},
                            index=pd.Index(list("abcdefgh"), name="touchpoint"))
    shown = report.Shown(("switches",), rows=5)
    rows = report.body_rows(switches, shown, breakpoints=["a", "g", "h"])
    assert list(rows.index) == ["a", "b", "c", "d", "e", "g", "h"]
    assert list(report.body_rows(switches, shown, breakpoints=["b"]).index) == list("abcde")
    by_gap = report.Shown(("gap",), rows=2, order="gap")
    gaps = pd.DataFrame({"gap": [-0.1, -0.9, -0.5]},
                        index=pd.Index(["x", "y", "z"], name="touchpoint"))
    assert list(report.body_rows(gaps, by_gap, breakpoints=["x"]).index) == ["y", "z", "x"]


def test_appendix_segment_tests_show_the_holm_adjusted_p_the_text_says(demo_folder):
    """The text quotes Holm-adjusted p-values: the appendix shows them beside the raw ones."""
    p1 = practices.outcomes(load_client(demo_folder))
    table = next(t for t in report._appendix_tables({"P1": p1}, "en")
                 if t["key"] == "segment_tests")
    adjusted, raw = table["columns"].index("p_adjusted"), table["columns"].index("p_value")
    assert table["headers"][adjusted] == "p value (Holm-adjusted)"
    tests = p1.tables["segment_tests"]
    assert [row[0] for row in table["rows"]] == list(tests.index)
    for row, (segment, test) in zip(table["rows"], tests.iterrows()):
        assert row[adjusted] == text.figure(test["p_adjusted"], "p", "en")
        assert row[raw] == text.figure(test["p_value"], "p", "en")
        said = next(n for n in p1.narrative if f" by {segment} (chi-square" in n)
        assert f"Holm-adjusted p {text.p_relation(test['p_adjusted'], 'en')})" in said


def test_summary_odds_ratio_is_per_point_of_the_recommend_answer(demo_folder):
    client = load_client(demo_folder)
    p1 = practices.outcomes(client)
    lead = report.summary(client, {"P1": p1}).narrative[0]
    odds = text.figure(p1.metrics["odds_ratio_per_point"].value, "ratio", "en")
    assert (f"retention rises with Net Promoter Score (odds ratio {odds} per point of the "
            "0-10 likelihood-to-recommend answer, 95% CI ") in lead


def test_a_summary_with_no_finding_beyond_the_headline_asks_for_what_is_missing(tmp_path):
    """A survey with the headline measure alone (as the real drug reviews once their one
    segment could not be compared): no findings to "agree on as the priorities"."""
    from cxlib import practices
    from cxlib.outputs import text

    rows = "".join(f"{i},{i % 11}\n" for i in range(60))
    (tmp_path / "survey.csv").write_text("id,nps\n" + rows, encoding="utf-8")
    (tmp_path / "client.yml").write_text("client: X\nsurvey:\n  file: survey.csv\n"
                                         "  respondent_id: id\n  overall: {nps: nps}\n",
                                         encoding="utf-8")
    client = load_client(tmp_path)
    summary = report.summary(client, {"P1": practices.outcomes(client)})
    assert "finding" not in list(summary.tables["story"]["part"])
    assert summary.narrative[-1] == text.t("en", "summary.decision_no_findings")
    assert text.t("en", "summary.decision_no_plan") not in summary.narrative
