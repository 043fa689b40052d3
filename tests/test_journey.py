"""Tests of cxlib.practices.journey (P2, G1-G5): breakpoints, three Ds, content prompts, channel switching."""
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxlib.practices import journey, perception
from cxlib.outputs import text

S, A = "self-service", "assisted"


@pytest.fixture
def gaps():
    """Hand-made gap table: b, c, e are breakpoints at threshold 0.5 and alpha 0.05."""
    table = pd.DataFrame({
        "name": ["Ads", "Website", "Checkout", "Billing", "Support"],
        "stage": ["awareness", "discovery", "purchase", "use", np.nan],
        "gap": [-0.2, -0.9, -0.6, -1.2, -0.7],
        "p_adjusted": [0.001, 0.001, 0.01, 0.2, 0.04],
        "importance": [3.0, 4.0, 4.5, 5.0, 4.5],
    }, index=pd.Index(list("abcde"), name="touchpoint"))
    return table.assign(verdict=perception.gap_verdicts(table, threshold=0.5, alpha=0.05))


@pytest.fixture
def weights():
    """Relative weights, largest first: d, e, a, b, c."""
    return pd.DataFrame({"raw": [0.3, 0.2, 0.1, 0.05, 0.02],
                         "rescaled": [44.8, 29.9, 14.9, 7.5, 3.0]},
                        index=pd.Index(list("deabc"), name="driver"))


def test_breakpoints_stated_importance_filtered_and_ranked(gaps):
    found = journey.breakpoints(gaps)
    # c and e tie on importance 4.5: the larger shortfall (e, -0.7) comes first.
    assert list(found.index) == ["e", "c", "b"]
    assert not found["moment_of_truth"].any()
    assert found.attrs["ranked_by"] == "stated"


def test_breakpoints_weights_given_moments_of_truth(gaps, weights):
    found = journey.breakpoints(gaps, weights=weights, top_drivers=3)
    assert list(found.index) == ["e", "b", "c"]
    assert found["moment_of_truth"].to_dict() == {"e": True, "b": False, "c": False}
    assert found.loc["b", "weight"] == pytest.approx(7.5)


def test_a_breakpoint_the_driver_model_left_out_is_not_known_as_a_moment_of_truth(gaps, weights):
    """The demo's driver model weighs 6 of 24 touchpoints (complete answers): four of its five
    breakpoints have no weight, and "not a moment of truth" would say more than is known."""
    found = journey.breakpoints(gaps, weights=weights.drop(index="b"), top_drivers=3)
    truth = found["moment_of_truth"]
    assert list(found.index) == ["e", "c", "b"]
    assert truth["e"] and not truth["c"] and pd.isna(truth["b"])
    assert int(found["moment_of_truth"].sum()) == 1


def test_breakpoints_are_the_shortfalls_of_the_verdicts(gaps):
    higher = gaps.assign(verdict=perception.gap_verdicts(gaps, threshold=0.8))
    assert list(journey.breakpoints(higher).index) == ["b"]
    assert set(journey.breakpoints(gaps).index) == set(gaps.index[gaps["verdict"] == "shortfall"])


@pytest.fixture
def spread():
    """Perception ratings: sds are 0 (b), about 0.58 (c, d) and about 2.3 (e); median 0.58."""
    return pd.DataFrame({"a": [3.0, 3, 3, 3], "b": [2.0, 2, 2, 2], "c": [3.0, 3, 4, 4],
                         "d": [3.0, 3, 4, 4], "e": [1.0, 5, 1, 5]})


def test_three_ds_rule_order_develop_design_deliver(gaps, spread):
    found = journey.three_ds(journey.breakpoints(gaps), spread)
    expected_sd = spread.std()
    # e varies most: develop (before its missing stage matters); b is pre-purchase: design;
    # c is at purchase: deliver.
    assert found["d"].to_dict() == {"e": "develop", "c": "deliver", "b": "design"}
    assert found.attrs["median_sd"] == pytest.approx(expected_sd.median())
    assert found.loc["e", "perception_sd"] == pytest.approx(expected_sd["e"])
    assert "consistency" in found.loc["e", "why"] and "Discovery" in found.loc["b", "why"]


def test_three_ds_develop_beats_design_when_inconsistent(gaps, spread):
    spread["b"] = [1.0, 5, 1, 5]
    found = journey.three_ds(journey.breakpoints(gaps), spread)
    assert found.loc["b", "d"] == "develop"


def test_three_ds_no_perception_stage_rule_only(gaps):
    found = journey.three_ds(journey.breakpoints(gaps))
    assert found["d"].to_dict() == {"e": "deliver", "c": "deliver", "b": "design"}
    assert found.loc["e", "why"] == text.t("en", "journey.deliver_no_stage")


def test_content_prompts_catalogue_name_channel_expectation(gaps):
    catalogue = pd.DataFrame({"id": ["b", "c"], "name": ["Website", "Checkout"],
                              "channel": ["web", np.nan],
                              "expectation": ["answers within a minute.", np.nan]})
    prompts = journey.content_prompts(journey.breakpoints(gaps), catalogue)
    assert prompts.loc["b", "prompt"] == (
        "Customers at Website (web) expect: answers within a minute. They rate it 0.90 points "
        "below what they expected. We recommend rewriting what customers read and hear at "
        "this moment so that it delivers on that expectation.")
    assert prompts.loc["c", "prompt"].startswith(
        "What customers expect at Checkout is not yet recorded: ask them first.")
    assert prompts.loc["e", "name"] == "Support"
    assert list(prompts.index) == ["e", "c", "b"]


@pytest.fixture
def log():
    """A journey log written by hand, rows out of time order, one tie in time."""
    rows = [
        # customer, journey, minute, channel, touchpoint
        ("c1", "j1", 3, A, "call"),
        ("c1", "j1", 1, S, "faq"),
        ("c1", "j1", 2, S, "login"),
        ("c1", "j2", 5, S, "faq"),
        ("c2", "j1", 1, A, "call"),       # journey ids repeat across customers
        ("c2", "j1", 2, S, "app"),
        ("c2", "j1", 3, A, "call"),
        ("c2", "j1", 4, S, "app"),
        ("c3", "j9", 1, S, "login"),
        ("c3", "j9", 2, S, "faq"),
        ("c3", "j9", 3, A, "chat"),
        ("c3", "j9", 4, S, "faq"),
        ("c3", "j9", 5, A, "call"),
        ("c4", "j4", 1, S, "faq"),
        ("c4", "j4", 1, A, "chat"),       # same time: file order decides
    ]
    frame = pd.DataFrame(rows, columns=["customer", "journey", "minute", "channel", "touchpoint"])
    frame["timestamp"] = pd.Timestamp("2024-05-01 09:00") + pd.to_timedelta(frame["minute"],
                                                                              unit="min")
    return frame.drop(columns="minute")


def _by_hand(log):
    """Each journey's events in time order, file order breaking ties, by a plain loop."""
    grouped = defaultdict(list)
    for position, row in enumerate(log.itertuples()):
        grouped[(row.customer, row.journey)].append((row.timestamp, position, row.channel,
                                                     row.touchpoint))
    return {key: sorted(events) for key, events in grouped.items()}


def test_journey_paths_match_plain_loop(log):
    paths = journey.journey_paths(log).set_index(["customer", "journey"])
    for key, events in _by_hand(log).items():
        channels = [e[2] for e in events]
        switches = [i for i in range(1, len(events)) if channels[i] != channels[i - 1]]
        row = paths.loc[key]
        assert row["switches"] == len(switches)
        assert row["events"] == len(events)
        assert (row["start_channel"], row["end_channel"]) == (channels[0], channels[-1])
        first = events[switches[0] - 1][3] if switches else None
        assert (row["first_switch_touchpoint"] if pd.notna(row["first_switch_touchpoint"])
                else None) == first
    assert len(paths) == 5


def test_journey_paths_no_journey_column_one_per_customer(log):
    paths = journey.journey_paths(log.drop(columns="journey"))
    assert list(paths["journey"]) == ["c1", "c2", "c3", "c4"]
    assert paths.loc[0, "events"] == 4


def test_switching_summary_hand_counts_and_wilson(log):
    summary = journey.switching_summary(journey.journey_paths(log))
    # journeys: c1/j1 S->A, c1/j2 S->S, c2/j1 A->S, c3/j9 S->A, c4/j4 S->A
    low, high = proportion_confint(3, 4, method="wilson")
    switches = np.array([1, 0, 3, 3, 1])
    t_low, t_high = stats.t.interval(0.95, 4, switches.mean(), stats.sem(switches))
    assert summary["journeys"] == 5 and summary["started_self_service"] == 4
    assert summary["ended_assisted_after_self_service"] == 3
    assert summary["share"] == pytest.approx(0.75)
    assert (summary["ci_low"], summary["ci_high"]) == pytest.approx((low, high))
    assert summary["mean_switches"] == pytest.approx(switches.mean())
    assert (summary["mean_switches_low"], summary["mean_switches_high"]) == pytest.approx(
        (t_low, t_high))
    assert summary["share_with_switch"] == pytest.approx(0.8)
    assert summary["small_sample"]


def test_channel_transitions_hand_counts(log):
    links = journey.channel_transitions(journey.journey_paths(log))
    got = {(s, t): c for s, t, c in links.itertuples(index=False)}
    assert got == {
        ("Start: self-service", "No switch"): 1, ("Start: self-service", "1 switch"): 2,
        ("Start: self-service", "3+ switches"): 1, ("Start: assisted", "3+ switches"): 1,
        ("No switch", "End: self-service"): 1, ("1 switch", "End: assisted"): 2,
        ("3+ switches", "End: assisted"): 1, ("3+ switches", "End: self-service"): 1,
    }
    assert links.attrs["nodes"] == ["Start: self-service", "Start: assisted", "No switch",
                                    "1 switch", "3+ switches", "End: self-service",
                                    "End: assisted"]


def test_switch_hotspots_match_plain_loop(log):
    hotspots = journey.switch_hotspots(log)
    switches, switched, visited = Counter(), defaultdict(set), defaultdict(set)
    for key, events in _by_hand(log).items():
        for i, event in enumerate(events):
            if event[2] == S:
                visited[event[3]].add(key)
            if i and events[i - 1][2] == S and event[2] == A:
                switches[events[i - 1][3]] += 1
                switched[events[i - 1][3]].add(key)
    assert hotspots["switches"].to_dict() == dict(switches)
    assert list(hotspots.index) == ["faq", "app", "login"]   # 3 switches, then 1 each by id
    for tp in switches:
        low, high = proportion_confint(len(switched[tp]), len(visited[tp]), method="wilson")
        row = hotspots.loc[tp]
        assert row["journeys"] == len(visited[tp])
        assert row["rate"] == pytest.approx(len(switched[tp]) / len(visited[tp]))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
        assert row["share"] == pytest.approx(switches[tp] / sum(switches.values()))


def test_content_prompts_chinese_uses_chinese_sentences():
    found = pd.DataFrame({"name": ["首张账单"], "gap": [-0.9], "stage": ["use"]},
                         index=pd.Index(["first_bill"], name="touchpoint"))
    catalogue = pd.DataFrame({"id": ["first_bill"], "name": ["首张账单"], "channel": ["app"],
                              "expectation": ["账单清楚准确"]})
    prompt = journey.content_prompts(found, catalogue, language="zh").loc["first_bill", "prompt"]
    assert prompt.startswith("客户在首张账单（App）的期望是：账单清楚准确。")   # channel in words
    assert "0.90" in prompt
