"""Report sections from real client folders: complete for the demo, honest when inputs lack."""
import json

import pandas as pd
import pytest
import yaml

from cxlib import practices
from cxlib.errors import CxError
from cxlib.outputs import report, text
from cxlib.inputs.client import load_client


@pytest.fixture(scope="module")
def demo():
    """The demo client, loaded once."""
    return load_client("demo")


@pytest.fixture()
def survey_only(client_copy):
    """The demo client with only its survey named in client.yml."""
    config = yaml.safe_load((client_copy / "client.yml").read_text(encoding="utf-8"))
    for key in ("outcomes", "touchpoints", "interviews", "journeys", "assessment"):
        config.pop(key, None)
    (client_copy / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                            encoding="utf-8")
    return load_client(client_copy)


def test_outcomes_demo_links_loyalty_to_revenue(demo):
    s = practices.outcomes(demo)
    assert s.metrics["revenue_at_risk"].value > 0
    assert s.metrics["revenue_at_risk"].ci_low < s.metrics["revenue_at_risk"].value
    assert s.metrics["retention_promoter"].value > s.metrics["retention_detractor"].value
    assert "Detractors" in s.narrative[0] and "USD" in s.narrative[0]
    assert {"distribution", "retention_by_group", "revenue_by_group"} <= set(s.figures)


def test_outcomes_loyalty_equals_direct_nps(demo):
    answers = demo.survey["overall"].dropna()
    direct = 100 * ((answers >= 9).mean() - (answers <= 6).mean())
    assert practices.outcomes(demo).metrics["loyalty"].value == pytest.approx(direct, abs=0.05)


def test_outcomes_segment_tests_cover_every_segment(demo):
    tests = practices.outcomes(demo).tables["segment_tests"]
    assert list(tests.index) == list(demo.segments)
    assert tests["p_value"].between(0, 1).all()


def test_touchpoints_demo_finds_planted_breakpoints(demo):
    from cxlib.inputs.demo import BREAKPOINTS

    s = practices.touchpoints(demo)
    assert set(s.tables["breakpoints"].index) == set(BREAKPOINTS)
    assert s.tables["breakpoints"]["d"].isin(["design", "deliver", "develop"]).all()
    assert "journey_map" in s.figures and "channel_sankey" in s.figures


def test_touchpoints_higher_threshold_finds_fewer_breakpoints(demo):
    few = practices.touchpoints(demo, threshold=0.9).tables["breakpoints"]
    many = practices.touchpoints(demo, threshold=0.3).tables["breakpoints"]
    assert set(few.index) < set(many.index)


def test_perception_quotes_are_redacted(demo):
    quotes = practices.perception_gaps(demo).tables["quotes"]["quote"]
    joined = " ".join(quotes)
    assert "@" not in joined and "[email]" in joined
    for name in demo.config.redact:
        assert name not in joined


def _plain(value):
    """A figure's JSON with arrays as lists, to compare figures by content (NaN too)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return [_plain(v) for v in items] if isinstance(items, list) else items
    return value


def test_sections_redaction_changes_only_personal_data(demo):
    """Redacting a section touches nothing but the demo's planted personal data: no
    figure, count or sentence of our own is mistaken for a phone number."""
    import dataclasses

    for practice in (practices.outcomes, practices.touchpoints, practices.perception_gaps,
                     practices.capabilities, practices.roadmap):
        clean, raw = practice(demo), practice.__wrapped__(demo)
        assert clean.narrative == raw.narrative and clean.caveats == raw.caveats
        assert {k: dataclasses.asdict(m) for k, m in clean.metrics.items()} == \
            {k: dataclasses.asdict(m) for k, m in raw.metrics.items()}
        for key, table in raw.tables.items():
            if key == "quotes":
                continue
            pd.testing.assert_frame_equal(clean.tables[key], table, check_dtype=False,
                                          check_categorical=False)
        for key, fig in raw.figures.items():
            assert json.dumps(_plain(clean.figures[key].to_plotly_json()), sort_keys=True) \
                == json.dumps(_plain(fig.to_plotly_json()), sort_keys=True), key
        if "quotes" in raw.tables:
            changed = raw.tables["quotes"]["quote"] != clean.tables["quotes"]["quote"]
            assert changed.any()
            for said in raw.tables["quotes"].loc[changed, "quote"]:
                assert "@" in said or any(n in said for n in demo.config.redact) \
                    or "+44" in said or "138 0013" in said, said


def test_capabilities_demo_scores_every_building_block(demo):
    s = practices.capabilities(demo)
    scores = s.tables["element_scores"]
    assert {f"B{i}" for i in range(1, 10)} <= set(scores["element"])
    assert scores["mean"].between(1, 5).all()


def test_roadmap_demo_covers_categories_and_horizons(demo):
    plan = practices.roadmap(demo).tables["initiatives"]
    assert set(plan["category"]) <= {"systems", "tools", "processes", "skills", "content"}
    assert set(plan["horizon"]) <= {30, 60, 90}
    assert plan["impact_revenue"].notna().any()


def test_survey_only_client_says_what_is_missing(survey_only):
    missing = lambda key: text.t("en", f"missing.{key}")  # noqa: E731
    p1 = practices.outcomes(survey_only)
    assert missing("outcomes") in p1.caveats and "revenue_at_risk" not in p1.metrics
    p2 = practices.touchpoints(survey_only)
    assert missing("journeys") in p2.caveats and missing("touchpoints") in p2.caveats
    p3 = practices.perception_gaps(survey_only)
    assert missing("interviews") in p3.caveats
    assert practices.capabilities(survey_only).missing == missing("assessment")


def test_survey_without_touchpoint_ratings_draws_no_empty_chart_and_says_so(client_copy):
    config = yaml.safe_load((client_copy / "client.yml").read_text(encoding="utf-8"))
    config["survey"].pop("touchpoints")
    config.pop("interviews")
    (client_copy / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                            encoding="utf-8")
    client = load_client(client_copy)
    ratings = text.t("en", "missing.ratings")
    p2, p3 = practices.touchpoints(client), practices.perception_gaps(client)
    assert ratings in p2.caveats and ratings in p3.caveats
    assert text.t("en", "missing.expectation") not in p2.caveats + p3.caveats
    assert not {"perception", "gaps"} & set(p3.figures)
    assert report._is_compact(p3)          # caveats only: no page of its own


def test_overview_counts_ratings_per_touchpoint(demo):
    table = practices.overview(demo)
    assert table.loc["first_bill", "perception_n"] == demo.perception["first_bill"].notna().sum()
    assert (table["perception_share"] <= 1).all()


def test_roadmap_consultant_overrides_apply_without_code(client_copy):
    (client_copy / "roadmap.csv").write_text(
        "initiative,title,effort,drop\n"
        "el-B6,,1,\n"
        "bp-first_bill,,,yes\n"
        "new-cab,Set up a customer advisory board to validate the journey map,,\n",
        encoding="utf-8")
    with (client_copy / "client.yml").open("a", encoding="utf-8") as config:
        config.write("roadmap: roadmap.csv\n")
    plan = practices.roadmap(load_client(client_copy)).tables["initiatives"].set_index(
        "initiative")
    assert plan.loc["el-B6", "effort"] == 1 and plan.loc["el-B6", "overridden"]
    assert "bp-first_bill" not in plan.index
    assert plan.loc["new-cab", "title"].startswith("Set up a customer advisory board")


def test_outcomes_distribution_holds_counts_per_answer_not_each_answer(demo):
    """The chart data is one count per answer value and group (lead decision 2): no
    respondent's score in file order reaches the report."""
    fig = practices.outcomes(demo).figures["distribution"]
    answers = demo.survey["overall"].dropna()
    assert sum(len(t.x) for t in fig.data) <= answers.nunique()
    assert sum(sum(t.y) for t in fig.data) == len(answers)
    assert all(t.histfunc == "sum" for t in fig.data)


def _rewritten(folder, change) -> None:
    """client.yml of `folder` with `change(config)` applied."""
    config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
    change(config)
    (folder / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")


def test_outcomes_odds_ratio_is_per_point_of_the_recommend_answer(demo):
    """The model is fitted on the 0-10 answer: 'each point of Net Promoter Score' read as
    one NPS point (of -100..+100) raising the odds by 42%."""
    s = practices.outcomes(demo)
    model = next(n for n in s.narrative if "odds of retention" in n)
    odds = s.metrics["odds_ratio_per_point"]
    assert model.startswith("Each point higher on the 0-10 likelihood-to-recommend answer "
                            "behind Net Promoter Score multiplies the odds of retention by "
                            f"{text.figure(odds.value, 'ratio', 'en')} (")
    assert odds.label == ("Odds ratio of retention per point of the 0-10 "
                          "likelihood-to-recommend answer")


def test_outcomes_odds_ratio_of_a_rating_is_per_point_of_its_scale(client_copy):
    _rewritten(client_copy, lambda c: c["survey"].update(
        overall={"satisfaction": "Q1", "scale": [0, 10]}))
    s = practices.outcomes(load_client(client_copy))
    model = next(n for n in s.narrative if "odds of retention" in n)
    assert model.startswith("Each point higher on the 0-10 answer behind Share satisfied ")
    assert "per point of the answer on its 0-10 scale" in \
        s.metrics["odds_ratio_per_point"].label


def test_outcomes_segment_reference_line_reads_as_the_text(demo):
    """The dashed line says what it is, with the headline figure as the sentences write it
    (it read a bare 14.26 beside a text saying +14.3)."""
    s = practices.outcomes(demo)
    loyalty = text.figure(s.metrics["loyalty"].value, "nps", "en")
    assert any(n.startswith(f"Net Promoter Score is {loyalty} ") for n in s.narrative)
    charts = [f for k, f in s.figures.items() if k.startswith("loyalty_by_")]
    assert charts
    for fig in charts:
        assert f"All customers: {loyalty}" in [a.text for a in fig.layout.annotations]


def test_outcomes_effort_says_its_configured_scale(client_copy):
    _rewritten(client_copy, lambda c: c["survey"]["effort"].update(scale=[1, 10]))
    s = practices.outcomes(load_client(client_copy))
    effort = next(n for n in s.narrative if n.startswith("Customer effort"))
    assert effort.startswith(f"Customer effort averages "
                             f"{text.figure(s.metrics['effort'].value, 'mean', 'en')} "
                             "on a 1-10 scale, 10 = most effort (")
    assert s.metrics["effort"].unit == "mean on 1-10, 10 = most effort"


def test_an_ease_item_says_its_top_is_the_least_effort(client_copy):
    """CES 2.0 asks for agreement with "it was easy": its top is the least effort, and the
    report says so rather than calling 7 the most effort (the answers are not turned)."""
    _rewritten(client_copy, lambda c: c["survey"]["effort"].update(high="ease"))
    loaded = load_client(client_copy)
    s = practices.outcomes(loaded)
    assert s.metrics["effort"].unit == "mean on 1-7, 7 = least effort"
    assert s.metrics["effort"].value == pytest.approx(loaded.survey["effort"].mean())
    assert any(n.startswith("Customer effort averages") and "7 = least effort (" in n
               for n in s.narrative)


def test_an_effort_item_with_an_unknown_top_is_refused(client_copy):
    _rewritten(client_copy, lambda c: c["survey"]["effort"].update(high="easy"))
    with pytest.raises(CxError, match=r"survey\.effort\.high[\s\S]*one of effort, ease"):
        load_client(client_copy)


def test_perception_axes_say_the_rating_scale(client_copy):
    """A survey of perception only (as the real airline one) charts mean ratings on 1-5."""
    def perception_only(config):
        for rating in config["survey"]["touchpoints"].values():
            rating.pop("expectation"), rating.pop("importance")
    _rewritten(client_copy, perception_only)
    s = practices.perception_gaps(load_client(client_copy))
    assert s.figures["perception"].layout.xaxis.title.text == "Perception (mean rating, 1-5)"
    assert s.figures["quadrants"].layout.yaxis.title.text == \
        "Performance (mean perception, 1-5)"


def test_gaps_chart_title_says_the_rating_scale(demo):
    title = practices.perception_gaps(demo).figures["gaps"].layout.title.text
    assert title == "Expectation and perception by touchpoint (mean rating, 1-5)"


def test_outcomes_zh_odds_ratio_effort_and_reference_line(client_copy):
    """The demo's data written in Chinese: the same three readings in the language's words."""
    _rewritten(client_copy, lambda c: c.update(language="zh"))
    s = practices.outcomes(load_client(client_copy))
    model = next(n for n in s.narrative if "留存几率" in n)
    assert "所依据的 0-10 分推荐意愿回答每提高一分，留存几率乘以" in model
    loyalty = text.figure(s.metrics["loyalty"].value, "nps", "zh")
    fig = next(f for k, f in s.figures.items() if k.startswith("loyalty_by_"))
    assert f"全体客户：{loyalty}" in [a.text for a in fig.layout.annotations]
    assert "（1-7 分制，7 分为最费力；" in next(n for n in s.narrative if n.startswith("客户费力度"))
