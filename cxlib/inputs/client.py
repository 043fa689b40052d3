"""A client's files, read as exported, checked against client.yml and mapped onto the model."""
from __future__ import annotations

import datetime as dt
import difflib
import html
import re
import unicodedata
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import paths
from .codebook import DEFAULT as DEFAULT_CODEBOOK, Codebook, load_codebook
from .config import (CONFIG_FILE, MODEL_COLUMNS, OPTIONAL_COLUMNS, OPTIONAL_FILES,
                     ClientConfig, FileSpec, OutcomeRules, load_config)
from ..errors import CxError, DataError, Notice, Problem, quoted
from . import snapshot
from .readers import RawTable, read_table

#: The eight default journey stages, in order (METHOD.md, seed 001).
STAGES = ("awareness", "discovery", "attraction", "interaction", "purchase", "use",
          "cultivation", "advocacy")
CHANNELS = ("self-service", "assisted")
#: Problems listed for one column before the rest are counted in one line.
PROBLEMS_PER_COLUMN = 50
#: No customer's revenue or purchase reaches 10^15 in any currency: a larger figure is a
#: junk cell (a cell of 9s, 1e309), and sums of such figures overflow to infinity.
MAX_MONEY = 1e15
_MONEY = "an amount of money, less than 10^15 either way"
_TRUE = {"1", "yes", "y", "true", "t", "retained", "active"}
_FALSE = {"0", "no", "n", "false", "f", "churned", "lost", "inactive"}


@dataclass
class Client:
    """One client's inputs as typed frames in model columns (see docs/design.md)."""

    config: ClientConfig
    survey: pd.DataFrame
    perception: pd.DataFrame
    expectation: pd.DataFrame
    importance: pd.DataFrame
    scales: dict[str, tuple[float, float]]
    outcomes: pd.DataFrame | None = None
    touchpoints: pd.DataFrame | None = None
    interviews: pd.DataFrame | None = None
    journeys: pd.DataFrame | None = None
    assessment: pd.DataFrame | None = None
    roadmap: pd.DataFrame | None = None
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Valid but odd findings about the inputs, for validate's output and the appendix.
    warnings: list[Notice] = field(default_factory=list)
    #: Survey columns' value labels (SPSS files): column -> code -> label.
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    codebook: Codebook | None = None
    #: The survey's segment columns as loaded (multi-select options expanded).
    segment_columns: tuple[str, ...] | None = None
    #: An index measure's item ratings, one column per item (survey.overall.index).
    overall_items: pd.DataFrame | None = None

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def segments(self) -> tuple[str, ...]:
        """The survey's segment columns: one per segment, one per multi-select option."""
        if self.segment_columns is None:
            return self.config.survey.segments
        return self.segment_columns


#: What other layers keep for a Client object while it lives, by the object's id, then by
#: purpose (see `kept_for`).
_KEPT: dict[int, dict[str, dict]] = {}


def kept_for(client: Client, purpose: str) -> dict:
    """A dict of `purpose`'s own for this client object, dropped when the object is: work
    derived from the client that nothing changes once made (the practices' parts no run
    parameter changes, a workbench's restrictions to filter values). Keyed by the object,
    not by its contents: a Client is a dataclass of frames, compared by value, not hashed.
    """
    kept = _KEPT.get(id(client))
    if kept is None:
        kept = _KEPT[id(client)] = {}
        weakref.finalize(client, _KEPT.pop, id(client), None)
    return kept.setdefault(purpose, {})


def client_folder(client: str | Path) -> Path:
    """Find a client's folder from its id (under data/clients) or a path."""
    path = Path(client)
    if (path / CONFIG_FILE).is_file():
        return path.resolve()
    if (paths.CLIENTS / str(client) / CONFIG_FILE).is_file():
        return (paths.CLIENTS / str(client)).resolve()
    known = sorted(p.parent.name for p in paths.CLIENTS.glob(f"*/{CONFIG_FILE}"))
    raise CxError(f"no client '{client}': expected a folder with {CONFIG_FILE}, or one of "
                  f"the clients in {paths.CLIENTS}: {', '.join(known) or 'none'}")


def _key(name: str) -> str:
    """How column names are compared: NFKC, spacing and case do not matter."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).split()).casefold()


#: Letters of other scripts that look like Latin ones (the common confusables).
_LOOKALIKES = str.maketrans("аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΥΧ",
                            "aeopcyxijsdhlABEKMHOPCTXIJSabeiknoptuxABEHIKMNOPTYX")


def _skeleton(name: str) -> str:
    """A header as a reader sees it: _key, without zero-width characters, look-alikes folded."""
    text = "".join(ch for ch in str(name) if unicodedata.category(ch) != "Cf")
    return _key(text.translate(_LOOKALIKES))


def _difference(a: str, b: str) -> str:
    """The first characters where two headers differ, with their code points."""
    a, b = str(a), str(b)
    for i in range(max(len(a), len(b))):
        x, y = (a[i] if i < len(a) else ""), (b[i] if i < len(b) else "")
        if x != y:
            def point(ch):
                return f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" if ch else "nothing"
            return f"{point(x)} against {point(y)} at character {i + 1}"
    return "nothing"


def _column_letter(table: RawTable, column: str) -> str:
    from .readers import _letter

    return _letter(list(table.frame.columns).index(column))


class _Distinct:
    """A text column as its distinct values and a code per row.

    Survey answers repeat a handful of values, so every check runs on the distinct values
    and is spread back to the rows by their codes: a million rows cost a factorize.
    """

    def __init__(self, series: pd.Series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(values), codes)
            values = pd.concat([values, pd.Series([""], dtype=object)], ignore_index=True)
        self.codes = codes
        self.raw = values
        self.text = values.astype(str).str.strip()

    def spread(self, values) -> np.ndarray:
        """Per-row values from one value per distinct cell."""
        return np.asarray(values)[self.codes]


class _Checker:
    """Converts text cells to typed columns, collecting every problem on the way."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.reading: dict[str, str] = {}   # file name -> how it was read (layout, encoding)
        self.warnings: list[Notice] = []       # valid but odd findings

    def add(self, table: RawTable, mask: np.ndarray, column: str, expected: str,
            values: pd.Series) -> None:
        bad = np.flatnonzero(np.asarray(mask))
        for i in bad[:PROBLEMS_PER_COLUMN]:
            self.problems.append(Problem(table.file, int(table.rows[i]), column, expected,
                                         quoted(values.iloc[i])))
        if len(bad) > PROBLEMS_PER_COLUMN:
            self.problems.append(Problem(
                table.file, None, column, expected,
                f"{len(bad) - PROBLEMS_PER_COLUMN} more rows like these"))

    def columns(self, table: RawTable, wanted: dict[str, str], where: str) -> dict[str, str]:
        """Match model columns to the file's headers; report absent and repeated ones.

        Two headers that differ only by case, spacing, width, zero-width characters or
        look-alike letters (Cyrillic е for Latin e) are ambiguous: naming either is a
        problem that shows both, with their columns and the code points that differ.
        """
        found, alike = {}, {}
        for i, c in enumerate(table.frame.columns):
            found.setdefault(_key(c), c)
            alike.setdefault(_skeleton(c), []).append(c)
        letters = {c: _column_letter(table, c) for c in table.frame.columns}
        repeated = {_key(name): where_ for name, where_ in table.duplicates.items()}
        matched = {}
        for model, name in wanted.items():
            key = _key(name)
            if key in repeated:
                self.problems.append(Problem(
                    table.file, table.header_row, name, f"one column named '{name}'",
                    f"{repeated[key]} with that name"))
            elif len(alike.get(_skeleton(name), [])) > 1:
                twins = alike[_skeleton(name)]
                self.problems.append(Problem(
                    table.file, table.header_row, name, f"one column named like '{name}'",
                    " and ".join(f"{quoted(c)} (column {letters[c]})" for c in twins[:3])
                    + f", which differ only by {_difference(twins[0], twins[1])}"))
            elif key in found:
                matched[model] = found[key]
            elif _skeleton(name) in alike:
                near = alike[_skeleton(name)][0]
                self.problems.append(Problem(
                    table.file, table.header_row, name, f"a column '{name}' ({where})",
                    f"{quoted(near)} (column {letters[near]}), which differs by "
                    f"{_difference(name, near)}"))
            else:
                self.problems.append(Problem(
                    table.file, table.header_row, name, f"a column '{name}' ({where})",
                    "no such column; " + _columns_found(table, name)))
        return matched

    def missing(self, cells: _Distinct, missing: tuple) -> np.ndarray:
        """Which distinct values are empty or a missing-value code from client.yml."""
        text = cells.text
        codes = {str(m).strip().casefold() for m in missing}
        numbers = set()
        for m in missing:
            try:
                numbers.add(float(m))
            except (TypeError, ValueError):
                pass
        mask = text.eq("") | text.str.casefold().isin(codes)
        if numbers:
            mask |= pd.to_numeric(text, errors="coerce").isin(numbers)
        return mask.to_numpy()

    def numbers(self, table: RawTable, column: str, spec: FileSpec,
                low: float | None = None, high: float | None = None,
                whole: bool = False, label: str = "a number") -> pd.Series:
        """Numbers in [low, high], NaN where missing; a problem for anything else."""
        cells = _Distinct(table.frame[column])
        text = cells.text
        if spec.labels:
            labels = {_key(k): str(v) for k, v in spec.labels.items()}
            text = text.map(lambda t: labels.get(_key(t), t))
        missing = self.missing(cells, spec.missing)
        values = pd.to_numeric(text.where(~missing, None), errors="coerce").astype(float)
        bad = (values.isna() | np.isinf(values)).to_numpy() & ~missing   # "inf", 1e309
        if low is not None:
            bad |= values.notna().to_numpy() & ((values < low) | (values > high)).to_numpy()
        if whole:
            bad |= values.notna().to_numpy() & (values % 1 != 0).to_numpy()
        rows_bad = cells.spread(bad)
        if rows_bad.any():
            self.add(table, rows_bad, column, label, table.frame[column])
        return pd.Series(cells.spread(values.where(~bad).to_numpy()), dtype=float, copy=False)

    def unique(self, table: RawTable, column: str, what: str) -> pd.Series:
        ids = table.frame[column].astype(str).str.strip()
        empty = ids.eq("")
        self.add(table, empty.to_numpy(), column, f"{what} in every row", ids)
        dup = ids.duplicated(keep="first") & ~empty
        if dup.any():
            firsts = ~ids.duplicated(keep="first")
            first = dict(zip(ids[firsts], table.rows[firsts.to_numpy()]))
            bad = np.flatnonzero(dup.to_numpy())
            for i in bad[:PROBLEMS_PER_COLUMN]:
                self.problems.append(Problem(
                    table.file, int(table.rows[i]), column, f"a unique {what}",
                    f"{quoted(ids.iloc[i])}, already in row {first[ids.iloc[i]]}"))
            if len(bad) > PROBLEMS_PER_COLUMN:
                self.problems.append(Problem(table.file, None, column, f"a unique {what}",
                                             f"{len(bad) - PROBLEMS_PER_COLUMN} more repeats"))
        return ids

    def choices(self, table: RawTable, column: str, allowed: tuple, what: str) -> pd.Series:
        cells = _Distinct(table.frame[column])
        text = cells.text.str.casefold().str.replace(r"[\s_]+", "-", regex=True)
        bad = ~text.isin(allowed).to_numpy()
        self.add(table, cells.spread(bad), column, f"{what}: one of {', '.join(allowed)}",
                 table.frame[column])
        return pd.Series(cells.spread(text.where(~bad).to_numpy()), dtype=object)

    def flags(self, table: RawTable, column: str, spec: FileSpec) -> pd.Series:
        cells = _Distinct(table.frame[column])
        text = cells.text.str.casefold()
        missing = self.missing(cells, spec.missing)
        values = np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, np.nan))
        bad = np.isnan(values) & ~missing
        self.add(table, cells.spread(bad), column, "1/0, yes/no or true/false",
                 table.frame[column])
        return pd.Series(cells.spread(values), dtype=float)

    def known(self, table: RawTable, column: str, values: pd.Series, ids: set,
              where: str) -> None:
        bad = values.notna() & values.ne("") & ~values.isin(ids)
        self.add(table, bad.to_numpy(), column, f"a touchpoint id from {where}",
                 table.frame[column])


def _columns_found(table: RawTable, name: str) -> str:
    """The file's columns, the closest to `name` first, for a missing-column message."""
    columns = list(table.frame.columns)
    guess = difflib.get_close_matches(_key(name), [_key(c) for c in columns], n=1, cutoff=0.6)
    hint = ""
    if guess:
        hint = f"did you mean '{next(c for c in columns if _key(c) == guess[0])}'? "
    listed = ", ".join(f"'{c}'" for c in columns[:25])
    more = f" ... ({len(columns)} in all)" if len(columns) > 25 else ""
    return f"{hint}the columns are {listed}{more}"


def _read(check: _Checker, spec: FileSpec, required: bool = False) -> RawTable | None:
    """Read one file; a file with a header and no rows is an input not provided yet."""
    try:
        table = read_table(spec)
    except DataError as err:
        check.problems.extend(err.problems)
        return None
    check.reading[spec.name] = table.describe()
    check.warnings += table.warnings
    if table.frame.empty and required:
        check.problems.append(Problem(spec.name, None, None, "at least one row of answers",
                                      "a header row only"))
    return None if table.frame.empty else table


def _survey(check: _Checker, config: ClientConfig):
    s = config.survey
    table = _read(check, s.file, required=True)
    if table is None:
        return None
    by_row = _key(s.respondent_id) == "row" and not any(_key(c) == "row"
                                                         for c in table.frame.columns)
    o = s.overall
    wanted = {f"item:{i}": item for i, item in enumerate(o.items)} if o.items else \
        {"overall": o.column}
    if not by_row:
        wanted["respondent_id"] = s.respondent_id
    if s.customer_id:
        wanted["customer_id"] = s.customer_id
    if s.effort:
        wanted["effort"] = s.effort.column
    if s.comments:
        wanted["comment"] = s.comments
    multis = {i: _options(table, rule) for i, rule in enumerate(s.segment_rules)
              if rule.column is None}
    for i, rule in enumerate(s.segment_rules):
        if rule.column is not None:
            wanted[f"segment:{i}"] = rule.column
        else:
            wanted.update({f"segment:{i}:{option}": column
                           for option, column in multis[i].items()})
    for tp, rating in s.touchpoints.items():
        for kind in ("perception", "expectation", "importance"):
            if getattr(rating, kind):
                wanted[f"{kind}:{tp}"] = getattr(rating, kind)
    cols = check.columns(table, wanted, "named in client.yml under survey")
    survey = pd.DataFrame(index=pd.RangeIndex(len(table.frame)))
    if by_row:   # respondent_id: row -- the row number as seen in the file
        survey["respondent_id"] = pd.Series(table.rows.astype(str), dtype=object)
    elif "respondent_id" in cols:
        survey["respondent_id"] = check.unique(table, cols["respondent_id"], "respondent id")
    if "customer_id" in cols:
        ids = table.frame[cols["customer_id"]].astype(str).str.strip()
        survey["customer_id"] = ids.where(ids.ne(""))
    info: dict = {}
    if o.items and all(f"item:{i}" in cols for i in range(len(o.items))):
        lo, hi = o.scale
        items = pd.DataFrame({item: check.numbers(table, cols[f"item:{i}"], s.file, lo, hi,
                                                  False, f"a rating {lo:g}-{hi:g}")
                              for i, item in enumerate(o.items)})
        survey["overall"] = items.mean(axis=1).where(items.notna().all(axis=1))
        info["items"] = items
    if "overall" in cols:
        if o.kind == "binary":
            survey["overall"], info["answers"] = _binary(check, table, cols["overall"], s.file,
                                                         o.positive)
        elif o.kind == "nps":
            survey["overall"] = check.numbers(table, cols["overall"], s.file, 0, 10, True,
                                              "a whole number 0-10")
            info["nps_scale"] = _nps_scale(check, table, cols["overall"], s.file,
                                           survey["overall"])
        else:
            lo, hi = o.scale
            survey["overall"] = check.numbers(table, cols["overall"], s.file, lo, hi, False,
                                              f"a number {lo:g}-{hi:g}")
    if "effort" in cols:
        lo, hi = s.effort.scale
        survey["effort"] = check.numbers(table, cols["effort"], s.file, lo, hi, False,
                                         f"a number {lo:g}-{hi:g}")
    names = []
    for i, rule in enumerate(s.segment_rules):
        if rule.column is None:
            for option in multis[i]:
                if f"segment:{i}:{option}" in cols:
                    name = f"{rule.name}: {option}"
                    survey[name] = _selected(check, table, cols[f"segment:{i}:{option}"], s.file)
                    names.append(name)
        elif f"segment:{i}" in cols:
            survey[rule.name] = _segment(check, table, cols[f"segment:{i}"], s.file, rule)
            groups = survey[rule.name].dropna().unique()
            if len(groups) >= 2:
                names.append(rule.name)
            else:   # nothing to compare: left out of the comparisons, and said so
                column = cols[f"segment:{i}"]
                check.warnings.append(Notice(
                    f"{s.file.name}, column '{column}': segment '{rule.name}' has "
                    f"{'one group only (' + repr(str(groups[0])) + ')' if len(groups) else 'no answers'}"
                    ", so it is left out of the comparisons",
                    "segment_one_group" if len(groups) else "segment_no_answers",
                    file=s.file.name, column=column, segment=rule.name,
                    group=str(groups[0]) if len(groups) else ""))
    info["segments"] = tuple(names)
    if "comment" in cols:
        survey["comment"] = _text(table, cols, "comment", check, free=True)
    ratings = {kind: {} for kind in ("perception", "expectation", "importance")}
    for tp, rating in s.touchpoints.items():
        lo, hi = rating.scale
        for kind in ratings:
            if f"{kind}:{tp}" in cols:
                ratings[kind][tp] = check.numbers(table, cols[f"{kind}:{tp}"], s.file, lo, hi,
                                                  False, f"a rating {lo:g}-{hi:g}").to_numpy()
    frames = {kind: pd.DataFrame(columns, index=survey.index, dtype=float, copy=False)
              for kind, columns in ratings.items()}
    return table, survey, frames, info


def _nps_scale(check: _Checker, table: RawTable, column: str, spec: FileSpec,
               scores: pd.Series) -> str | None:
    """NPS needs a 0-10 item: a 1-10 one (by its value labels) is an error, and a warning
    when many answers and none is 0."""
    labels = table.value_labels.get(column, {})
    codes = sorted(float(c) for c in labels if c.lstrip("-").replace(".", "", 1).isdigit())
    fix = f"satisfaction: {column} with scale: [1, 10]"
    if codes and codes[0] == 1 and codes[-1] == 10:
        check.problems.append(Problem(
            spec.name, None, column, f"a 0-10 likelihood-to-recommend item for nps (for a "
            f"1-10 item write {fix})", "value labels running 1-10"))
        return None
    answered = scores.dropna()
    if len(answered) >= 50 and answered.min() == 1 and answered.max() == 10:
        return Notice(f"{spec.name}, column '{column}': none of {len(answered):,} answers is "
                      f"0; if the question ran 1-10 it is not an NPS item: write {fix}",
                      "nps_no_zero", file=spec.name, column=column, count=len(answered))
    return None


#: A multi-select option's two groups, not chosen first.
SELECTED = ("not selected", "selected")


def _options(table: RawTable, rule) -> dict[str, str]:
    """A multi-select segment's options and their columns.

    Named in client.yml (option -> column, as Qualtrics's Q5_1, Q5_2 need), or found by the
    question text: SurveyMonkey names each option's column "question - option".
    """
    if rule.options:
        return dict(rule.options)
    prefix = _key(rule.multi) + " - "
    return {str(c)[len(prefix):].strip(): c for c in table.frame.columns
            if _key(c).startswith(prefix)} or {"?": f"{rule.multi} - (an option)"}


def _selected(check: _Checker, table: RawTable, column: str, spec: FileSpec) -> pd.Categorical:
    """One multi-select option as a segment: any answer in its column means selected."""
    cells = _Distinct(table.frame[column])
    chosen = ~check.missing(cells, spec.missing) & ~cells.text.str.casefold().isin(("0", "false"))
    return pd.Categorical.from_codes(cells.spread(chosen.astype(int).to_numpy()),
                                     categories=list(SELECTED))


def _segment(check: _Checker, table: RawTable, column: str, spec: FileSpec,
             rule) -> pd.Categorical:
    """A segment column's groups: named by labels (client.yml, else SPSS value labels) and in
    order (client.yml's, else by the numbers they start with: "18-29" before "30-44",
    "Less than $40K" before "$40K - $60K"; other names alphabetically, after)."""
    cells = _Distinct(table.frame[column])
    groups = cells.text.where(~check.missing(cells, spec.missing))
    labels = rule.labels or table.value_labels.get(column, {})
    if labels:
        groups = groups.map(lambda g: labels.get(g, g), na_action="ignore")
    found = list(groups.dropna().unique())
    if rule.order:
        order = list(rule.order)
        unlisted = [g for g in found if g not in order]
        bad = groups.isin(unlisted).to_numpy()
        check.add(table, cells.spread(bad), column,
                  f"one of the groups in survey.segments order ({', '.join(order[:6])})",
                  table.frame[column])
    elif labels and table.value_labels.get(column) and not rule.labels:
        order = [labels[c] for c in sorted(labels, key=_number_or_text) if labels[c] in found]
        order += sorted(g for g in found if g not in order)
    else:
        order = natural_order(found)
    categories = pd.Index(order)
    return pd.Categorical.from_codes(cells.spread(categories.get_indexer(groups)),
                                     categories=categories)


def _number_or_text(value: str):
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


_FIRST_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([kKmM]?)")
_BELOW = re.compile(r"^\s*(<|under|less than|below|up to)", re.IGNORECASE)


def natural_order(groups: list[str]) -> list[str]:
    """Groups in their natural order: by the first number each holds ("< 1 year", "1-3
    years", "$100K +"), when most hold one; names without a number follow alphabetically."""
    def number(group: str):
        m = _FIRST_NUMBER.search(group)
        if not m:
            return None
        value = float(m.group(1).replace(",", ""))
        value *= {"k": 1e3, "m": 1e6}.get(m.group(2).lower(), 1)
        return value - 0.5 if _BELOW.match(group) else value
    numbered = {g: number(g) for g in groups}
    if sum(v is not None for v in numbered.values()) * 2 <= len(groups):
        return sorted(groups)
    with_numbers = sorted((g for g in groups if numbered[g] is not None),
                          key=lambda g: (numbered[g], g))
    return with_numbers + sorted(g for g in groups if numbered[g] is None)


def _binary(check: _Checker, table: RawTable, column: str, spec: FileSpec,
            positive: str) -> tuple[np.ndarray, tuple[str, str]]:
    """1 where the answer is `positive`, 0 for the one other answer, NaN where missing.

    Also returns the two answers as the file writes them (other, positive): they name the
    groups unless client.yml does.
    """
    cells = _Distinct(table.frame[column])
    missing = check.missing(cells, spec.missing)
    labels = table.value_labels.get(column, {})
    text = cells.text.map(lambda v: labels.get(v, v)) if labels else cells.text
    answers = sorted(set(text[~missing].str.casefold()))
    chosen = text.str.casefold().eq(str(positive).strip().casefold()).to_numpy()
    if not chosen.any():
        check.problems.append(Problem(
            spec.name, None, column, f"the answer '{positive}' (survey.overall.positive)",
            f"only {', '.join(map(repr, answers[:5])) or 'empty cells'}"))
    elif len(answers) > 2:
        check.problems.append(Problem(
            spec.name, None, column, "two different answers",
            f"{len(answers)}: {', '.join(map(repr, answers[:6]))}"))
    written = text[~missing]
    other = next((v for v in written if v.casefold() != str(positive).strip().casefold()),
                 f"not {positive}")
    mine = next((v for v in written if v.casefold() == str(positive).strip().casefold()),
                str(positive))
    return cells.spread(np.where(missing, np.nan, chosen.astype(float))), (other, mine)


def _model_file(check: _Checker, spec: FileSpec, kind: str):
    """Read an optional file and match its model columns."""
    table = _read(check, spec)
    if table is None:
        return None, {}
    wanted = {m: spec.columns.get(m, m) for m in MODEL_COLUMNS[kind]}
    optional = {m: wanted.pop(m) for m in OPTIONAL_COLUMNS[kind]
                if m not in spec.columns}
    cols = check.columns(table, wanted, f"a model column of {kind}")
    present = {_key(c): c for c in table.frame.columns}
    cols.update({m: present[_key(n)] for m, n in optional.items() if _key(n) in present})
    return table, cols


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
#: An HTML character reference, semicolon included (&#039; &#x2019; &amp; &eacute;). Review
#: sites and web survey tools export free text with them in place of the characters
#: (drugs.com writes "I&#039;ve"); without the semicolon "&" is taken as written ("AT&T").
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _text(table: RawTable, cols: dict, model: str, check: "_Checker | None" = None,
          free: bool = False) -> pd.Series | None:
    """A column's text, stripped, None where empty; checked for control characters when
    `check` is given, and read as free text (HTML references decoded) when `free`."""
    if model not in cols:
        return None
    text = table.frame[cols[model]].astype(str).str.strip()
    if free:
        text = _decoded(check, table, cols[model], text)
    if check is not None:
        _controls(check, table, cols[model], text)
    return text.where(text.ne(""))


def _decoded(check: "_Checker", table: RawTable, column: str, text: pd.Series) -> pd.Series:
    """Free text (comments, interview quotes) with its HTML character references read as
    the characters they stand for, so that the report shows "I've", keywords find it and
    the sentiment scorer sees its negations; said once per column (the appendix's checks).
    A name HTML does not know ("&foo;") is left as written."""
    found = text.str.contains(_REFERENCE, regex=True, na=False).to_numpy(dtype=bool)
    if not found.any():
        return text
    decoded = text.copy()
    decoded[found] = text[found].str.replace(_REFERENCE, lambda m: html.unescape(m.group()),
                                             regex=True)
    changed = decoded.ne(text).to_numpy()
    if changed.any():
        i = np.flatnonzero(changed)[0]
        example = _REFERENCE.search(text.iloc[i]).group()
        check.warnings.append(Notice(
            f"{table.file}, column '{column}': {int(changed.sum()):,} texts hold HTML "
            f"character references such as {example} (first in row {int(table.rows[i])}), "
            f"read as the characters they stand for (here \u201c{html.unescape(example)}\u201d)",
            "html_references", file=table.file, column=column, count=int(changed.sum()),
            row=int(table.rows[i]), example=example, character=html.unescape(example)))
    return decoded


def _controls(check: "_Checker", table: RawTable, column: str, text: pd.Series) -> None:
    """Control characters (bell, escape, form feed ...) are never client text: no output
    format can hold them, so they are reported, never dropped."""
    bad = text.str.contains(_CONTROL, regex=True).to_numpy()
    if bad.any():   # shown as repr; worded only when needed (a million comments cost seconds)
        check.add(table, bad, column, "text without control characters",
                  text.map(lambda v: repr(v)[:40]))


def _outcomes(check: _Checker, spec: FileSpec, rules: OutcomeRules):
    """One row per customer: retained (0/1), revenue, share of wallet, by the file's rules."""
    if rules.retention == "transactions":
        return _transactions(check, spec, rules.transactions)
    table, cols = _model_file(check, spec, "outcomes")
    if table is None or len(cols) < 3:
        return None
    frame = pd.DataFrame({"customer_id": check.unique(table, cols["customer_id"], "customer id")})
    column = cols["retained"]
    if rules.retention == "status":
        frame["retained"] = _status(check, table, column, spec, rules)
    elif rules.retention == "churn_date":
        stamps = _dates(table.frame[column], "iso")
        given = table.frame[column].str.strip().ne("").to_numpy()
        check.add(table, given & stamps.isna().to_numpy(), column,
                  "a churn date such as 2024-03-01, or an empty cell for a customer who "
                  "stayed", table.frame[column])
        frame["retained"] = np.where(given, 0.0, 1.0)
    else:
        flags = check.flags(table, column, spec)
        frame["retained"] = 1 - flags if rules.retention == "churned" else flags
    frame["revenue"] = check.numbers(table, cols["revenue"], spec, -MAX_MONEY, MAX_MONEY,
                                     label=_MONEY)
    negative = frame["revenue"] < 0
    if negative.any():
        first = int(table.rows[np.flatnonzero(negative.to_numpy())[0]])
        check.warnings.append(Notice(
            f"{spec.name}, column '{cols['revenue']}': {int(negative.sum()):,} negative revenue "
            f"figures (first in row {first}): refunds or credits? They lower the revenue "
            "figures as given", "negative_revenue", file=spec.name, column=cols["revenue"],
            count=int(negative.sum()), row=first))
    if "share_of_wallet" in cols:
        sow = check.numbers(table, cols["share_of_wallet"], spec, 0, 100,
                            label="a share 0-1 or a percentage 0-100")
        frame["share_of_wallet"] = sow / 100 if sow.max() > 1 else sow
    return frame


def _status(check: _Checker, table: RawTable, column: str, spec: FileSpec,
            rules: OutcomeRules) -> np.ndarray:
    """1 for a status text meaning retained, 0 for one meaning churned, NaN where missing."""
    cells = _Distinct(table.frame[column])
    text = cells.text.str.casefold()
    stay = {v.casefold() for v in rules.retained_values}
    gone = {v.casefold() for v in rules.churned_values}
    values = np.where(text.isin(stay), 1.0, np.where(text.isin(gone), 0.0, np.nan))
    missing = check.missing(cells, spec.missing)
    bad = np.isnan(values) & ~missing
    listed = ", ".join(f"'{v}'" for v in rules.retained_values + rules.churned_values)
    check.add(table, cells.spread(bad), column,
              f"one of the statuses in client.yml ({listed})", table.frame[column])
    return cells.spread(values)


def _transactions(check: _Checker, spec: FileSpec, rules) -> pd.DataFrame | None:
    """Per-customer outcomes from a purchase log, counted in windows around the survey date.

    revenue: the sum of amounts dated in the `revenue_months` before survey_date;
    retained: 1 if the customer bought anything in the `retained_months` from survey_date
    on, else 0. Customers with no purchase before the survey date are left out (they were
    not yet customers). The log must reach the end of the retention window, or everyone
    would look lost.
    """
    table = _read(check, spec)
    if table is None or rules is None:
        return None
    wanted = {"customer_id": spec.columns.get("customer_id", "customer_id"), "date": rules.date}
    wanted.update({f"amount:{i}": name for i, name in enumerate(rules.amount)})
    cols = check.columns(table, wanted, "named in client.yml under outcomes")
    if len(cols) < len(wanted):
        return None
    before = len(check.problems)
    ids = table.frame[cols["customer_id"]].astype(str).str.strip()
    check.add(table, ids.eq("").to_numpy(), cols["customer_id"], "a customer id in every row",
              ids)
    stamps = _dates(table.frame[cols["date"]], rules.dates)
    check.add(table, stamps.isna().to_numpy(), cols["date"], _DATE_TEXT[rules.dates],
              table.frame[cols["date"]])
    amount = pd.Series(1.0, index=table.frame.index)
    for i in range(len(rules.amount)):
        amount = amount * check.numbers(table, cols[f"amount:{i}"], spec, -MAX_MONEY,
                                        MAX_MONEY, label=_MONEY)
    if len(check.problems) > before:
        return None
    day = pd.Timestamp(rules.survey_date)
    start = day - pd.DateOffset(months=rules.revenue_months)
    end = day + pd.DateOffset(months=rules.retained_months)
    last = stamps.max()
    if last < end - pd.Timedelta(days=1):
        check.problems.append(Problem(
            spec.name, None, cols["date"],
            f"purchases up to the end of the retention window ({end.date() - dt.timedelta(1)}: "
            f"survey_date plus retained_months)",
            f"a log that ends on {last.date()} (a shorter window, or a later extract)"))
        return None
    log = pd.DataFrame({"customer_id": ids, "stamp": stamps, "amount": amount})
    known = log.loc[log["stamp"] < day, "customer_id"].unique()
    log = log[log["customer_id"].isin(known)]
    window = log[(log["stamp"] >= start) & (log["stamp"] < day)]
    after = log[(log["stamp"] >= day) & (log["stamp"] < end)]
    frame = pd.DataFrame({"customer_id": pd.Index(known, dtype=object)})
    frame["retained"] = frame["customer_id"].isin(after["customer_id"]).astype(float)
    frame["revenue"] = frame["customer_id"].map(
        window.groupby("customer_id")["amount"].sum()).fillna(0.0)
    frame.attrs["windows"] = {"purchases": int(len(table.frame)), "customers": len(frame),
                              "revenue_from": start.date().isoformat(),
                              "survey_date": day.date().isoformat(),
                              "retained_to": (end - pd.Timedelta(days=1)).date().isoformat()}
    return frame


_DATE_TEXT = {"iso": "a date such as 2024-03-01 (or set dates: month-first or day-first)",
              "month-first": "a date written month first, such as 3/31/2024",
              "day-first": "a date written day first, such as 31/3/2024"}


def _dates(text: pd.Series, order: str) -> pd.Series:
    """Dates from text written as client.yml says (dates: iso, month-first, day-first)."""
    cells = _Distinct(text)
    if order == "iso":
        stamps = _timestamps(cells.text)
    else:
        stamps = pd.to_datetime(cells.text, errors="coerce", format="mixed",
                                dayfirst=order == "day-first")
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_localize(None)
    return pd.Series(cells.spread(stamps.to_numpy()), index=text.index)


def _touchpoints(check, spec):
    table, cols = _model_file(check, spec, "touchpoints")
    if table is None or "id" not in cols:
        return None
    frame = pd.DataFrame({"id": check.unique(table, cols["id"], "touchpoint id")})
    frame["name"] = _text(table, cols, "name")
    frame["name"] = frame["name"].fillna(frame["id"])
    if "stage" in cols:
        frame["stage"] = check.choices(table, cols["stage"], STAGES, "a journey stage")
    for model in ("channel", "owner", "description", "expectation"):
        frame[model] = _text(table, cols, model)
    return frame


def _interviews(check, spec, known: set, where: str):
    table, cols = _model_file(check, spec, "interviews")
    if table is None or not {"interview", "touchpoint", "sentiment", "quote"} <= set(cols):
        return None
    frame = pd.DataFrame({m: _text(table, cols, m, check, free=m == "quote")
                          for m in ("interview", "role", "touchpoint", "theme", "quote")})
    frame["sentiment"] = check.numbers(table, cols["sentiment"], spec, -2, 2, True,
                                       "a whole number -2..2")
    empty = frame["quote"].isna()
    check.add(table, empty.to_numpy(), cols["quote"], "the words of the excerpt",
              table.frame[cols["quote"]])
    check.known(table, cols["touchpoint"], frame["touchpoint"], known, where)
    return frame


def _journeys(check, spec, known: set, where: str):
    table, cols = _model_file(check, spec, "journeys")
    if table is None or not {"customer", "timestamp", "channel", "touchpoint"} <= set(cols):
        return None
    frame = pd.DataFrame({m: _text(table, cols, m) for m in ("customer", "touchpoint")})
    frame["journey"] = _text(table, cols, "journey") if "journey" in cols else frame["customer"]
    stamps = _timestamps(table.frame[cols["timestamp"]].str.strip())
    check.add(table, stamps.isna().to_numpy(), cols["timestamp"],
              "a date and time such as 2024-03-01T10:15:00", table.frame[cols["timestamp"]])
    frame["timestamp"] = stamps
    frame["channel"] = check.choices(table, cols["channel"], CHANNELS, "a channel")
    check.known(table, cols["touchpoint"], frame["touchpoint"], known, where)
    return frame


def _timestamps(text: pd.Series) -> pd.Series:
    """ISO date-times, NaT where unreadable; wall-clock time, or UTC when zones are mixed."""
    try:
        stamps = pd.to_datetime(text, errors="coerce", format="ISO8601")
    except ValueError:   # several time zones (or some with and some without) in one file
        stamps = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        return stamps.dt.tz_localize(None)
    return stamps.dt.tz_localize(None) if stamps.dt.tz is not None else stamps


def _assessment(check, spec):
    from ..practices.maturity import item_bank

    table, cols = _model_file(check, spec, "assessment")
    if table is None or len(cols) < 5:
        return None
    frame = pd.DataFrame({m: _text(table, cols, m) for m in ("respondent", "function", "item")})
    frame["wave"] = check.numbers(table, cols["wave"], spec, 1, 99, True, "a wave number 1, 2, ...")
    frame["score"] = check.numbers(table, cols["score"], spec, 1, 5, True, "a whole number 1-5")
    items = set(item_bank()["item"])
    bad = ~frame["item"].isin(items)
    check.add(table, bad.to_numpy(), cols["item"],
              f"an item id from {paths.ITEM_BANK.name}", table.frame[cols["item"]])
    return frame


def _roadmap(check, spec):
    from ..practices.initiatives import _parsed

    table, cols = _model_file(check, spec, "roadmap")
    if table is None or "initiative" not in cols:
        return None
    known = {_key(c) for c in MODEL_COLUMNS["roadmap"]} | {_key(c) for c in spec.columns.values()}
    for column in table.frame.columns:
        if _key(column) not in known:
            check.problems.append(Problem(spec.name, table.header_row, column,
                                          "one of the roadmap columns " +
                                          ", ".join(MODEL_COLUMNS["roadmap"]), "an unknown column"))
    frame = pd.DataFrame({m: _text(table, cols, m, check) for m in MODEL_COLUMNS["roadmap"]
                          if m in cols})
    given = [m for m in MODEL_COLUMNS["roadmap"][1:] if m in frame.columns]
    _, problems = _parsed(frame.fillna(""), spec.name, given)
    for problem in problems:   # _parsed numbers rows as index + 2; the file's own rows win
        row = int(table.rows[problem.row - 2]) if problem.row is not None else None
        check.problems.append(Problem(spec.name, row, cols.get(problem.column, problem.column),
                                      problem.expected, problem.got))
    return frame


def _codebook(check: _Checker, config: ClientConfig, known: set, where: str):
    """The client's codebook (client.yml `codebook:`), else the template's; touchpoints checked."""
    try:
        codebook = load_codebook(config.codebook or DEFAULT_CODEBOOK)
    except DataError as err:
        check.problems.extend(err.problems)
        return None
    if config.codebook is not None:     # the template names no client's touchpoints
        for theme in codebook.themes:
            for tp in theme.touchpoints:
                if tp not in known:
                    check.problems.append(Problem(
                        codebook.file, None, f"themes.{theme.id}.touchpoints",
                        f"a touchpoint id listed in {where}", f"'{tp}'"))
    return codebook


def _source(spec: FileSpec, kind: str, frame: pd.DataFrame | None, reading: dict) -> dict:
    """One line of the report's appendix: which file, rows after checks, how old, how read."""
    modified = dt.datetime.fromtimestamp(spec.path.stat().st_mtime).date().isoformat() \
        if spec.path.is_file() else ""
    return {"input": kind, "file": spec.name, "rows": 0 if frame is None else len(frame),
            "modified": modified, "read_as": reading.get(spec.name, "")}


def load_client(client: str | Path, allow_small: bool = False) -> Client:
    """Read, check and map every file of a client; raise DataError listing every problem.

    `client` is a client id, a client folder, or the snapshot of a checked client that
    `cx run` wrote for its notebooks (cxlib.inputs.snapshot: Parquet and JSON, no pickle).
    A survey with fewer answers to the overall measure than survey.min_answers is refused
    unless `allow_small` (`--allow-small`); fewer than two is refused always.
    """
    if snapshot.is_snapshot(client):
        return snapshot.load(client, Client)
    config = load_config(client_folder(client))
    check = _Checker()
    loaded = _survey(check, config)
    files = config.files
    frames = {}
    readers = {"touchpoints": _touchpoints, "assessment": _assessment, "roadmap": _roadmap}
    if "outcomes" in files:
        frames["outcomes"] = _outcomes(check, files["outcomes"], config.outcomes)
    for kind, read in readers.items():
        if kind in files:
            frames[kind] = read(check, files[kind])
    touchpoints = frames.get("touchpoints")
    known = set(touchpoints["id"]) if touchpoints is not None else set(config.survey.touchpoints)
    where = files["touchpoints"].name if touchpoints is not None else "survey.touchpoints"
    if touchpoints is not None:
        for tp in config.survey.touchpoints:
            if tp not in known:
                check.problems.append(Problem(
                    CONFIG_FILE, None, f"survey.touchpoints.{tp}",
                    f"a touchpoint id listed in {where}", f"'{tp}'"))
    for kind, read in (("interviews", _interviews), ("journeys", _journeys)):
        if kind in files:
            frames[kind] = read(check, files[kind], known, where)
    warnings: list[Notice] = check.warnings
    if loaded is not None:
        _floor(check, config, loaded[1], allow_small)
    if loaded is not None and frames.get("outcomes") is not None and \
            "customer_id" in loaded[1]:
        warnings += _join(check, config, loaded[1], frames["outcomes"])
    if loaded is not None and config.customer_base is not None:
        _base(check, config, loaded[1], frames.get("outcomes"))
        if frames.get("outcomes") is None or "customer_id" not in loaded[1]:
            warnings.append(Notice(
                f"{CONFIG_FILE}, key 'customer_base': without CRM outcomes joined to the "
                "survey there is no revenue figure to scale to the base, so it is unused",
                "base_unused", file=CONFIG_FILE))
    codebook = _codebook(check, config, known, where)
    if check.problems:
        raise DataError(check.problems)
    table, survey, ratings, info = loaded
    if info.get("nps_scale"):
        warnings.append(info["nps_scale"])
    if "answers" in info and not config.survey.overall.groups:
        config = replace(config, survey=replace(config.survey, overall=replace(
            config.survey.overall, groups=info["answers"])))
    sources = [_source(config.survey.file, "survey", survey, check.reading)]
    sources += [_source(spec, kind, frames.get(kind), check.reading)
                for kind, spec in files.items()]
    return Client(
        config=config,
        survey=survey,
        scales={tp: r.scale for tp, r in config.survey.touchpoints.items()},
        sources=pd.DataFrame(sources),
        warnings=warnings,
        value_labels=table.value_labels,
        overall_items=info.get("items"),
        segment_columns=info.get("segments"),
        **ratings,
        **{kind: frames.get(kind) for kind in OPTIONAL_FILES},
        codebook=codebook,
    )


def _floor(check: _Checker, config: ClientConfig, survey: pd.DataFrame,
           allow_small: bool) -> None:
    """Too few answers to the overall measure stop the run at the door."""
    if "overall" not in survey:
        return
    s = config.survey
    answers = int(survey["overall"].notna().sum())
    floor = 2 if allow_small else s.min_answers
    if answers < floor:
        fix = "" if allow_small else " (survey.min_answers in client.yml; or run with " \
            "--allow-small to report a small sample, flagged as such)"
        check.problems.append(Problem(
            s.file.name, None, s.overall.column,
            f"at least {floor} answers to the overall measure{fix}",
            f"{answers} answer{'s' if answers != 1 else ''}"))


def _base(check: _Checker, config: ClientConfig, survey: pd.DataFrame,
          outcomes: pd.DataFrame | None) -> None:
    """client.yml's customer_base against the survey: its segment's values are the
    survey's, and no group of the base is smaller than what was surveyed of it (customers
    answering, and the CRM revenue of those customers)."""
    base = config.customer_base
    revenue = None
    if outcomes is not None and "customer_id" in survey:
        by_id = outcomes.drop_duplicates("customer_id")
        at = _positions(survey["customer_id"], by_id["customer_id"])
        revenue = pd.Series(np.nan, index=survey.index)
        revenue[at >= 0] = by_id["revenue"].to_numpy(dtype=float)[at[at >= 0]]

    def at_least(key: str, rows: pd.Series, customers, annual) -> None:
        where = ("customer_base." + key).rstrip(".")
        surveyed = int(rows.sum())
        if customers is not None and customers < surveyed:
            check.problems.append(Problem(
                CONFIG_FILE, base.lines.get(f"{key}customers"), f"{where}.customers",
                f"at least the {surveyed:,} customers surveyed", f"{customers:,}"))
        crm = None if revenue is None else float(revenue[rows].sum())
        if annual is not None and crm is not None and annual < crm:
            check.problems.append(Problem(
                CONFIG_FILE, base.lines.get(f"{key}annual_revenue"), f"{where}.annual_revenue",
                f"at least the surveyed customers' revenue in the CRM ({crm:,.0f})",
                f"{annual:,.0f}"))

    at_least("", pd.Series(True, index=survey.index), base.customers, base.annual_revenue)
    if base.segment is None or base.segment not in survey:
        return
    values = survey[base.segment].astype("string")
    seen = list(values.dropna().unique())
    for group, (customers, annual) in base.groups.items():
        if group not in seen:
            guess = difflib.get_close_matches(group, seen, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            check.problems.append(Problem(
                CONFIG_FILE, base.lines.get(f"{base.segment}.{group}"),
                f"customer_base.{base.segment}.{group}",
                f"a value of {base.segment} in {config.survey.file.name} "
                f"({', '.join(map(str, seen[:8]))})", f"'{group}'{hint}"))
            continue
        at_least(f"{base.segment}.{group}.", (values == group).fillna(False),
                 customers, annual)
    missing = [v for v in seen if v not in base.groups]
    if missing:
        check.problems.append(Problem(
            CONFIG_FILE, base.lines.get(base.segment), f"customer_base.{base.segment}",
            f"every value of {base.segment} that the survey holds, so the groups cover the "
            "whole base", "no " + ", ".join(f"'{v}'" for v in missing)))


#: Ways survey and CRM ids are written differently, each with how to see past it.
_ID_HABITS = {
    "spaces": ("spaces", lambda v: " ".join(v.split())),
    "case": ("upper and lower case", str.casefold),
    "zeros": ("leading zeros", lambda v: v.lstrip("0") or "0"),
    "number_text": ("numbers against text ('123' and '123.0')",
                    lambda v: v[:-2] if v.endswith(".0") else v),
}
#: Joins where fewer than this share of surveyed customers match are worth a warning.
MATCH_WARNING = 0.5


def normalized_id(value: str) -> str:
    """A customer id with every habit in _ID_HABITS seen past (outcomes.match: normalized)."""
    for _, fix in _ID_HABITS.values():
        value = fix(value)
    return value


def _join(check: _Checker, config: ClientConfig, survey: pd.DataFrame,
          outcomes: pd.DataFrame) -> list[str]:
    """Check how many surveyed customers have CRM outcomes; name why when few do.

    With outcomes.match: normalized, survey ids are rewritten to the CRM's spelling of the
    same id (spaces, case, leading zeros and a trailing '.0' do not matter) so every later
    join is exact. No match at all is an error; fewer than half is a warning.
    """
    surveyed = survey["customer_id"].dropna().astype(str)
    crm = outcomes["customer_id"].astype(str)
    if config.outcomes.match == "normalized":
        spelling = dict(zip(crm.map(normalized_id), crm))
        survey["customer_id"] = survey["customer_id"].map(
            lambda v: spelling.get(normalized_id(str(v)), v), na_action="ignore")
        surveyed = survey["customer_id"].dropna().astype(str)
    found = among(surveyed, crm)
    matched = int(found.sum())
    outcomes.attrs["join"] = {"surveyed": len(surveyed), "matched": matched, "crm": len(crm)}
    if not len(surveyed) or matched >= MATCH_WARNING * len(surveyed):
        return []
    reason, habits = _why_unmatched(surveyed, crm)
    left = ", ".join(repr(v) for v in surveyed[~found].unique()[:3])
    right = ", ".join(repr(v) for v in crm[~among(crm, surveyed)].unique()[:3])
    spec, s = config.files["outcomes"], config.survey
    detail = (f"{matched} of {len(surveyed):,} surveyed customers have outcomes; {reason}; "
              f"unmatched in {s.file.name}: {left}; in {spec.name}: {right or 'none'}")
    if matched == 0:
        check.problems.append(Problem(s.file.name, None, s.customer_id,
                                      f"customer ids that match {spec.name}", detail))
        return []
    return [Notice(f"{s.file.name}, column '{s.customer_id}': {detail}", "join_few",
                   file=s.file.name, crm=spec.name, matched=matched, surveyed=len(surveyed),
                   habits=habits)]


def among(values: pd.Series, known: pd.Series) -> np.ndarray:
    """Whether each of `values` is one of `known` (text ids)."""
    return _positions(values, known) >= 0


def _positions(values: pd.Series, known) -> np.ndarray:
    """Where each of `values` (text ids) first is in `known`, -1 where it is not (or missing).

    By Arrow's hash lookup: pandas' isin, map and get_indexer on Arrow-backed text convert
    every value one by one, seconds at a million ids.
    """
    found = pc.index_in(_arrow_text(values), value_set=_arrow_text(known))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow_text(values) -> pa.Array:
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if pa.types.is_large_string(array.type) else array.cast(pa.large_string())


def _why_unmatched(surveyed: pd.Series, crm: pd.Series) -> tuple[str, list[str]]:
    """The likely reason survey and CRM ids do not match, and the key that sees past it;
    with the habits (keys of _ID_HABITS) that raise the match count, most helpful first."""
    base = int(among(surveyed, crm).sum())
    gains = {}
    for habit, (_, fix) in _ID_HABITS.items():
        gains[habit] = int(among(surveyed.map(fix), crm.map(fix)).sum()) - base
    helpful = [h for h, g in sorted(gains.items(), key=lambda kv: -kv[1]) if g > 0]
    if helpful:
        said = " and ".join(_ID_HABITS[h][0] for h in helpful)
        return (f"the ids differ by {said} (set outcomes.match: normalized to match them "
                "regardless)"), helpful
    return "the ids share no pattern (is customer_id the same id system in both files?)", []


