"""P2: breakpoints, moments of truth, the three Ds, content prompts, channel switching (G1-G5)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..statistics import metrics
from ..outputs import text

SELF_SERVICE, ASSISTED = "self-service", "assisted"
#: Pre-purchase stages (METHOD.md, seed 001): the offer and its setting are designed here.
DESIGN_STAGES = ("awareness", "discovery", "attraction", "interaction")
#: Switch counts at or above this share one node in channel_transitions.
MANY_SWITCHES = 3

#: Every sentence and label this module writes, in one place for translation.
def _say(language: str, key: str, **values) -> str:
    """A sentence or label of this module in the report's language (templates/i18n)."""
    return text.t(language, f"journey.{key}", **values)


# -- breakpoints and the three Ds -----------------------------------------------------

def _ranked_weights(weights: pd.DataFrame) -> pd.Series:
    return weights["rescaled"].astype(float).sort_values(ascending=False, kind="stable")


def breakpoints(gaps: pd.DataFrame, weights: pd.DataFrame | None = None,
                top_drivers: int = 5) -> pd.DataFrame:
    """Touchpoints that clearly fall short of expectation, most important first (P2 steps 1-3).

    A breakpoint is a touchpoint whose verdict is "shortfall" (perception.gap_verdicts:
    gap below -threshold rating points with a Holm-adjusted p-value below alpha), the
    same reading P3, the importance-performance grid and the roadmap use. Breakpoints are
    ranked by derived importance (rescaled relative weight) when `weights` are given,
    else by mean stated importance; ties and missing importance go by the larger
    shortfall. A moment of truth is a breakpoint among the `top_drivers` touchpoints
    with the largest relative weights; without weights there are none. A breakpoint the
    driver model left out (too few complete answers) has no weight: whether it is a
    moment of truth is not known (NA), not False.

    Parameters: gaps -- perception.touchpoint_gaps' table with a `verdict` column;
    weights -- the key driver weights (KeyDrivers.weights) or None; top_drivers -- how
    many leading drivers can be moments of truth.
    Returns: the breakpoint rows of `gaps`, ranked, with columns weight (rescaled %,
    NaN without weights) and moment_of_truth (boolean, NA where not known); attrs
    ranked_by ("derived": weight, or "stated": importance).
    """
    chosen = gaps[gaps["verdict"] == "shortfall"].copy()
    if weights is None:
        chosen["weight"] = np.nan
        chosen["rank_importance"] = chosen["importance"].astype(float)
        top = set()
    else:
        ranked = _ranked_weights(weights)
        chosen["weight"] = ranked.reindex(chosen.index).to_numpy()
        chosen["rank_importance"] = chosen["weight"]
        top = set(ranked.index[:top_drivers])
    truth = pd.array(chosen.index.isin(list(top)), dtype="boolean")
    if weights is not None:
        truth[chosen["weight"].isna().to_numpy()] = pd.NA
    chosen["moment_of_truth"] = truth
    chosen = chosen.sort_values(["rank_importance", "gap"], ascending=[False, True],
                                kind="stable", na_position="last")
    chosen = chosen.drop(columns="rank_importance")
    chosen.attrs.update(ranked_by="stated" if weights is None else "derived")
    return chosen


def perception_spread(perception: pd.DataFrame) -> pd.Series:
    """The standard deviation of each touchpoint's perception ratings (three_ds' rule)."""
    return perception.astype(float).std(ddof=1)


def three_ds(breakpoints: pd.DataFrame, perception: pd.DataFrame | None = None,
             language: str = "en", spread: pd.Series | None = None) -> pd.DataFrame:
    """Which of James Allen's three Ds each breakpoint calls for (P2 step 4), with the reason.

    The rule, applied in this order (the first that holds wins):
    1. develop -- consistency: the standard deviation of the touchpoint's perception
       ratings is above the median standard deviation across all touchpoints in
       `perception`. The sd, not the coefficient of variation, because breakpoints have
       low means by definition, which would inflate a CV; it assumes the touchpoints
       share one rating scale. Skipped when `perception` is None.
    2. design -- the offer and its setting: the touchpoint's stage is pre-purchase
       (awareness, discovery, attraction, interaction).
    3. deliver -- cross-functional execution: every other breakpoint, including those
       without a stage.

    Parameters: breakpoints -- breakpoints' table (needs a `stage` column);
    perception -- the perception frame (one column per touchpoint) or None; spread --
    its perception_spread when already computed (then perception is not read).
    Returns: the table with columns perception_sd, d ("design", "deliver", "develop")
    and why (one sentence in `language`); attrs median_sd.
    """
    table = breakpoints.copy()
    if spread is None and perception is not None:
        spread = perception_spread(perception)
    if spread is not None:
        median = float(spread.median())
        table["perception_sd"] = spread.reindex(table.index).to_numpy()
    else:
        median = np.nan
        table["perception_sd"] = np.nan
    ds, whys = [], []
    for stage, sd in zip(table["stage"], table["perception_sd"]):
        d, why = _three_d(stage, sd, median, language)
        ds.append(d)
        whys.append(why)
    table["d"], table["why"] = ds, whys
    table.attrs["median_sd"] = median
    return table


def _three_d(stage, sd: float, median: float, language: str) -> tuple[str, str]:
    if not np.isnan(sd) and not np.isnan(median) and sd > median:
        return "develop", _say(language, "develop", sd=text.figure(sd, "mean", language),
                               median=text.figure(median, "mean", language))
    if isinstance(stage, str) and stage:
        named = text.t(language, f"stages.{stage}", default=stage)
        if stage in DESIGN_STAGES:
            return "design", _say(language, "design", stage=named)
        return "deliver", _say(language, "deliver", stage=named)
    return "deliver", _say(language, "deliver_no_stage")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _prompt(name: str, channel: str, expectation: str, gap: float, language: str) -> str:
    expectation = expectation.rstrip(".。")
    key = {(True, True): "prompt", (True, False): "prompt_no_expectation",
           (False, True): "prompt_no_channel", (False, False): "prompt_bare"}
    sentence = _say(language, key[bool(channel), bool(expectation)], name=name,
                    channel=text.value_name("channel", channel, language),
                    expectation=expectation)
    if not np.isnan(gap) and gap < 0:
        sentence += _say(language, "prompt_gap", shortfall=text.figure(-gap, "mean", language))
    return sentence + _say(language, "prompt_task")


def content_prompts(breakpoints: pd.DataFrame, touchpoints: pd.DataFrame | None,
                    language: str = "en") -> pd.DataFrame:
    """A content prompt for each breakpoint (P2 step 5): who, where and what they expect.

    The sentence is built from the `journey` sentences of templates/i18n, from the
    touchpoint's name, channel (interaction mode) and the customer's expectation as
    written in the catalogue, and the shortfall when the breakpoint has a gap. Parts the
    catalogue lacks are left out of the sentence rather than filled with placeholders.

    Parameters: breakpoints -- breakpoints' table (index touchpoint id); touchpoints --
    the catalogue or None.
    Returns: DataFrame indexed by touchpoint with name, channel, expectation, prompt,
    in the order of `breakpoints`.
    """
    catalogue = (touchpoints.drop_duplicates("id").set_index("id")
                 if touchpoints is not None else pd.DataFrame(index=pd.Index([], name="id")))
    rows = []
    for tp, row in breakpoints.iterrows():
        entry = catalogue.loc[tp] if tp in catalogue.index else pd.Series(dtype=object)
        name = _text(entry.get("name")) or _text(row.get("name")) or str(tp)
        channel = _text(entry.get("channel")) or _text(row.get("channel"))
        expectation = _text(entry.get("expectation"))
        gap = float(row.get("gap", np.nan))
        rows.append({"touchpoint": tp, "name": name, "channel": channel or np.nan,
                     "expectation": expectation or np.nan,
                     "prompt": _prompt(name, channel, expectation, gap, language)})
    columns = ["touchpoint", "name", "channel", "expectation", "prompt"]
    return pd.DataFrame(rows, columns=columns).set_index("touchpoint")


# -- channel switching (G1-G5) --------------------------------------------------------

def _ordered(journeys: pd.DataFrame) -> pd.DataFrame:
    """Events sorted within each journey by time (ties keep file order), with journey codes.

    A journey is a (customer, journey) pair, so journey ids numbered per customer do not
    merge; without a journey column each customer's events are one journey.
    """
    keys = ["customer", "journey"] if "journey" in journeys.columns else ["customer"]
    codes = journeys.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    # UTC first, so naive and zone-aware times compare; the number only orders events.
    stamps = pd.to_datetime(journeys["timestamp"], utc=True).dt.tz_localize(None)
    stamps = stamps.to_numpy(dtype="datetime64[ns]").view("int64")
    order = np.lexsort((np.arange(len(journeys)), stamps, codes))
    events = journeys.iloc[order].reset_index(drop=True)
    events["_code"] = codes[order]
    events["_assisted"] = (events["channel"] == ASSISTED).to_numpy()
    code = events["_code"].to_numpy()
    first = np.ones(len(events), bool)
    first[1:] = code[1:] != code[:-1]
    changed = np.zeros(len(events), bool)
    assisted = events["_assisted"].to_numpy()
    changed[1:] = assisted[1:] != assisted[:-1]
    events["_first"] = first
    events["_switch"] = changed & ~first
    events["_to_assisted"] = events["_switch"] & assisted
    return events


def journey_paths(journeys: pd.DataFrame) -> pd.DataFrame:
    """One row per journey: where it starts and ends, and how often the customer switched channel.

    A switch is a change of channel between consecutive events of a journey, ordered by
    timestamp. first_switch_touchpoint is the touchpoint the customer left at the first
    switch (the last event before it), the place where the first channel stopped serving.

    Parameters: journeys -- the journeys frame (customer, journey, timestamp, channel,
    touchpoint).
    Returns: DataFrame journey, customer, start_channel, end_channel, switches, events,
    first_switch_touchpoint (NaN without a switch), sorted by customer and journey.
    """
    events = _ordered(journeys)
    code = events["_code"].to_numpy()
    size = int(code.max()) + 1 if len(code) else 0
    starts = np.flatnonzero(events["_first"].to_numpy())
    ends = np.append(starts[1:] - 1, len(events) - 1) if len(starts) else starts
    channel = events["channel"].to_numpy()
    switch_at = np.flatnonzero(events["_switch"].to_numpy())
    first_switch = np.full(size, None, dtype=object)
    if len(switch_at):
        journeys_switched, first = np.unique(code[switch_at], return_index=True)
        first_switch[journeys_switched] = events["touchpoint"].to_numpy()[switch_at[first] - 1]
    journey_ids = (events["journey"].to_numpy()[starts] if "journey" in events.columns
                   else events["customer"].to_numpy()[starts])
    return pd.DataFrame({
        "journey": journey_ids,
        "customer": events["customer"].to_numpy()[starts],
        "start_channel": channel[starts],
        "end_channel": channel[ends],
        "switches": np.bincount(code, weights=events["_switch"].to_numpy(),
                                minlength=size).astype(int),
        "events": np.bincount(code, minlength=size),
        "first_switch_touchpoint": pd.Series(first_switch, dtype=object).where(
            pd.notna(first_switch), np.nan),
    })


def switching_summary(paths: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """How often journeys that start in self-service end assisted, and how much customers switch.

    Parameters: paths -- journey_paths' table; level -- interval level.
    Returns: Series with journeys, started_self_service, ended_assisted_after_self_service,
    share (of journeys started in self-service that ended assisted) with Wilson ci_low
    and ci_high, mean_switches per journey with a t interval (mean_switches_low,
    mean_switches_high), share_with_switch (journeys with one switch or more) with
    share_with_switch_low and share_with_switch_high, and small_sample (fewer than
    metrics.MIN_N journeys started in self-service).
    """
    started = paths["start_channel"] == SELF_SERVICE
    ended = started & (paths["end_channel"] == ASSISTED)
    share = metrics.proportion(int(ended.sum()), n=int(started.sum()), level=level)
    switches = metrics.mean(paths["switches"], level)
    with_switch = metrics.proportion((paths["switches"] > 0).astype(float), level=level)
    return pd.Series({
        "journeys": len(paths),
        "started_self_service": int(started.sum()),
        "ended_assisted_after_self_service": int(ended.sum()),
        "share": share["value"],
        "ci_low": share["ci_low"],
        "ci_high": share["ci_high"],
        "mean_switches": switches["value"],
        "mean_switches_low": switches["ci_low"],
        "mean_switches_high": switches["ci_high"],
        "share_with_switch": with_switch["value"],
        "share_with_switch_low": with_switch["ci_low"],
        "share_with_switch_high": with_switch["ci_high"],
        "small_sample": bool(share["small_sample"]),
    }, name="switching")


def _switch_label(n: int, language: str) -> str:
    if n >= MANY_SWITCHES:
        return _say(language, "switches_many", n=MANY_SWITCHES)
    return _say(language, {0: "switches_0", 1: "switches_1"}.get(n, "switches_n"), n=n)


def _end(language: str, key: str, channel: str) -> str:
    return _say(language, key, channel=_say(language, f"channel_{channel.replace('-', '_')}"))


def _each(values: pd.Series, label) -> pd.Series:
    """label(value) for every value, worded once per distinct value (a million journeys
    share a handful of labels)."""
    return values.map({v: label(v) for v in pd.unique(values)})


def channel_transitions(paths: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Journeys flowing from start channel through number of switches to end channel, for a Sankey.

    Three columns of nodes keep the diagram readable whatever the number of journeys:
    "Start: <channel>" (2 nodes) -> "No switch", "1 switch", "2 switches", "3+ switches"
    (up to MANY_SWITCHES + 1 nodes) -> "End: <channel>" (2 nodes). With two channels the
    end follows from the start and the parity of the switches, so the middle column says
    how the customer got there; a journey counts once in each of its two links.

    Parameters: paths -- journey_paths of the journeys frame; language -- of the labels.
    Returns: DataFrame source, target, count (journeys), links from start nodes first;
    attrs nodes: every node label in display order.
    """
    middle = _each(paths["switches"].clip(upper=MANY_SWITCHES),
                   lambda n: _switch_label(n, language))
    start = _each(paths["start_channel"], lambda c: _end(language, "start", c))
    end = _each(paths["end_channel"], lambda c: _end(language, "end", c))
    links = pd.concat([pd.DataFrame({"source": start, "target": middle}),
                       pd.DataFrame({"source": middle, "target": end})])
    channels = (SELF_SERVICE, ASSISTED)
    nodes = ([_end(language, "start", c) for c in channels]
             + [_switch_label(n, language) for n in range(MANY_SWITCHES + 1)]
             + [_end(language, "end", c) for c in channels])
    rank = {node: i for i, node in enumerate(nodes)}
    table = links.groupby(["source", "target"], sort=False).size().rename("count").reset_index()
    table = table.sort_values(["source", "target"], key=lambda s: s.map(rank),
                              kind="stable").reset_index(drop=True)
    used = set(table["source"]) | set(table["target"])
    table.attrs["nodes"] = [node for node in nodes if node in used]
    return table


def switch_hotspots(journeys: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Touchpoints where customers leave self-service for assisted service, most switches first.

    A self-service -> assisted switch is placed at the touchpoint of the last
    self-service event before it (where self-service stopped serving). The switch rate
    is the share of journeys with a self-service event at the touchpoint that switched
    to assisted from it, with a Wilson interval.

    Parameters: journeys -- the journeys frame; level -- interval level.
    Returns: DataFrame indexed by touchpoint with switches (events), share (of all
    self-service -> assisted switches), journeys (with a self-service event there),
    switched_journeys, rate, ci_low, ci_high, small_sample; sorted by switches, then id.
    """
    events = _ordered(journeys)
    code = events["_code"].to_numpy()
    touchpoint = events["touchpoint"].to_numpy()
    at = np.flatnonzero(events["_to_assisted"].to_numpy()) - 1
    left = pd.DataFrame({"_code": code[at], "touchpoint": touchpoint[at]})
    visits = events.loc[~events["_assisted"], ["_code", "touchpoint"]].drop_duplicates()
    table = pd.DataFrame({
        "switches": left.groupby("touchpoint").size(),
        "journeys": visits.groupby("touchpoint").size(),
        "switched_journeys": left.drop_duplicates().groupby("touchpoint").size(),
    }).dropna(subset=["switches"]).astype(int)
    table.index.name = "touchpoint"
    table["share"] = table["switches"] / len(left) if len(left) else np.nan
    rates = [metrics.proportion(s, n=n, level=level)
             for s, n in zip(table["switched_journeys"], table["journeys"])]
    for column, key in (("rate", "value"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                        ("small_sample", "small_sample")):
        table[column] = [r[key] for r in rates]
    table["small_sample"] = table["small_sample"].astype(bool)
    table = table.reset_index().sort_values(["switches", "touchpoint"],
                                            ascending=[False, True], kind="stable")
    columns = ["switches", "share", "journeys", "switched_journeys", "rate", "ci_low",
               "ci_high", "small_sample"]
    return table.set_index("touchpoint")[columns]
