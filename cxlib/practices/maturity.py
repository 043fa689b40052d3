"""P4: the maturity and culture assessment scored against the item bank.

Staff answer items (1-5) of four instruments: the nine building blocks (B1-B9), the four
Cs of culture (C1-C4), the connected-journeys actions (G1-G5) and the seven tips with the
mother test (A1-A7, MT). Each item belongs to one element; scores are summarised per
element, per function and per wave.
"""
from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..statistics import metrics
from .. import paths
from ..errors import DataError, Problem, quoted

#: English element names (METHOD.md), in report order.
ELEMENT_NAMES = {
    "B1": "Core values",
    "B2": "Mission, vision and purpose",
    "B3": "Brand promise",
    "B4": "Executive commitment",
    "B5": "Leadership alignment",
    "B6": "Employees and their experience",
    "B7": "Customer understanding",
    "B8": "Governance structure",
    "B9": "Adoption and organisational alignment",
    "C1": "Conscience",
    "C2": "Communication",
    "C3": "Consistency",
    "C4": "Credibility",
    "G1": "Collaboration across channel teams",
    "G2": "Shared goals and metrics",
    "G3": "Shared technology and data",
    "G4": "Agents as self-service advocates",
    "G5": "Shared budgets",
    "A1": "Recognise the rut",
    "A2": "What is your number?",
    "A3": "Shared vision",
    "A4": "Add value with a wow factor",
    "A5": "Empower and remove barriers",
    "A6": "Credibility for transformation",
    "A7": "Ownership across the organisation",
    "MT": "The mother test",
}

#: Simplified Chinese element names, same keys as ELEMENT_NAMES.
ELEMENT_NAMES_ZH = {
    "B1": "核心价值观",
    "B2": "使命、愿景与宗旨",
    "B3": "品牌承诺",
    "B4": "高管承诺",
    "B5": "领导层协同",
    "B6": "员工及其体验",
    "B7": "客户洞察",
    "B8": "治理结构",
    "B9": "采纳与组织协同",
    "C1": "良知",
    "C2": "沟通",
    "C3": "一致性",
    "C4": "可信度",
    "G1": "跨渠道团队协作",
    "G2": "共同目标与指标",
    "G3": "共享技术与数据",
    "G4": "让坐席成为自助服务的拥护者",
    "G5": "共享预算",
    "A1": "认清困境",
    "A2": "你的关键数字是什么？",
    "A3": "共同愿景",
    "A4": "以惊喜创造价值",
    "A5": "授权并消除障碍",
    "A6": "转型的可信度",
    "A7": "全员共担责任",
    "MT": "母亲测试",
}

#: Instruments of the item bank, in report order.
INSTRUMENTS = ("blocks", "culture", "journeys", "tips")

#: Fewer staff respondents than this behind a mean is a small sample. Staff surveys are
#: small by nature (a cross-functional team of 10-40), so metrics.MIN_N (30) would flag
#: almost every element; five is the fewest for which a function's mean is more than one
#: or two people's opinion and a t interval is not absurdly wide.
SMALL_STAFF = 5

#: Functions whose element means differ by less than this (points on the 1-5 scale) are
#: aligned. One point is the distance between two answer labels ("agree" vs "neutral"):
#: a wider spread means functions see the element differently, which B5 and B9 name as a
#: gap in its own right.
ALIGNMENT_GAP = 1.0

ELEMENT_COLUMNS = ["instrument", "element", "name", "mean", "ci_low", "ci_high", "n",
                   "function_spread", "function_sd", "lowest_function", "highest_function",
                   "aligned", "small_sample"]
CHANGE_COLUMNS = ["instrument", "element", "name", "first_wave", "last_wave", "first_mean",
                  "last_mean", "n_first", "n_last", "difference", "ci_low", "ci_high",
                  "p_value", "p_adjusted", "significant"]


@cache
def item_bank() -> pd.DataFrame:
    """The consultancy's editable item bank (templates/item_bank.csv)."""
    return pd.read_csv(paths.ITEM_BANK, dtype=str, keep_default_na=False)


def element_name(element: str, language: str = "en") -> str:
    """An element's name in `language` ("en" or "zh"); an unknown element is its own name."""
    names = ELEMENT_NAMES_ZH if language == "zh" else ELEMENT_NAMES
    return names.get(element, element)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in report order: instruments as INSTRUMENTS, elements as ELEMENT_NAMES, then
    anything a custom item bank adds, alphabetically."""
    rank = {e: i for i, e in enumerate(ELEMENT_NAMES)}
    frame = frame.reset_index(drop=True)
    keys = pd.DataFrame({
        "instrument_rank": frame["instrument"].map(
            lambda i: INSTRUMENTS.index(i) if i in INSTRUMENTS else len(INSTRUMENTS)),
        "instrument": frame["instrument"],
        "element_rank": frame["element"].map(lambda e: rank.get(e, len(rank))),
        "element": frame["element"],
    })
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def respondent_scores(assessment: pd.DataFrame, bank: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each respondent's score per element: the mean of their answered items in it.

    The items one person answers about one element are not independent observations:
    they share that person's view and habits of answering. Every statistic downstream
    therefore treats the respondent, not the item, as the unit, so a person who answered
    six items of B7 counts once, like a person who answered two.

    Parameters: assessment -- frame with respondent, function, wave, item, score (1-5,
    NaN for no answer); bank -- item bank with item, instrument, element (default
    `item_bank()`).
    Returns: frame with respondent, function (NaN kept), wave, instrument, element,
    score (mean of the respondent's items), items (how many were answered); rows
    without any answer are left out.
    """
    bank = item_bank() if bank is None else bank
    unknown = sorted(set(assessment["item"]) - set(bank["item"]))
    if unknown:
        raise DataError([Problem("assessment", None, "item", "an item id from the item bank",
                                 quoted(item)) for item in unknown])
    answered = assessment[assessment["score"].notna()]
    merged = answered.merge(bank[["item", "instrument", "element"]], on="item", how="left")
    keys = ["respondent", "function", "wave", "instrument", "element"]
    scores = (merged.assign(score=merged["score"].astype(float))
              .groupby(keys, sort=True, dropna=False)["score"].agg(score="mean", items="count")
              .reset_index())
    scores["wave"] = scores["wave"].astype(int)
    return scores


def _wave(scores: pd.DataFrame, wave: int | None) -> pd.DataFrame:
    """Respondent scores of one wave (the latest when `wave` is None)."""
    if scores.empty:
        return scores
    wave = scores["wave"].max() if wave is None else wave
    if wave not in set(scores["wave"]):
        raise ValueError(f"wave {wave} is not in the assessment; waves are "
                         f"{sorted(set(scores['wave']))}")
    return scores[scores["wave"] == wave]


def function_scores(assessment: pd.DataFrame, bank: pd.DataFrame | None = None,
                    wave: int | None = None) -> pd.DataFrame:
    """Mean respondent score per element and function, long, for radar charts and heatmaps.

    Parameters: assessment, bank -- as in `respondent_scores`; wave -- the wave to
    score (default: the latest).
    Returns: frame with instrument, element, function, mean, n (respondents) and
    small_sample (n < SMALL_STAFF), in element order.
    """
    scores = _wave(respondent_scores(assessment, bank), wave)
    table = (scores.groupby(["instrument", "element", "function"], sort=True)["score"]
             .agg(mean="mean", n="count").reset_index())
    table["small_sample"] = table["n"] < SMALL_STAFF
    return _sorted(table)


def _element_row(scores: pd.DataFrame, level: float) -> dict:
    """Summary of one element's respondent scores: mean, interval, spread across functions."""
    estimate = metrics.mean(scores["score"], level)
    by_function = scores.groupby("function", sort=True)["score"].mean()
    spread = float(by_function.max() - by_function.min()) if len(by_function) else np.nan
    return {
        "mean": estimate["value"],
        "ci_low": estimate["ci_low"],
        "ci_high": estimate["ci_high"],
        "n": int(estimate["n"]),
        "function_spread": spread,
        "function_sd": float(by_function.std(ddof=1)) if len(by_function) > 1 else np.nan,
        "lowest_function": by_function.idxmin() if len(by_function) else None,
        "highest_function": by_function.idxmax() if len(by_function) else None,
        "aligned": bool(spread < ALIGNMENT_GAP),
        "small_sample": bool(estimate["n"] < SMALL_STAFF),
    }


def element_scores(assessment: pd.DataFrame, bank: pd.DataFrame | None = None,
                   wave: int | None = None, level: float = 0.95) -> pd.DataFrame:
    """Score, interval and alignment across functions of every element in one wave.

    The mean and its t interval are over respondents (see `respondent_scores`).
    Alignment compares function means: `function_spread` is highest minus lowest,
    `aligned` is True when that is below ALIGNMENT_GAP (an element scored by one
    function only has spread 0). Ties for lowest/highest function go to the first
    function alphabetically. Respondents without a function count in the element's
    mean but in no function.

    Parameters: assessment, bank -- as in `respondent_scores`; wave -- the wave to score
    (default: the latest); level -- interval level.
    Returns: frame with ELEMENT_COLUMNS, one row per element, in instrument and element
    order; small_sample is True when fewer than SMALL_STAFF respondents scored it.
    """
    scores = _wave(respondent_scores(assessment, bank), wave)
    rows = [{"instrument": instrument, "element": element, "name": element_name(element),
             **_element_row(group, level)}
            for (instrument, element), group in scores.groupby(["instrument", "element"])]
    if not rows:
        return pd.DataFrame(columns=ELEMENT_COLUMNS)
    return _sorted(pd.DataFrame(rows, columns=ELEMENT_COLUMNS))


def wave_change(assessment: pd.DataFrame, bank: pd.DataFrame | None = None,
                level: float = 0.95) -> pd.DataFrame:
    """Change of every element's mean from the first wave to the last, with Welch's test.

    The two waves are compared as independent samples of respondent scores (Welch's t,
    unequal variances): staff surveys are usually anonymous, so answers of one person in
    two waves cannot be paired. p-values are Holm-adjusted across the elements tested;
    `significant` means p_adjusted < 1 - level. An element missing from one wave has
    NaN statistics and is not counted as a test.

    Parameters: assessment, bank -- as in `respondent_scores`; level -- interval level.
    Returns: frame with CHANGE_COLUMNS (difference = last - first), one row per element;
    empty with the same columns when the assessment has fewer than two waves.
    """
    scores = respondent_scores(assessment, bank)
    waves = sorted(set(scores["wave"]))
    if len(waves) < 2:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    first, last = waves[0], waves[-1]
    rows = []
    for (instrument, element), group in scores.groupby(["instrument", "element"]):
        before = group.loc[group["wave"] == first, "score"]
        after = group.loc[group["wave"] == last, "score"]
        test = metrics.welch(after, before, level)
        rows.append({"instrument": instrument, "element": element,
                     "name": element_name(element), "first_wave": first, "last_wave": last,
                     "first_mean": before.mean(), "last_mean": after.mean(),
                     "n_first": len(before), "n_last": len(after),
                     "difference": test["difference"], "ci_low": test["ci_low"],
                     "ci_high": test["ci_high"], "p_value": test["p_value"]})
    change = _sorted(pd.DataFrame(rows))
    change["p_adjusted"] = metrics.holm(change["p_value"]).to_numpy()
    change["significant"] = (change["p_adjusted"] < 1 - level).to_numpy()
    return change[CHANGE_COLUMNS]


def growth_opportunities(scores: pd.DataFrame) -> pd.DataFrame:
    """The lowest-scoring element of each instrument: its biggest growth opportunity.

    Parameters: scores -- `element_scores` output (instrument, element, name, mean, ...).
    Returns: frame with instrument, element, name, mean, small_sample (when given),
    best_element, best_mean and gap (best_mean - mean), one row per instrument in
    instrument order. Ties go to the first element in element order; elements without
    a mean are left out.
    """
    scored = _sorted(scores[scores["mean"].notna()])
    rows = []
    for instrument, group in scored.groupby("instrument", sort=False):
        low = group.loc[group["mean"].idxmin()]
        high = group.loc[group["mean"].idxmax()]
        row = {"instrument": instrument, "element": low["element"], "name": low["name"],
               "mean": low["mean"]}
        if "small_sample" in group:
            row["small_sample"] = low["small_sample"]
        row.update(best_element=high["element"], best_mean=high["mean"],
                   gap=high["mean"] - low["mean"])
        rows.append(row)
    columns = ["instrument", "element", "name", "mean", "small_sample", "best_element",
               "best_mean", "gap"]
    return pd.DataFrame(rows, columns=[c for c in columns
                                       if c != "small_sample" or "small_sample" in scores])
