"""Comparing loyalty across segments: only groups with metrics.MIN_N answers are tested,
ranked, charted or named; the small ones are counted and left out.

Hypothesis draws segments of any shape (many groups of one answer, one big group only,
tied shares, an answer that never varies) and checks P1 and the summary against an
independent computation: scipy's chi-square (Monte Carlo with the same tables when an
expected count is below 5) on the big groups, statsmodels' Holm adjustment. The real
drugs.com reviews (102 conditions, 53 of them with one review) are the case that made it.
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cxlib import practices
from cxlib.inputs.client import load_client
from cxlib.outputs import claims, report
from cxlib.statistics import metrics

DRUGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "drug_reviews"
#: Shares of the top answer a group may have: ties between groups are common, 0 and 1
#: make answers that never vary, 3% and 97% expected counts below 5 (Monte Carlo p).
SHARES = (0.0, 0.03, 0.1, 0.5, 0.9, 0.97, 1.0)
#: A segment's groups: up to eight with MIN_N answers or more (none, one, several) and up
#: to thirty smaller ones, many of one answer.
BIG = st.lists(st.integers(metrics.MIN_N, 90), max_size=8)
SMALL = st.lists(st.one_of(st.just(1), st.integers(2, 5), st.integers(20, metrics.MIN_N - 1)),
                 max_size=30)


@pytest.fixture(scope="module")
def base_clients(tmp_path_factory) -> dict:
    """A tiny NPS client and a tiny yes/no client whose survey each example replaces."""
    found = {}
    for kind, overall, answers in (("nps", "{nps: Q1}", "9,3"),
                                   ("binary", "{binary: Q1, positive: 'yes'}", "yes,no")):
        folder = tmp_path_factory.mktemp(kind)
        first, second = answers.split(",")
        (folder / "survey.csv").write_text(f"id,Q1,S\n1,{first},a\n2,{second},b\n",
                                           encoding="utf-8")
        (folder / "client.yml").write_text(
            f"client: Segments\nsurvey:\n  file: survey.csv\n  respondent_id: id\n"
            f"  overall: {overall}\n  segments: [S]\n", encoding="utf-8")
        found[kind] = load_client(folder, allow_small=True)
    return found


@st.composite
def segments(draw, prefix: str = "G"):
    """Groups, each (name, size, share of top answers), big and small ones mixed; names
    never contain one another; one segment in five has the same answer throughout."""
    sizes = draw(st.permutations(draw(BIG) + draw(SMALL)))
    if not sizes:
        sizes = [draw(st.integers(1, 90))]
    constant = draw(st.sampled_from([None, None, None, None, 0.0, 1.0]))
    return [(f"{prefix}{i:03d}", size, constant if constant is not None else draw(
        st.sampled_from(SHARES))) for i, size in enumerate(sizes)]


def _answers(kind: str, groups) -> tuple[list, list]:
    """Each group's answers: `share` of them top (promoters or yes), the rest split
    between passives and detractors (NPS) or no."""
    values, labels = [], []
    for name, size, share in groups:
        top = round(share * size)
        rest = size - top
        if kind == "nps":
            values += [10.0] * top + [7.0] * (rest // 2) + [2.0] * (rest - rest // 2)
        else:
            values += [1.0] * top + [0.0] * rest
        labels += [name] * size
    return values, labels


def _client(base, kind: str, first, second):
    """The base client with a survey of two segments: S as drawn, T regrouping the same
    respondents in a shuffled order (its sizes as drawn, cut or filled up with T999)."""
    values, labels = _answers(kind, first)
    order = np.random.default_rng(len(values)).permutation(len(values))
    t_labels = [name for name, size, _ in second for _ in range(size)]
    t_labels = (t_labels + ["T999"] * len(values))[:len(values)]
    survey = pd.DataFrame({
        "respondent_id": [f"R{i}" for i in range(len(values))],
        "overall": values,
        "S": pd.Categorical(labels),
        "T": pd.Categorical(np.asarray(t_labels, dtype=object)[order]),
    })
    empty = pd.DataFrame(index=survey.index)
    return dataclasses.replace(base, survey=survey, segment_columns=("S", "T"),
                               perception=empty, expectation=empty, importance=empty)


def _top(kind: str, values: pd.Series) -> pd.Series:
    """The answer's category for the independent test: NPS group, or the yes/no itself."""
    if kind == "nps":
        return pd.cut(values, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    return values


def _scipy_p(kind: str, survey: pd.DataFrame, segment: str, big) -> float:
    """scipy's p on the big groups: asymptotic chi-square when every expected count is 5 or
    more, else Monte Carlo over the same tables metrics draws; NaN when nothing varies."""
    kept = survey[survey[segment].isin(big)]
    table = pd.crosstab(kept[segment].astype(str), _top(kind, kept["overall"]))
    table = table.loc[:, table.sum() > 0]
    if len(big) < 2 or table.shape[1] < 2:
        return np.nan
    asymptotic = stats.chi2_contingency(table, correction=False)
    if (asymptotic.expected_freq >= metrics.MIN_EXPECTED).all():
        return asymptotic.pvalue
    return stats.chi2_contingency(table, correction=False, method=stats.MonteCarloMethod(
        n_resamples=metrics.MONTE_CARLO_TABLES,
        rng=np.random.default_rng(metrics.MONTE_CARLO_SEED))).pvalue


@given(kind=st.sampled_from(["nps", "binary"]), first=segments(), second=segments("T"))
def test_segment_comparison_only_on_big_groups_and_names_no_small_one(base_clients, kind,
                                                                      first, second):
    client = _client(base_clients[kind], kind, first, second)
    survey = client.survey
    p1 = practices.outcomes(client)
    tests = p1.tables.get("segment_tests")
    expected = {}
    for segment in ("S", "T"):
        sizes = survey[segment].value_counts()
        sizes = sizes[sizes > 0]
        big, small = sizes.index[sizes >= metrics.MIN_N], sizes.index[sizes < metrics.MIN_N]
        table = p1.tables[f"loyalty_by_{segment}"]
        assert set(table.index) == set(sizes.index)          # every group kept, flagged
        assert set(table.index[table["small_sample"]]) == set(small)
        p = _scipy_p(kind, survey, segment, big) if len(sizes) >= 2 else np.nan
        if np.isnan(p):
            assert tests is None or segment not in tests.index
            assert f"loyalty_by_{segment}" not in p1.figures
            continue
        expected[segment] = p
        row = tests.loc[segment]
        assert row["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-12)
        assert (row["compared"], row["left_out"]) == (len(big), len(small))
        assert (row["n"], row["left_out_n"]) == (sizes[big].sum(), sizes[small].sum())
        figure = p1.figures.get(f"loyalty_by_{segment}")
        if figure is not None:
            bars = figure.data[0]
            labels = bars.x if bars.orientation == "v" else bars.y
            assert {str(label).split("<br>")[0].split(" (n=")[0] for label in labels} == set(big)
    # Holm covers exactly the tests reported, no more.
    assert (tests is None) == (not expected)
    if expected:
        assert list(tests.index) == list(expected)
        holm = multipletests(list(expected.values()), method="holm")[1]
        assert tests["p_adjusted"].to_numpy() == pytest.approx(holm)
    # A segment with one group says so by name (no comparison); every other names none.
    small_names = {name for segment in ("S", "T")
                   if survey[segment].nunique() > 1
                   for name, size in survey[segment].value_counts().items()
                   if 0 < size < metrics.MIN_N}
    summary = report.summary(client, {"P1": p1})
    for sentence in p1.narrative + p1.caveats + summary.narrative:
        assert not any(name in sentence for name in small_names), sentence
    for found in claims.findings(client, {"P1": p1}):
        if found.key == "segment":
            assert all(m.n >= metrics.MIN_N for m in found.evidence.values()), found


def test_segment_with_one_big_group_says_why_it_is_not_compared(base_clients):
    client = _client(base_clients["binary"], "binary",
                     [("G000", 50, 0.5)] + [(f"G{i:03d}", 1, i % 2) for i in range(1, 40)],
                     [("T000", 200, 0.5)])
    p1 = practices.outcomes(client)
    assert "segment_tests" not in p1.tables and not p1.figures.keys() & {"loyalty_by_S"}
    assert any(s.startswith("Share answering 'yes' is not compared across S: only G000 has 30 answers "
                            "or more (n = 50); the rest (39 answers in 39 groups)")
               for s in p1.narrative), p1.narrative
    assert len([c for c in p1.caveats if c.startswith("Small sample")]) == 0


def test_segment_chart_of_many_groups_runs_across_and_says_what_it_leaves_out(base_clients):
    groups = [(f"G{i:03d}", 40, (0.2, 0.9)[i % 2]) for i in range(8)] + [("G100", 3, 1.0)]
    client = _client(base_clients["binary"], "binary", groups, [("T000", 400, 0.5)])
    p1 = practices.outcomes(client)
    figure = p1.figures["loyalty_by_S"]
    assert figure.data[0].orientation == "h" and len(figure.data[0].y) == 8
    assert figure.layout.title.subtitle.text == (
        "Groups with 30 answers or more; the rest (3 answers in 1 group) is in the appendix")
    assert ("The comparison by S covers its 8 groups with 30 answers or more; the rest "
            "(3 answers in 1 group) is left out of it and listed in the appendix, flagged as "
            "small samples.") in p1.narrative


# -- the real drugs.com reviews ------------------------------------------------------------

def _reviews(folder: Path, *splits: str):
    """The real drug reviews as a client with `condition` as its segment."""
    frame = pd.concat([pd.read_csv(DRUGS / f"drugs_com_reviews_{s}.tsv", sep="\t")
                       for s in splits])
    frame.insert(0, "id", frame.pop(frame.columns[0]))
    frame.to_csv(folder / "survey.csv", index=False)
    (folder / "client.yml").write_text(
        "client: Drug reviews\nsurvey:\n  file: survey.csv\n  respondent_id: id\n"
        "  labels: {negative: 1, neutral: 2, positive: 3}\n"
        "  overall: {satisfaction: rating, scale: [1, 3]}\n  segments: [condition]\n"
        "  comments: review\n", encoding="utf-8")
    shutil.copy(DRUGS / "README.md", folder / "README.md")
    return load_client(folder)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    """The test split (379 reviews, 102 conditions, one with 30 reviews or more)."""
    if not DRUGS.is_dir():
        pytest.skip("../shared/data/drug_reviews is absent")
    return _reviews(tmp_path_factory.mktemp("reviews"), "test")


def test_real_reviews_summary_names_no_small_condition(reviews):
    sections = {"P1": practices.outcomes(reviews), "P2": practices.touchpoints(reviews),
                "P3": practices.perception_gaps(reviews)}
    p1 = sections["P1"]
    table = p1.tables["loyalty_by_condition"]
    assert len(table) == 102 and (table["n"] == 1).sum() == 53
    small = table.index[table["small_sample"]]
    summary = report.summary(reviews, sections)
    for sentence in summary.narrative + p1.narrative + p1.caveats:
        assert not any(name in sentence for name in small), sentence
    assert "segment_tests" not in p1.tables and "loyalty_by_condition" not in p1.figures
    assert not any(f.key == "segment" for f in claims.findings(reviews, sections))
    assert ("Share satisfied is not compared across condition: only Birth Control has 30 "
            "answers or more (n = 76); the rest (299 answers in 101 groups) is too few to "
            "rank or test. The appendix lists every group, flagged as small samples."
            ) in p1.narrative
    # No touchpoint ratings: no empty perception chart, a sentence instead.
    assert "perception" not in sections["P3"].figures
    assert sections["P3"].caveats[0].startswith("The survey has no touchpoint ratings")
    assert sections["P2"].caveats[0].startswith("The survey has no touchpoint ratings")


def test_real_reviews_both_splits_compare_their_big_conditions_only(tmp_path):
    if not DRUGS.is_dir():
        pytest.skip("../shared/data/drug_reviews is absent")
    client = _reviews(tmp_path, "train", "test")
    p1 = practices.outcomes(client)
    table = p1.tables["loyalty_by_condition"]
    big = table.index[table["n"] >= metrics.MIN_N]
    assert p1.tables["segment_tests"].loc["condition", "compared"] == len(big) >= 2
    finding = next(f for f in claims.findings(client, {"P1": p1}) if f.key == "segment")
    named = {m.label.split(": ", 1)[1] for m in finding.evidence.values()}
    assert named <= set(big) and len(named) == 2
    assert f"over its {len(big)} groups with 30 answers or more" in finding.sentence
