"""P1: loyalty groups, outcomes by group and revenue at risk, against direct computations."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib.practices import linkage


@pytest.fixture()
def joined() -> pd.DataFrame:
    """Invented customers whose retention rises with their NPS answer."""
    rng = np.random.default_rng(3)
    score = rng.integers(0, 11, 3000).astype(float)
    retained = (rng.random(3000) < 0.55 + 0.04 * score).astype(float)
    revenue = 300 + 40 * score + rng.normal(0, 50, 3000)
    survey = pd.DataFrame({"customer_id": [f"c{i}" for i in range(3000)], "overall": score})
    crm = pd.DataFrame({"customer_id": survey["customer_id"], "retained": retained,
                        "revenue": revenue})
    groups = linkage.loyalty_groups(survey["overall"], "nps", (0, 10))
    return linkage.link(survey, crm, groups)


def test_loyalty_groups_nps_uses_published_cut_points():
    groups = linkage.loyalty_groups(pd.Series([0, 6, 7, 8, 9, 10, np.nan]), "nps", (0, 10))
    assert groups.iloc[:6].tolist() == ["detractor", "detractor", "passive", "passive",
                                        "promoter", "promoter"]
    assert pd.isna(groups.iloc[6])


def test_loyalty_groups_satisfaction_top_two_boxes_are_satisfied():
    groups = linkage.loyalty_groups(pd.Series([1, 3, 4, 5]), "satisfaction", (1, 5))
    assert list(groups.astype(str)) == ["not satisfied", "not satisfied", "satisfied",
                                        "satisfied"]


def test_loyalty_satisfaction_is_percent_top_two_box():
    values = pd.Series([1, 2, 4, 5, 5, 3, 4, 4])
    result = linkage.loyalty(values, "satisfaction", (1, 5))
    assert result["value"] == pytest.approx(100 * 5 / 8)
    assert result["ci_low"] < result["value"] < result["ci_high"]


def test_outcomes_by_group_retention_matches_group_means(joined):
    table = linkage.outcomes_by_group(joined)
    direct = joined.groupby("group", observed=True)["retained"].mean()
    assert table["retention"].to_dict() == pytest.approx(direct.to_dict())
    revenue = joined[joined["group"] == "promoter"]["revenue"]
    low, high = stats.t.interval(0.95, len(revenue) - 1, revenue.mean(), stats.sem(revenue))
    assert table.loc["promoter", ["revenue_low", "revenue_high"]].tolist() == \
        pytest.approx([low, high])


def test_revenue_at_risk_is_bottom_revenue_times_churn(joined):
    risk = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], what_if_share=0.25)
    bottom = joined[joined["group"] == "detractor"]
    passive = joined[joined["group"] == "passive"]
    churn = 1 - bottom["retained"].mean()
    assert risk["at_risk"] == pytest.approx(bottom["revenue"].sum() * churn)
    lift = passive["retained"].mean() - bottom["retained"].mean()
    assert risk["what_if_value"] == pytest.approx(0.25 * bottom["revenue"].sum() * lift)
    assert risk["at_risk_low"] < risk["at_risk"] < risk["at_risk_high"]
    assert risk["what_if_low"] < risk["what_if_value"] < risk["what_if_high"]


def test_revenue_at_risk_what_if_scales_with_share(joined):
    small = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], what_if_share=0.1)
    large = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], what_if_share=0.3)
    assert large["what_if_value"] == pytest.approx(3 * small["what_if_value"])


def test_retention_model_finds_planted_positive_link(joined):
    model = linkage.retention_model(joined)
    assert model.loc["overall", "odds_ratio"] > 1
    assert model.loc["overall", "or_low"] > 1


@pytest.mark.parametrize("scale, threshold", [
    ((1, 3), 3), ((1, 4), 3), ((1, 5), 4), ((1, 7), 6), ((0, 10), 9), ((1, 10), 9),
    ((0, 100), 80)])
def test_satisfied_default_rule_per_scale(scale, threshold):
    from cxlib.inputs.config import satisfied_from
    assert satisfied_from(scale) == threshold


def test_satisfied_share_three_point_scale_midpoint_not_satisfied():
    share = linkage.loyalty(pd.Series([1, 2, 2, 3, 3, 3]), "satisfaction", (1, 3))
    assert share["value"] == pytest.approx(50.0)          # only the 3s


def test_satisfied_share_zero_to_hundred_counts_top_fifth():
    values = pd.Series([15.0, 55.5, 79.9, 80.0, 92.3, 100.0])
    share = linkage.loyalty(values, "satisfaction", (0, 100))
    assert share["value"] == pytest.approx(50.0)


def test_satisfied_share_custom_rule_overrides_default():
    values = pd.Series([6, 7, 8, 9, 10, 10])
    assert linkage.loyalty(values, "satisfaction", (1, 10), satisfied=8)["value"] == \
        pytest.approx(100 * 4 / 6)
    groups = linkage.loyalty_groups(values, "satisfaction", (1, 10), satisfied=10)
    assert (groups == "satisfied").sum() == 2


def test_measure_names_client_words_win():
    from cxlib.inputs.config import Overall
    own = Overall("binary", "fan", (0, 1), "Yes", name="Star Wars fans",
                  groups=("not fans", "fans"))
    names = linkage.measure_names(own, "en")
    assert {k: names[k] for k in ("metric", "unit", "groups")} == {
        "metric": "Star Wars fans", "unit": "% fans",
        "groups": {"not satisfied": "not fans", "satisfied": "fans"}}
    plain = linkage.measure_names(Overall("binary", "fan", (0, 1), "Yes"), "en")
    assert plain["metric"] == "Share answering 'Yes'"


@pytest.mark.parametrize("overall, language, per", [
    (("nps", "Q1", (0.0, 10.0)), "en", "per point of the 0-10 likelihood-to-recommend answer"),
    (("nps", "Q1", (0.0, 10.0)), "zh", "0-10 分推荐意愿回答每高一分，"),
    (("satisfaction", "Q2", (1.0, 7.0)), "en", "per point of the answer on its 1-7 scale"),
    (("satisfaction", "Q2", (1.0, 5.0), None, ("a", "b", "c")), "en",
     "per point of the items' mean on their 1-5 scale"),
    (("binary", "fan", (0.0, 1.0), "Yes"), "en", "for answering 'Yes' against the other answer"),
    (("binary", "fan", (0.0, 1.0), "是"), "zh", "回答“是”相对于另一回答，"),
])
def test_measure_names_per_names_the_answer_the_retention_model_uses(overall, language, per):
    """The model is fitted on each answer (0-10 for NPS), never on the -100..+100 score."""
    from cxlib.inputs.config import Overall

    names = linkage.measure_names(Overall(*overall), language)
    assert names["per"] == per
    assert names["metric"] not in names["per"]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("overall", [("nps", "Q1", (0.0, 10.0)),
                                     ("satisfaction", "Q2", (1.0, 7.0)),
                                     ("satisfaction", "Q2", (1.0, 5.0), None, ("a", "b")),
                                     ("binary", "fan", (0.0, 1.0), "Yes")])
def test_model_sentence_exists_for_every_kind_of_overall_measure(overall, language):
    from cxlib.inputs.config import Overall
    from cxlib.outputs import text

    names = linkage.measure_names(Overall(*overall), language)
    sentence = text.t(language, f"p1.model.{names['answer']}", metric=names["metric"],
                      ratio="1.42", ci="CI", n="100", **names["scale"])
    assert "1.42" in sentence and "{" not in sentence
    scale = names["scale"]
    said = (scale["positive"] if names["answer"] == "binary"
            else f"{scale['low']}-{scale['high']}")
    assert said in sentence
