"""Money at the client's scale (issue 10.2): revenue at risk and the what-if scaled from the
surveyed customers to client.yml's customer base, and the materiality floor of the roadmap."""
import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from cxlib import practices
from cxlib.errors import DataError
from cxlib.inputs.client import load_client
from cxlib.inputs.config import CustomerBase, load_config
from cxlib.outputs import claims, deliver
from cxlib.outputs.section import Section
from cxlib.practices import linkage

Z = 1.959963984540054


def _wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson's score interval, written out (not cxlib's)."""
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def _frame(rows) -> pd.DataFrame:
    """Linked customers as `linkage.link` gives them: (region, group, retained, revenue)."""
    frame = pd.DataFrame(rows, columns=["Region", "group", "retained", "revenue"])
    frame["group"] = pd.Categorical(frame["group"], categories=linkage.GROUPS["nps"],
                                    ordered=True)
    return frame.assign(retained=frame["retained"].astype(float))


@pytest.fixture()
def hand():
    """Ten customers in two regions. Detractors: A 3 x 100 (2 retained), B 1 x 100 (not
    retained): 2 of 4 kept, churn 0.5. Passives: A 2 x 200 (both kept), B 4 x 200 (3 kept):
    5 of 6 kept, a retention gain of 1/3. Revenue: A 700, B 900; all 1,600."""
    rows = ([("A", "detractor", 1, 100.0)] * 2 + [("A", "detractor", 0, 100.0)]
            + [("A", "passive", 1, 200.0)] * 2 + [("B", "detractor", 0, 100.0)]
            + [("B", "passive", 1, 200.0)] * 3 + [("B", "passive", 0, 200.0)])
    joined = _frame(rows)
    return joined, linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], what_if_share=0.2)


def test_scaled_by_customers_is_the_surveyed_figure_times_base_over_sample(hand):
    joined, risk = hand
    figures, strata = linkage.scaled_to_base(joined, risk, CustomerBase(1000, None))
    # 10 surveyed of 1,000: factor 100; detractors' 400 become 40,000, half of it at risk.
    assert figures["by"] == "customers" and figures["factor"] == pytest.approx(100)
    assert figures["revenue"] == pytest.approx(40_000)
    assert figures["at_risk"] == pytest.approx(20_000)
    kept_low, kept_high = _wilson(2, 4)
    assert figures["at_risk_low"] == pytest.approx(40_000 * (1 - kept_high))
    assert figures["at_risk_high"] == pytest.approx(40_000 * (1 - kept_low))
    assert figures["what_if_value"] == pytest.approx(0.2 * 40_000 / 3)
    assert figures["total_revenue"] == pytest.approx(160_000)
    assert strata.loc["all", "surveyed"] == 10


def test_scaled_by_revenue_when_the_base_gives_it(hand):
    joined, risk = hand
    figures, _ = linkage.scaled_to_base(joined, risk, CustomerBase(1000, 50_000.0))
    # 50,000 / 1,600 = 31.25: detractors' 400 become 12,500, 6,250 at risk.
    assert figures["basis"] == "revenue" and figures["factor"] == pytest.approx(31.25)
    assert figures["at_risk"] == pytest.approx(6_250)
    assert figures["total_revenue"] == pytest.approx(50_000)


def test_post_stratified_by_region_weights_each_region_to_its_base(hand):
    joined, risk = hand
    base = CustomerBase(600, 97_000.0, "Region", {"A": (100, 7_000.0), "B": (500, 90_000.0)})
    figures, strata = linkage.scaled_to_base(joined, risk, base, "Region")
    # A: 7,000 / 700 = 10, detractors 300 -> 3,000; B: 90,000 / 900 = 100, 100 -> 10,000.
    assert strata["factor"].to_dict() == pytest.approx({"A": 10, "B": 100})
    assert figures["revenue"] == pytest.approx(13_000)
    assert figures["at_risk"] == pytest.approx(6_500)
    assert figures["what_if_value"] == pytest.approx(0.2 * 13_000 / 3)
    assert figures["factor"] == pytest.approx(13_000 / 400)
    # The same base as one total (97,000 / 1,600) gives another answer: 400 x 60.625.
    whole, _ = linkage.scaled_to_base(joined, risk, CustomerBase(600, 97_000.0))
    assert whole["revenue"] == pytest.approx(24_250)


def test_strata_computed_once_scale_every_what_if_share_alike(hand):
    joined, risk = hand
    base = CustomerBase(600, 97_000.0, "Region", {"A": (100, 7_000.0), "B": (500, 90_000.0)})
    strata = linkage.base_strata(joined, risk["group"], base, "Region")
    for share in (0.1, 0.45):
        at_share = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], what_if_share=share)
        given, given_strata = linkage.scaled_to_base(joined, at_share, base, "Region", strata)
        whole, whole_strata = linkage.scaled_to_base(joined, at_share, base, "Region")
        pd.testing.assert_series_equal(given, whole)
        pd.testing.assert_frame_equal(given_strata, whole_strata)
    assert given["what_if_value"] == pytest.approx(0.45 * 13_000 / 3)


def test_a_group_without_surveyed_customers_is_left_out_and_named(hand):
    joined, risk = hand
    base = CustomerBase(700, None, "Region", {"A": (100, None), "B": (500, None),
                                              "C": (100, None)})
    figures, strata = linkage.scaled_to_base(joined, risk, base, "Region")
    assert figures["uncovered"] == ["C"] and figures["customers"] == 600
    # A: 100 / 5 = 20 x 300; B: 500 / 5 = 100 x 100.
    assert figures["revenue"] == pytest.approx(6_000 + 10_000)
    assert np.isnan(strata.loc["C", "factor"])


@st.composite
def linked(draw):
    """Linked customers in 1-3 regions (a region may hold one customer), any groups."""
    n = draw(st.integers(4, 40))
    regions = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(["detractor", "passive", "promoter"]),
                           min_size=n, max_size=n))
    groups[:2] = ["detractor", "passive"]       # the what-if needs both groups
    retained = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    revenue = draw(st.lists(st.floats(0, 5_000, allow_nan=False), min_size=n, max_size=n))
    return _frame(list(zip(regions, groups, retained, revenue)))


def _sample_base(joined: pd.DataFrame, by_revenue: bool, times=None) -> CustomerBase:
    """A base per region of `times` (default 1) the surveyed customers (and revenue)."""
    parts = joined.groupby("Region")
    times = times or {}
    groups = {g: (len(p) * times.get(g, 1),
                  float(p["revenue"].sum()) * times.get(g, 1) if by_revenue else None)
              for g, p in parts}
    total = sum(c for c, _ in groups.values())
    revenue = sum(r for _, r in groups.values()) if by_revenue else None
    return CustomerBase(total, revenue, "Region", groups)


@settings(max_examples=40)
@given(linked(), st.booleans(), st.floats(0.05, 0.5))
def test_scaled_figures_keep_their_interval_sign_and_the_sample_at_factor_one(
        joined, by_revenue, share):
    risk = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], share)
    figures, _ = linkage.scaled_to_base(joined, risk, _sample_base(joined, by_revenue),
                                        "Region")
    assert 0 <= figures["at_risk_low"] <= figures["at_risk"] + 1e-6
    assert figures["at_risk"] <= figures["at_risk_high"] + 1e-6
    assert figures["what_if_low"] <= figures["what_if_value"] + 1e-6 <= \
        figures["what_if_high"] + 2e-6
    covered = joined[~joined["Region"].isin(figures["uncovered"])]
    if len(covered) == len(joined):        # base = sample: the surveyed figures come back
        for key in ("revenue", "at_risk", "at_risk_low", "at_risk_high", "what_if_value"):
            assert figures[key] == pytest.approx(risk[key], abs=1e-6)


@settings(max_examples=40)
@given(linked(), st.booleans(), st.integers(2, 1000), st.sampled_from("ABC"))
def test_a_bigger_group_in_the_base_never_lowers_the_scaled_figure(
        joined, by_revenue, times, region):
    risk = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], 0.2)
    small, _ = linkage.scaled_to_base(joined, risk, _sample_base(joined, by_revenue), "Region")
    large, _ = linkage.scaled_to_base(
        joined, risk, _sample_base(joined, by_revenue, {region: times}), "Region")
    for key in ("revenue", "at_risk", "at_risk_high"):
        assert large[key] >= small[key] - 1e-6
    assert all(np.isfinite(large[k]) for k in ("revenue", "at_risk", "what_if_value"))


@settings(max_examples=40)
@given(linked(), st.integers(1, 1000))
def test_one_region_scales_as_the_whole_base(joined, times):
    joined = joined.assign(Region="A")
    risk = linkage.revenue_at_risk(joined, linkage.GROUPS["nps"], 0.2)
    customers = len(joined) * times
    by_region, _ = linkage.scaled_to_base(
        joined, risk, CustomerBase(customers, None, "Region", {"A": (customers, None)}), "Region")
    whole, _ = linkage.scaled_to_base(joined, risk, CustomerBase(customers, None))
    for key in ("revenue", "at_risk", "at_risk_low", "what_if_value", "what_if_high"):
        assert by_region[key] == pytest.approx(whole[key])
    assert whole["at_risk"] == pytest.approx(times * risk["at_risk"])


def test_materiality_floor_share_or_amount():
    assert linkage.materiality_floor(("share", 0.001), 660_000_000) == pytest.approx(660_000)
    assert linkage.materiality_floor(("amount", 50_000.0), 1e9) == 50_000
    shown = linkage.material(pd.Series([49_999.0, 50_000.0, np.nan]), 50_000)
    assert shown.tolist() == [False, True, False]


# --- client.yml -------------------------------------------------------------------------

def _write(folder, **changes):
    path = folder / "client.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def _problems(err) -> dict:
    return {p.column: p for p in err.value.problems}


def test_demo_base_is_read_per_region(demo_folder):
    base = load_config(demo_folder).customer_base
    assert base.segment == "Region" and base.customers == 1_200_000
    assert base.groups["North"] == (360_000, 202_320_000.0)
    assert base.annual_revenue == pytest.approx(sum(r for _, r in base.groups.values()))
    assert load_config(demo_folder).materiality == ("share", 0.001)


def test_bad_base_values_are_all_reported_at_once(client_copy):
    _write(client_copy, materiality="lots", customer_base={
        "customers": 0, "annual_revenue": -5, "Regoin": {"North": {"customers": 1}},
        "Plan": {"Prepaid": {"customers": 2.5, "annual_revenue": 10},
                 "Postpaid": {"customers": 3}}})
    with pytest.raises(DataError) as err:
        load_config(client_copy)
    found = _problems(err)
    assert "0" in found["customer_base.customers"].got
    assert "whole number" in found["customer_base.customers"].expected
    assert "above 0" in found["customer_base.annual_revenue"].expected
    assert "did you mean 'Region'" in found["customer_base.Regoin"].got
    assert "2.5" in found["customer_base.Plan.Prepaid.customers"].got
    assert "every group or for none" in found["customer_base.Plan"].expected
    assert "0.5%" in found["materiality"].expected
    assert all(p.file == "client.yml" and p.row for p in err.value.problems)


def test_totals_beside_groups_must_be_their_sums(client_copy):
    _write(client_copy, customer_base={"customers": 10, "Region": {
        "North": {"customers": 4}, "South": {"customers": 5}}})
    with pytest.raises(DataError) as err:
        load_config(client_copy)
    assert "(9)" in _problems(err)["customer_base.customers"].expected


@pytest.fixture()
def small_copy(tmp_path, tiny_client):
    """A writable copy of the suite's 400-respondent client (quicker to load than the demo)."""
    import shutil

    return shutil.copytree(tiny_client, tmp_path / "small")


def test_base_against_the_survey(small_copy):
    """A value the survey lacks, a survey value the base lacks and a group smaller than its
    surveyed customers (and their revenue), in one message."""
    _write(small_copy, customer_base={"Region": {
        "North": {"customers": 10, "annual_revenue": 100}, "South": {"customers": 200_000,
                                                                      "annual_revenue": 1e8},
        "East": {"customers": 200_000, "annual_revenue": 1e8},
        "Westt": {"customers": 200_000, "annual_revenue": 1e8}}})
    with pytest.raises(DataError) as err:
        load_client(small_copy)
    found = _problems(err)
    assert "did you mean 'West'" in found["customer_base.Region.Westt"].got
    assert "'West'" in found["customer_base.Region"].got and \
        "'Central'" in found["customer_base.Region"].got
    assert "customers surveyed" in found["customer_base.Region.North.customers"].expected
    assert "CRM" in found["customer_base.Region.North.annual_revenue"].expected
    assert found["customer_base.Region.North.customers"].row


def test_whole_base_smaller_than_the_survey(small_copy):
    _write(small_copy, customer_base={"customers": 100})
    with pytest.raises(DataError) as err:
        load_client(small_copy)
    assert "at least the 400 customers surveyed" in \
        _problems(err)["customer_base.customers"].expected


def test_a_base_without_crm_outcomes_is_said_to_be_unused(small_copy):
    _write(small_copy, outcomes=None, customer_base={"customers": 1_000_000})
    client = load_client(small_copy)
    assert [w for w in client.warnings if w.key == "base_unused"]
    from cxlib.outputs import report
    assert any("customer_base" in said and "unused" in said for said in report.checks(client,
                                                                                      "en"))


# --- what the report says ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return load_client("demo")


def _with(client, **config):
    return dataclasses.replace(client, config=dataclasses.replace(client.config, **config))


def _clean(sentences) -> None:
    for sentence in sentences:
        assert "{" not in sentence and "}" not in sentence, sentence
        assert "nan" not in sentence.lower().split() and "NaN" not in sentence, sentence


def test_demo_shows_the_scaled_figure_with_its_assumption(demo):
    base = practices.outcomes(demo)
    surveyed = practices.outcomes(_with(demo, customer_base=None))
    risk, own = base.metrics["revenue_at_risk"], surveyed.metrics["revenue_at_risk"]
    factor = base.tables["revenue_at_risk_base"]["value"]["factor"]
    assert risk.value == pytest.approx(factor * own.value)
    assert risk.ci_low == pytest.approx(factor * own.ci_low)
    assert "1,200,000 customers" in risk.note and "Region" in risk.note
    assert "represent" in risk.note and risk.note in base.narrative
    assert "USD 40,252,154" in " ".join(base.narrative)
    method = [c for c in base.caveats if c.startswith("How the figure is scaled")]
    assert len(method) == 1 and f"{factor:.2f}" in method[0]
    assert set(base.tables["customer_base"].index) == {"North", "South", "East", "West",
                                                       "Central"}
    _clean(base.narrative + base.caveats)
    # Without a base: the surveyed customers only, said as such.
    assert "covers only the 1,977 surveyed customers" in own.note and own.note in \
        surveyed.narrative
    assert "revenue_at_risk_base" not in surveyed.tables
    _clean(surveyed.narrative)


def test_summary_states_what_the_figure_covers(demo):
    p1 = practices.outcomes(demo)
    found = [f for f in claims.findings(demo, {"P1": p1}) if f.key == "revenue"]
    assert found and p1.metrics["revenue_at_risk"].note in found[0].sentence


def test_zh_sentences_scaled_and_surveyed_only(zh_folder):
    zh = load_client(zh_folder)
    for client in (zh, _with(zh, customer_base=None)):
        p1 = practices.outcomes(client)
        _clean(p1.narrative + p1.caveats)
        note = p1.metrics["revenue_at_risk"].note
        assert note.startswith("该数字") and note in p1.narrative
        assert not any(w in note for w in ("scaled", "covers", "customers"))
    scaled = practices.outcomes(zh)
    assert "华北" in set(scaled.tables["customer_base"].index)
    found = [f for f in claims.findings(zh, {"P1": scaled}) if f.key == "revenue"]
    assert found and "。该数字已按" in found[0].sentence    # no space between zh sentences
    plan = practices.roadmap(_with(zh, materiality=("amount", 1e12)))
    values = plan.tables["initiatives"]["impact_revenue"]
    assert len(values) and set(values) == {"低于重要性门槛", "未定价"}
    _clean(plan.caveats)


def test_initiative_impacts_below_the_floor_read_as_words(demo, tmp_path):
    shown = practices.roadmap(demo)
    money = shown.tables["initiatives"]["impact_revenue"]
    assert money.map(lambda v: isinstance(v, float) and v > 0).any()
    assert any("662,784" in c for c in shown.caveats)
    high = practices.roadmap(_with(demo, materiality=("amount", 1e12)))
    plan = high.tables["initiatives"]
    priced = money.map(lambda v: isinstance(v, float) and not np.isnan(v))
    assert (plan.loc[priced, "impact_revenue"] == "below materiality").all()
    # The rest fix no touchpoint weighted as a driver: words, never a dash or a blank.
    assert priced.sum() < len(money)
    assert (money[~priced] == "not priced").all()
    assert (plan.loc[~priced, "impact_revenue"] == "not priced").all()
    assert any(c.startswith("Initiatives that fix no touchpoint") for c in shown.caveats)
    assert any("below materiality (1 of them)" in c or "below materiality (" in c
               for c in high.caveats)
    # Every renderer reads the same table: the saved section, tables.xlsx.
    again = Section.from_json(high.to_json()).tables["initiatives"]
    assert (again.loc[priced, "impact_revenue"] == "below materiality").all()
    path = deliver.write_tables({"roadmap": high}, tmp_path / "tables.xlsx", "en", "USD",
                                "demo")
    import openpyxl
    cells = [c.value for row in openpyxl.load_workbook(path).worksheets[1].iter_rows()
             for c in row]
    assert "below materiality" in cells


def test_summary_recommendations_show_revenue_only_when_one_of_them_is_priced(demo):
    """The summary's three initiatives are all unpriced on the demo: no column of words."""
    from cxlib.outputs import report

    sections = {"P1": practices.outcomes(demo), "P2": practices.touchpoints(demo),
                "roadmap": practices.roadmap(demo)}
    shown = report.summary(demo, sections).tables["recommendations"]
    first = sections["roadmap"].tables["initiatives"].sort_values("priority").head(len(shown))
    assert (first["impact_revenue"] == "not priced").all()
    assert "impact_revenue" not in shown and {"title", "owner", "horizon"} <= set(shown)
    plan = sections["roadmap"].tables["initiatives"]
    priced = plan.assign(priority=plan["priority"].where(
        plan["impact_revenue"] == "not priced", 0))     # a priced initiative comes first
    again = report.summary(demo, {**sections, "roadmap": dataclasses.replace(
        sections["roadmap"], tables={**sections["roadmap"].tables, "initiatives": priced})})
    assert "impact_revenue" in again.tables["recommendations"]
