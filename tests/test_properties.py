"""Properties that hold on any survey, not only on the demo (Hypothesis, tests/generators).

Statistics: every interval contains its estimate; shares lie in 0-1, NPS in -100..100,
R² in 0-1 and relative weights in 0..R² (summing to the OLS R² of the complete answers).
Whole clients, drawn by generators.clients() and run through the real path (files,
load_client, every practice, the summary, report.html): nothing crashes; every metric
is in its range and inside its interval; no NaN, inf, "nan", "None", unfilled {placeholder}
or "–" reaches a sentence, no NaN or "nan" a card, table cell or chart label; no sentence
claims a difference whose test is not significant; revenue at risk leads the summary only
when the loyalty-retention link holds; a revenue kept is never negative and says so when
its interval includes zero.

`make test` runs the "ci" profile (a fixed seed, bounded examples); `make properties`
runs the "long" one (see tests/conftest.py).
"""
from __future__ import annotations

import math
import re
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxlib.statistics import drivers, metrics
from cxlib.outputs import text
from cxlib.practices import linkage

from generators import clients, write_client

#: Whole-client examples cost a full report each: a fifth of the profile's examples.
CLIENT_EXAMPLES = max(10, settings().max_examples // 5)

floats = st.floats(allow_nan=False, allow_infinity=False, width=32)
scores = st.lists(st.integers(0, 10), min_size=1, max_size=300)


# -- statistics ---------------------------------------------------------------------------

def _inside(low, value, high, tol=1e-9) -> bool:
    return low - tol <= value <= high + tol


@given(scores)
def test_nps_in_range_and_inside_its_interval(values):
    result = metrics.nps(values)
    assert -100 <= result["score"] <= 100
    assert _inside(result["ci_low"], result["score"], result["ci_high"])
    assert -100 <= result["ci_low"] and result["ci_high"] <= 100
    assert result["promoters"] + result["passives"] + result["detractors"] == pytest.approx(100)


@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=300))
def test_share_in_range_and_inside_its_interval(values):
    result = metrics.proportion(values)
    assert 0 <= result["ci_low"] <= result["value"] <= result["ci_high"] <= 1


@given(st.lists(st.integers(1, 7), min_size=1, max_size=200), st.integers(1, 3))
def test_top_box_share_in_range(values, boxes):
    result = metrics.top_box(values, (1, 7), boxes=boxes)
    assert 0 <= result["ci_low"] <= result["value"] <= result["ci_high"] <= 1


@given(st.lists(floats, min_size=2, max_size=200))
def test_mean_inside_its_interval(values):
    result = metrics.mean(values)
    if np.isfinite(result["ci_low"]):
        assert _inside(result["ci_low"], result["value"], result["ci_high"],
                       tol=1e-6 * (1 + abs(result["value"])))


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=200))
def test_paired_gap_inside_its_interval(pairs):
    p, e = zip(*pairs)
    result = metrics.paired_gap(list(p), list(e))
    if np.isfinite(result["ci_low"]):
        assert _inside(result["ci_low"], result["gap"], result["ci_high"])
    assert np.isnan(result["p_value"]) or 0 <= result["p_value"] <= 1


@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=30))
def test_holm_adjusted_at_least_raw_and_at_most_one(p_values):
    adjusted = metrics.holm(p_values)
    raw = pd.Series(p_values, dtype=float)
    valid = raw.notna()
    assert (adjusted[valid] >= raw[valid] - 1e-12).all() and (adjusted[valid] <= 1).all()
    assert adjusted[~valid].isna().all()


@st.composite
def driver_frames(draw):
    """Ratings with ties, gaps and collinearity, and an outcome loosely driven by them."""
    n = draw(st.integers(12, 150))
    k = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(1, draw(st.sampled_from((3, 5, 11))) + 1, size=(n, k)).astype(float)
    if k > 1 and draw(st.booleans()):
        x[:, 1] = x[:, 0]                                  # collinear drivers
    y = x @ rng.normal(size=k) + rng.normal(size=n) * draw(st.floats(0.01, 3))
    frame = pd.DataFrame(x, columns=[f"d{i}" for i in range(k)]).assign(y=y)
    return frame.mask(rng.random(frame.shape) < draw(st.sampled_from((0.0, 0.1, 0.3))))


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.SingularMatrixWarning")
@given(driver_frames())
def test_relative_weights_between_zero_and_ols_r_squared(frame):
    import statsmodels.api as sm

    names = [c for c in frame.columns if c != "y"]
    complete = frame.dropna()
    assume(len(complete) >= len(names) + 2 and (complete.nunique() > 1).all())
    result = drivers.relative_weights(frame, "y", names)
    r2 = result.attrs["r_squared"]
    assert -1e-9 <= r2 <= 1 + 1e-9
    assert ((result["raw"] >= -1e-12) & (result["raw"] <= r2 + 1e-9)).all()
    assert result.attrs["n"] == len(complete)
    ols = sm.OLS(complete["y"], sm.add_constant(complete[names])).fit()
    assert r2 == pytest.approx(ols.rsquared, abs=1e-7)


@given(st.one_of(floats, st.just(float("nan")), st.just(float("inf")), st.none()),
       st.sampled_from(sorted(text.KINDS)), st.sampled_from(text.LANGUAGES))
def test_figure_never_writes_nan_or_an_empty_string(value, kind, lang):
    shown = text.figure(value, kind, lang, "USD")
    assert shown and "nan" not in shown.lower() and "None" not in shown


# -- whole clients ------------------------------------------------------------------------

_BAD_WORDS = re.compile(r"(?i:\bnan\b|\binf\b)|∞|\bNone\b|\{|\}")


def _bad_sentence(sentence: str) -> bool:
    """A sentence shows a placeholder, a missing-value mark or a non-number."""
    return (not sentence.strip() or bool(_BAD_WORDS.search(sentence)) or "–" in sentence
            or "()" in sentence or "（）" in sentence)


def _strings(node):
    """Every string inside a plotly figure's JSON, except plotly.js settings."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("template", "hovertemplate", "texttemplate", "colorscale"):
                yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _strings(value)


RANGES = {"share": (0, 1), "percent": (0, 100), "nps": (-100, 100), "r2": (0, 1),
          "count": (0, math.inf), "money": (-math.inf, math.inf)}


def _check_metric(key: str, m) -> None:
    assert m.value is not None and np.isfinite(m.value), key
    low, high = RANGES.get(m.kind, (-math.inf, math.inf))
    assert low - 1e-9 <= m.value <= high + 1e-9, (key, m.value)
    if m.ci_low is not None:
        assert _inside(m.ci_low, m.value, m.ci_high, 1e-9 * (1 + abs(m.value))), key
    if key == "what_if_value":
        assert m.value > 0


def _prefix(lang: str, key: str, **values) -> str:
    """The fixed start of a sentence, up to its first placeholder not given."""
    template = text.t(lang, key)
    head = template.split("{p}")[0] if "{p}" in template else template
    return head.format(**values)


def _check_claims(spec, client, sections, summary) -> None:
    lang = client.config.language
    p1, p2, p3 = sections["P1"], sections["P2"], sections["P3"]
    tests = p1.tables.get("segment_tests")
    answered = client.survey[client.survey["overall"].notna()]
    for segment in client.segments:
        significant = (tests is not None and segment in tests.index
                       and tests.loc[segment, "p_adjusted"] < 0.05)
        metric = linkage.measure_names(client.config.survey.overall, lang)["metric"]
        differs = _prefix(lang, "p1.segment_differs", segment=segment, metric=metric)
        if any(s.startswith(differs) for s in p1.narrative):
            assert significant, (segment, p1.narrative)
        most = _prefix(lang, "summary.segment", segment=segment, metric=metric)
        if any(f.sentence.startswith(most) for f in summary):
            assert significant, (segment, [f.sentence for f in summary])
        if tests is None or segment not in tests.index:
            # No test: fewer than two groups with MIN_N answers, or answers that do not
            # vary among them (tests/test_segments.py checks the test itself).
            sizes = answered[segment].value_counts()
            big = answered[answered[segment].isin(sizes.index[sizes >= metrics.MIN_N])]
            rule = client.config.survey.overall
            groups = linkage.loyalty_groups(big["overall"], rule.kind, rule.scale,
                                            rule.satisfied)
            assert big[segment].nunique() < 2 or groups.nunique() < 2, segment
    breakpoints = p2.tables.get("breakpoints")
    if breakpoints is not None:
        assert ((breakpoints["gap"] < -0.5) & (breakpoints["p_adjusted"] < 0.05)).all()
        gaps = p3.tables["gaps"]
        assert set(breakpoints.index) == set(gaps.index[gaps["verdict"] == "shortfall"])
    odds = p1.metrics.get("odds_ratio_per_point")
    leads_with_money = any(f.key == "revenue" for f in summary)
    assert not leads_with_money or (odds is not None and odds.ci_low > 1)
    what_if = p1.metrics.get("what_if_value")
    if what_if is not None and what_if.ci_low <= 0:
        tail = text.t(lang, "p1.what_if_uncertain").split("{ci}")[-1]
        assert any(s.endswith(tail) for s in p1.narrative)
    plan = sections["roadmap"].tables.get("initiatives")
    if plan is not None:
        # Figures, or words ("below materiality", "not priced"): no figure below zero.
        assert not (pd.to_numeric(plan["impact_revenue"], errors="coerce") < 0).any()


def _check_words(sections, views) -> None:
    for s in sections:
        for sentence in s.narrative + s.caveats + ([s.missing] if s.missing else []):
            assert not _bad_sentence(sentence), (s.id, sentence)
        for name, fig in s.figures.items():
            for label in _strings(fig.to_plotly_json()):
                assert not _BAD_WORDS.search(label.replace("{", "").replace("}", "")), \
                    (s.id, name, label)
    for view in views:
        for m in view["metrics"]:
            for part in (m["value"], m["ci"], m["n"]):
                assert not _BAD_WORDS.search(part), (view["id"], m)
        tables = [item["content"] for item in view["flow"] if item["kind"] == "table"]
        if view.get("story") and view["story"]["actions"]:
            tables.append(view["story"]["actions"])
        for table in tables:
            for cell in [c for row in table["rows"] for c in row] + table["headers"]:
                assert not _BAD_WORDS.search(str(cell)), (view["id"], table["key"], cell)


@settings(max_examples=CLIENT_EXAMPLES)
@given(clients())
def test_any_survey_gives_a_report_whose_numbers_and_sentences_hold(spec):
    from cxlib import practices
    from cxlib.errors import DataError
    from cxlib.inputs.client import load_client
    from cxlib.outputs import claims, report

    with tempfile.TemporaryDirectory() as folder:
        write_client(spec, folder)
        try:
            client = load_client(folder, allow_small=True)
        except DataError:
            return                      # refused with a clear message: not a crash
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)   # no silent 0/0 or log(0)
            sections = {"P1": practices.outcomes(client), "P2": practices.touchpoints(client),
                        "P3": practices.perception_gaps(client),
                        "roadmap": practices.roadmap(client)}
        summary = report.summary(client, sections)
        lang, currency = client.config.language, client.config.currency
        views = [report._section_view(s, lang, sections, currency)
                 for s in [summary, *sections.values()]]
        for s in [summary, *sections.values()]:
            for key, m in s.metrics.items():
                _check_metric(key, m)
        _check_words([summary, *sections.values()], views)
        _check_claims(spec, client, sections, claims.ordered(claims.findings(client,
                                                                             sections)))
        weights = sections["P3"].tables.get("drivers")
        if weights is not None:
            r2 = weights.attrs.get("r_squared", weights["raw"].sum())
            assert 0 <= r2 <= 1 and ((weights["raw"] >= -1e-12) & (weights["raw"] <= r2 + 1e-9)).all()
        for key, table in sections["P1"].tables.items():
            if key.startswith("loyalty_by_"):
                value = table.iloc[:, 0]
                assert (table["ci_low"].isna() | (table["ci_low"] <= value + 1e-9)).all()
                assert (table["ci_high"].isna() | (value <= table["ci_high"] + 1e-9)).all()
