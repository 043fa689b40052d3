"""client.yml: what a client's files are and how their columns map onto the model."""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import DataError, Problem, quoted

CONFIG_FILE = "client.yml"
LANGUAGES = ("en", "zh")
FORMATS = ("csv", "excel", "qualtrics", "surveymonkey", "spss")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "utf-16", "cp1252", "mac_roman", "cp850",
             "gb18030")
#: Other spellings of the encodings, as editors and exporters name them.
ENCODING_ALIASES = {"utf8": "utf-8", "utf-8-bom": "utf-8-sig", "utf8-sig": "utf-8-sig",
                    "utf16": "utf-16", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                    "unicode": "utf-16", "windows-1252": "cp1252", "ansi": "cp1252",
                    "latin-1": "cp1252", "mac-roman": "mac_roman", "macroman": "mac_roman",
                    "macintosh": "mac_roman", "x-mac-roman": "mac_roman", "dos": "cp850",
                    "ibm850": "cp850", "oem": "cp850", "gbk": "gb18030",
                    "gb2312": "gb18030", "936": "gb18030"}
OPTIONAL_FILES = ("outcomes", "touchpoints", "interviews", "journeys", "assessment", "roadmap")

#: Model columns of each optional file, in the order templates show them.
MODEL_COLUMNS = {
    "outcomes": ("customer_id", "retained", "revenue", "share_of_wallet"),
    "touchpoints": ("id", "name", "stage", "channel", "owner", "description", "expectation"),
    "interviews": ("interview", "role", "touchpoint", "theme", "sentiment", "quote"),
    "journeys": ("customer", "journey", "timestamp", "channel", "touchpoint"),
    "assessment": ("respondent", "function", "wave", "item", "score"),
    "roadmap": ("initiative", "title", "category", "d", "owner", "impact", "effort",
                "horizon", "drop"),
}
#: Model columns a file may leave out.
OPTIONAL_COLUMNS = {
    "outcomes": ("share_of_wallet",),
    "touchpoints": ("channel", "owner", "description", "expectation"),
    "interviews": ("role", "theme"),
    "journeys": ("journey",),
    "assessment": (),
    "roadmap": ("title", "category", "d", "owner", "impact", "effort", "horizon", "drop"),
}

_TOP_KEYS = ("client", "language", "currency", "country", "industry", "brand", "redact",
             "survey", "codebook", "customer_base", "materiality") + OPTIONAL_FILES
_FILE_KEYS = ("file", "format", "encoding", "sheet", "missing", "labels", "columns")
_SURVEY_KEYS = _FILE_KEYS + ("respondent_id", "customer_id", "min_answers", "overall", "effort",
                             "segments",
                             "touchpoints", "comments")
_OUTCOME_KEYS = _FILE_KEYS + ("customer_id", "retained", "churned", "churn_date", "revenue",
                              "share_of_wallet", "transactions", "match")
_TRANSACTION_KEYS = ("date", "amount", "dates", "survey_date", "revenue_months",
                     "retained_months")
#: How dates in a file may be written: ISO (2024-03-01), or month or day first (3/1/24).
DATE_ORDERS = ("iso", "month-first", "day-first")
#: How survey customer ids are matched to the CRM's.
MATCHES = ("exact", "normalized")
#: Fewest answers to the overall measure a report is made from (survey.min_answers).
MIN_ANSWERS = 30
#: Headers that name a churn flag: a yes there means the customer left.
CHURN_WORDS = ("churn", "attrit", "exited", "cancel", "left", "lost", "defect")
_RATING_KEYS = ("perception", "expectation", "importance", "scale")
_OVERALL_KINDS = ("nps", "satisfaction", "binary", "index")
_OVERALL_KEYS = _OVERALL_KINDS + ("scale", "positive", "satisfied", "name", "groups")
#: How many groups each kind of overall measure has, lowest first.
GROUP_COUNTS = {"nps": 3, "satisfaction": 2, "binary": 2}
#: The satisfied share's rules (survey.overall.satisfied), as the top answers they count.
SATISFIED_RULES = {"top-box": 0, "top-two": 1, "top-three": 2}


@dataclass(frozen=True)
class FileSpec:
    """Where one input file is and how to read it."""

    name: str                      # as written in client.yml, used in messages
    path: Path
    format: str = "csv"
    encoding: str = "auto"
    detect: bool = True            # no format in client.yml: recognise survey-tool layouts
    sheet: str | None = None
    missing: tuple = ()
    labels: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)   # model column -> client's column


@dataclass(frozen=True)
class Rating:
    """The survey columns rating one touchpoint."""

    perception: str | None
    expectation: str | None
    importance: str | None
    scale: tuple[float, float]


@dataclass(frozen=True)
class Overall:
    """The survey's overall measure: NPS, a satisfaction rating or index, or a two-answer item."""

    kind: str                      # nps | satisfaction | binary (an index is a satisfaction)
    column: str                    # the item; for an index its items joined by ", "
    scale: tuple[float, float]
    positive: str | None = None    # binary: the answer that counts as the top group
    items: tuple[str, ...] = ()    # index: the items whose mean is the measure
    satisfied: float | None = None  # satisfaction: the lowest answer counted as satisfied
    name: str | None = None        # the measure's own name, as the report shows it
    groups: tuple[str, ...] = ()   # its own group names, lowest first (GROUP_COUNTS)


def satisfied_from(scale: tuple[float, float], rule=None) -> float:
    """The lowest answer counted as satisfied on a scale, by rule or by the scale's default.

    Default: top box on 3-point scales (3 of 1-3; the midpoint is not satisfied), top two
    boxes on 4- to 11-point scales (4-5 of 1-5, 6-7 of 1-7, 9-10 of 1-10 or 0-10), and the
    top fifth of longer or continuous ranges (80 and above on 0-100).
    Parameters: scale (low, high); rule: "top-box" | "top-two" | "top-three" | a number.
    """
    low, high = scale
    if isinstance(rule, (int, float)) and not isinstance(rule, bool):
        return float(rule)
    if rule in SATISFIED_RULES:
        return high - SATISFIED_RULES[rule]
    if high - low > 10:
        return low + 0.8 * (high - low)
    return high if high - low + 1 <= 3 else high - 1


@dataclass(frozen=True)
class Transactions:
    """A CRM log of purchases, from which each customer's revenue and retention are derived."""

    date: str                      # column holding the purchase date
    amount: tuple[str, ...]        # one column, or columns multiplied (quantity, unit price)
    dates: str                     # one of DATE_ORDERS
    survey_date: "dt.date"
    revenue_months: int            # revenue: spend in these months before survey_date
    retained_months: int           # retained: any purchase in these months after it


@dataclass(frozen=True)
class OutcomeRules:
    """How the outcomes file says retention and revenue, and how its ids match the survey's."""

    retention: str                 # flag | churned | status | churn_date | transactions
    retained_values: tuple[str, ...] = ()    # status: texts meaning retained
    churned_values: tuple[str, ...] = ()     # status: texts meaning churned
    match: str = "exact"           # one of MATCHES
    transactions: Transactions | None = None


@dataclass(frozen=True)
class Segment:
    """A way to group respondents: one column's values, or a multi-select question's options."""

    name: str                      # as the report names it
    column: str | None = None      # the column; None for a multi-select
    labels: dict = field(default_factory=dict)   # code -> group name (1 -> "Prepaid")
    order: tuple[str, ...] = ()    # the groups in their order (tenure bands)
    multi: str | None = None       # SurveyMonkey multi-select: the question text
    options: dict = field(default_factory=dict)  # multi-select: option -> its column


_SEGMENT_KEYS = ("column", "name", "labels", "order", "multi")


@dataclass(frozen=True)
class Effort:
    """The customer effort item: its column, its scale, and what its top means: `effort`
    (CES 1.0, "How much effort did you personally have to put forth?") or `ease` (CES 2.0,
    "The company made it easy for me to handle my issue", agreement)."""

    column: str
    scale: tuple[float, float]
    high: str = "effort"


#: What the top of the effort item's scale can mean (client.yml `effort: {high: ...}`).
EFFORT_HIGH = ("effort", "ease")


@dataclass(frozen=True)
class Survey:
    """The survey file and the meaning of its columns."""

    file: FileSpec
    respondent_id: str
    customer_id: str | None
    overall: Overall
    effort: Effort | None
    segments: tuple[str, ...]
    touchpoints: dict[str, Rating]
    comments: str | None
    min_answers: int = MIN_ANSWERS
    segment_rules: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class CustomerBase:
    """The client's whole customer base (client.yml `customer_base`), to scale money to.

    `customers` and `annual_revenue` are the whole base's (either may be None when not
    given; with `segment`, the sums of its groups). `segment` names one survey segment and
    `groups` maps each of its values to (customers, annual revenue or None). `lines` holds
    client.yml line numbers by key path, for the checks against the survey.
    """

    customers: int | None
    annual_revenue: float | None
    segment: str | None = None
    groups: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)


#: The materiality floor when client.yml gives none: 0.1% of the revenue the money
#: figures cover (the base's annual revenue, else the surveyed customers').
DEFAULT_MATERIALITY = ("share", 0.001)
#: The largest materiality floor as a share of revenue.
MAX_MATERIALITY_SHARE = 0.10


@dataclass(frozen=True)
class ClientConfig:
    """Everything client.yml says about one client."""

    id: str
    folder: Path
    name: str
    language: str
    currency: str
    brand: dict
    redact: tuple[str, ...]        # personal names to hide in quotes
    survey: Survey
    files: dict[str, FileSpec]      # optional inputs that are present, by kind
    outcomes: OutcomeRules | None = None
    codebook: Path | None = None    # the client's own themes for open comments, if any
    country: str | None = None     # ISO 3166 code: national phone formats to redact
    industry: str | None = None    # the portfolio benchmark's peer group
    customer_base: CustomerBase | None = None   # the whole base, to scale money to
    #: The smallest initiative revenue impact shown as money: ("share", of the revenue
    #: the figures cover) or ("amount", in the currency).
    materiality: tuple = DEFAULT_MATERIALITY


class _Reader:
    """Walks the parsed YAML, collecting problems instead of stopping at the first."""

    def __init__(self, folder: Path, lines: dict):
        self.folder = folder
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: tuple, expected: str, got: str) -> None:
        self.problems.append(Problem(CONFIG_FILE, self.lines.get(path), ".".join(path),
                                     expected, got))

    def mapping(self, value, path: tuple, allowed: tuple) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, "a mapping of keys", quoted(value))
            return {}
        for key in value:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                self.problem(path + (str(key),), f"one of the keys {', '.join(allowed)}",
                             f"unknown key '{key}'{hint}")
        return value

    def pairs(self, value, path: tuple, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"a mapping of {what}", quoted(value))
            return {}
        return value

    def text(self, value, path: tuple, required: bool = True) -> str | None:
        if value is None or value == "":
            if required:
                self.problem(path, "a value", "nothing")
            return None
        if isinstance(value, (dict, list)):
            self.problem(path, "a single name", quoted(value))
            return None
        return str(value)

    def choice(self, value, path: tuple, choices: tuple, default: str) -> str:
        if value is None:
            return default
        if str(value) not in choices:
            self.problem(path, f"one of {', '.join(choices)}", quoted(value))
            return default
        return str(value)

    def scale(self, value, path: tuple) -> tuple[float, float]:
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
                and value[0] < value[1]):
            return (float(value[0]), float(value[1]))
        self.problem(path, "a scale [low, high] such as [1, 5]", quoted(value))
        return (1.0, 5.0)

    def whole(self, value, path: tuple, default: int, low: int = 0, high: int = 10**6) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(path, f"a whole number {low}-{high}", quoted(value))
            return default
        return value

    def date(self, value, path: tuple) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(path, "a date written 2024-06-30", quoted(value) if value is not None
                         else "nothing")
            return None

    def path(self, value, path: tuple) -> Path | None:
        name = self.text(value, path)
        if name is None:
            return None
        try:
            resolved = (self.folder / name).resolve()
        except (OSError, RuntimeError):   # a symbolic link loop
            self.problem(path, "a file inside the client folder",
                         f"{quoted(name)}, a symbolic link loop")
            return None
        if not resolved.is_relative_to(self.folder.resolve()):
            self.problem(path, "a file inside the client folder", quoted(name))
            return None
        return resolved

    def file(self, value, path: tuple, allowed: tuple = _FILE_KEYS) -> tuple[FileSpec | None, dict]:
        """A file entry: a plain path or a mapping with `file` and reading options."""
        entry = {"file": value} if isinstance(value, str) else self.mapping(value, path, allowed)
        where = entry.get("file")
        resolved = self.path(where, path + ("file",) if not isinstance(value, str) else path)
        if resolved is None:
            return None, entry
        suffix = resolved.suffix.lower()
        default_format = "excel" if suffix in (".xlsx", ".xlsm") else \
            "spss" if suffix in (".sav", ".zsav") else "csv"
        missing = entry.get("missing", [])
        if not isinstance(missing, list):
            missing = [missing]
        if not all(isinstance(m, (str, int, float)) and not isinstance(m, bool) for m in missing):
            self.problem(path + ("missing",), "a list of codes such as [-99, \"N/A\"]",
                         quoted(entry.get("missing")))
            missing = [m for m in missing if isinstance(m, (str, int, float))]
        labels = self.pairs(entry.get("labels"), path + ("labels",), "answer text to a number")
        for label, number in labels.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                self.problem(path + ("labels", str(label)), "a number for this answer",
                             quoted(number))
        columns = self.pairs(entry.get("columns"), path + ("columns",),
                             "model column to file column")
        spec = FileSpec(
            name=str(where),
            path=resolved,
            format=self.choice(entry.get("format"), path + ("format",), FORMATS, default_format),
            detect=entry.get("format") is None,
            encoding=self.choice(_encoding_name(entry.get("encoding")), path + ("encoding",),
                                 ENCODINGS, "auto"),
            sheet=None if entry.get("sheet") is None else str(entry.get("sheet")),
            missing=tuple(missing),
            labels={str(k): v for k, v in labels.items()},
            columns={str(k): str(v) for k, v in columns.items()},
        )
        return spec, entry


def _encoding_name(value):
    """An encoding as client.yml spells it, in the form ENCODINGS uses."""
    if value is None or isinstance(value, (dict, list)):
        return value
    name = str(value).strip().lower().replace("_", "-")
    return ENCODING_ALIASES.get(name, name)


def _key_lines(text: str) -> tuple[dict, list]:
    """Map each key path of a YAML document to its line number; list keys given twice."""
    lines: dict = {}
    repeated: list = []

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                child = path + (str(key.value),)
                if child in seen:
                    repeated.append((child, key.start_mark.line + 1, lines[child]))
                else:
                    lines[child] = key.start_mark.line + 1
                seen.add(child)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (str(i),)] = item.start_mark.line + 1
                walk(item, path + (str(i),))

    try:
        walk(yaml.compose(text), ())
    except (yaml.YAMLError, RecursionError):
        pass
    return lines, repeated


#: client.yml larger than this is not a client's settings.
MAX_CONFIG_BYTES = 1 << 20


def _read_yaml(path: Path) -> tuple[dict, dict, list]:
    from .readers import special_file

    special = special_file(path)
    if special:
        raise DataError([Problem(CONFIG_FILE, None, None, "a regular file", special)])
    if not path.is_file():
        raise DataError([Problem(CONFIG_FILE, None, None, f"a file {path}", "no such file")])
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise DataError([Problem(CONFIG_FILE, None, None, "a client.yml of at most 1 MB",
                                     f"{path.stat().st_size:,} bytes")])
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
        _not_too_deep(text)
        _no_aliases(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise DataError([Problem(CONFIG_FILE, None, None, "a file you may read",
                                 exc.strerror or str(exc))]) from None
    except RecursionError:
        raise DataError([Problem(CONFIG_FILE, None, None, "valid YAML",
                                 "values nested too deeply to be settings")]) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError([Problem(CONFIG_FILE, line, None, "text in UTF-8 (save client.yml as "
                                 "UTF-8)", f"bytes {raw[exc.start:exc.start + 4]!r}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        got = str(getattr(exc, "problem", None) or exc)
        start = getattr(exc, "context_mark", None)
        if start is not None and getattr(exc, "context", None) and (
                mark is None or start.line != mark.line):
            got += f" ({exc.context} on line {start.line + 1})"
        raise DataError([Problem(CONFIG_FILE, mark.line + 1 if mark else None, None,
                                 "valid YAML", got)]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else quoted(data)
        raise DataError([Problem(CONFIG_FILE, None, None, "a mapping of keys such as 'survey:'",
                                 got)])
    return (data, *_key_lines(text))


#: Deepest nesting a client.yml may have (its own is four levels deep).
MAX_DEPTH = 40


def _not_too_deep(text: str) -> None:
    """Refuse deep nesting before any YAML parser sees it: a few thousand "[" make PyYAML
    recurse for minutes."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if deepest > MAX_DEPTH or indent > 2 * MAX_DEPTH:
        raise DataError([Problem(CONFIG_FILE, None, None, "valid YAML",
                                 f"values nested too deeply to be settings (more than "
                                 f"{MAX_DEPTH} levels)")])


def _no_aliases(text: str) -> None:
    """Refuse YAML anchors and aliases: client.yml never needs them, and nested aliases
    ("billion laughs") expand exponentially in whatever walks the result."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise DataError([Problem(CONFIG_FILE, event.start_mark.line + 1, None,
                                         "plain values (no YAML anchors & or aliases *)",
                                         f"'{'*' if isinstance(event, yaml.AliasEvent) else '&'}"
                                         f"{event.anchor}'")])
    except yaml.YAMLError:
        return   # reported with its line by safe_load


def _overall(r: _Reader, value) -> Overall:
    path = ("survey", "overall")
    entry = r.mapping(value, path, _OVERALL_KEYS)
    kinds = [k for k in _OVERALL_KINDS if k in entry]
    if len(kinds) != 1:
        r.problem(path, "exactly one of nps, satisfaction, index or binary", quoted(value))
        return Overall("nps", "", (0.0, 10.0))
    kind = kinds[0]
    name = r.text(entry.get("name"), path + ("name",), required=False)
    groups = _groups(r, entry.get("groups"), GROUP_COUNTS["satisfaction" if kind == "index"
                                                           else kind])
    if kind == "nps":
        if "scale" in entry:
            r.problem(path + ("scale",), "no scale under nps: NPS is defined on a 0-10 "
                      "likelihood-to-recommend question (for another scale write "
                      f"satisfaction: {entry[kind]} with its scale)", quoted(entry["scale"]))
        for key in ("satisfied", "positive"):
            if key in entry:
                r.problem(path + (key,), f"no {key} under nps (promoters are 9-10)",
                          quoted(entry[key]))
        column = r.text(entry[kind], path + (kind,)) or ""
        return Overall(kind, column, (0.0, 10.0), name=name, groups=groups)
    if kind == "binary":
        column = r.text(entry[kind], path + (kind,)) or ""
        positive = r.text(entry.get("positive"), path + ("positive",))
        return Overall(kind, column, (0.0, 1.0), positive, name=name, groups=groups)
    scale = r.scale(entry.get("scale"), path + ("scale",))
    rule = entry.get("satisfied")
    if rule is not None and not (rule in SATISFIED_RULES or (
            isinstance(rule, (int, float)) and not isinstance(rule, bool)
            and scale[0] < rule <= scale[1])):
        r.problem(path + ("satisfied",), "top-box, top-two, top-three or the lowest answer "
                  f"counted as satisfied ({scale[0]:g} < answer <= {scale[1]:g})", quoted(rule))
        rule = None
    items: tuple[str, ...] = ()
    if kind == "index":
        listed = entry[kind]
        if not isinstance(listed, list) or len(listed) < 2 or \
                not all(isinstance(i, str) and i.strip() for i in listed):
            r.problem(path + (kind,), "a list of two or more item columns", quoted(listed))
            listed = []
        items = tuple(listed)
        column = ", ".join(items)
    else:
        column = r.text(entry[kind], path + (kind,)) or ""
    return Overall("satisfaction", column, scale, items=items,
                   satisfied=satisfied_from(scale, rule), name=name, groups=groups)


def _segment(r: _Reader, value, path: tuple) -> Segment | None:
    """One entry of survey.segments: a column name, or a mapping with labels, order or multi."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Segment(str(value), str(value))
    entry = r.mapping(value, path, _SEGMENT_KEYS)
    if not entry:
        return None
    if ("multi" in entry) == ("column" in entry):
        r.problem(path, "a column, or multi: a multi-select question", quoted(value))
        return None
    name = r.text(entry.get("name"), path + ("name",), required=False)
    labels = r.pairs(entry.get("labels"), path + ("labels",), "code to group name")
    order = entry.get("order") or []
    if not isinstance(order, list):
        r.problem(path + ("order",), "a list of the groups in their order", quoted(order))
        order = []
    if "multi" in entry:
        multi = entry["multi"]
        if isinstance(multi, dict):
            options = {str(k): str(v) for k, v in multi.items()}
            return Segment(name or "", multi=None, options=options) if name else \
                r.problem(path + ("name",), "a name for the multi-select segment", "nothing")
        question = r.text(multi, path + ("multi",)) or ""
        return Segment(name or question, multi=question)
    column = r.text(entry.get("column"), path + ("column",)) or ""
    return Segment(name or column, column, {_code(k): str(v) for k, v in labels.items()},
                   tuple(str(o) for o in order))


def _code(value) -> str:
    """A code as the file's cells show it: 1 and 1.0 alike are "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _groups(r: _Reader, value, count: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) != count or \
            not all(isinstance(v, str) and v.strip() for v in value):
        r.problem(("survey", "overall", "groups"), f"{count} group names, lowest first, such "
                  "as " + ('[detractors, passives, promoters]' if count == 3
                          else '[not fans, fans]'), quoted(value))
        return ()
    return tuple(v.strip() for v in value)


def _survey(r: _Reader, value) -> Survey | None:
    if value is None:
        r.problem(("survey",), "a survey section (the survey is required)", "nothing")
        return None
    spec, entry = r.file(value, ("survey",), _SURVEY_KEYS)
    if isinstance(value, str):
        r.problem(("survey",), "a mapping with file, respondent_id and overall", quoted(value))
        return None
    ratings = {}
    tps = r.pairs(entry.get("touchpoints"), ("survey", "touchpoints"),
                  "touchpoint id to its rating columns")
    for tp, rating in tps.items():
        path = ("survey", "touchpoints", str(tp))
        rating = r.mapping(rating, path, _RATING_KEYS)
        if not any(rating.get(k) for k in ("perception", "expectation", "importance")):
            r.problem(path, "at least a perception column", quoted(rating))
        ratings[str(tp)] = Rating(
            *(r.text(rating.get(k), path + (k,), required=False)
              for k in ("perception", "expectation", "importance")),
            scale=r.scale(rating.get("scale", [1, 5]), path + ("scale",)))
    effort = None
    if entry.get("effort") is not None:
        e = r.mapping(entry["effort"], ("survey", "effort"), ("column", "scale", "high"))
        effort = Effort(r.text(e.get("column"), ("survey", "effort", "column")) or "",
                        r.scale(e.get("scale"), ("survey", "effort", "scale")),
                        r.choice(e.get("high"), ("survey", "effort", "high"), EFFORT_HIGH,
                                 "effort"))
    segments = entry.get("segments") or []
    if not isinstance(segments, list):
        r.problem(("survey", "segments"), "a list of column names", quoted(segments))
        segments = []
    rules = tuple(rule for i, item in enumerate(segments)
                  for rule in [_segment(r, item, ("survey", "segments", str(i)))] if rule)
    survey = Survey(
        file=spec,
        respondent_id=r.text(entry.get("respondent_id"), ("survey", "respondent_id")) or "",
        customer_id=r.text(entry.get("customer_id"), ("survey", "customer_id"), required=False),
        overall=_overall(r, entry.get("overall")),
        effort=effort,
        segments=tuple(rule.name for rule in rules),
        segment_rules=rules,
        touchpoints=ratings,
        comments=r.text(entry.get("comments"), ("survey", "comments"), required=False),
        min_answers=r.whole(entry.get("min_answers"), ("survey", "min_answers"), MIN_ANSWERS,
                            low=2),
    )
    return survey if spec is not None else None


def _outcomes(r: _Reader, entry: dict, columns: dict) -> tuple[dict, OutcomeRules]:
    """The outcomes file's model columns and its rules for retention, revenue and matching.

    Retention is one of: `retained` (a flag column, or {column, retained: [...], churned:
    [...]} for status texts), `churned` (a flag where yes means the customer left),
    `churn_date` (a date means the customer left) or `transactions` (derived from a log).
    """
    path = ("outcomes",)
    for model in ("customer_id", "revenue", "share_of_wallet"):
        if entry.get(model) is not None:
            columns[model] = r.text(entry[model], path + (model,)) or ""
    given = [k for k in ("retained", "churned", "churn_date", "transactions") if k in entry]
    match = r.choice(entry.get("match"), path + ("match",), MATCHES, "exact")
    if len(given) > 1 and not (given == ["retained", "transactions"] or
                               given == ["transactions"]):
        r.problem(path, "one way to tell retention: retained, churned, churn_date or "
                  "transactions", ", ".join(given))
    if "transactions" in entry:
        return columns, OutcomeRules("transactions", match=match,
                                     transactions=_transactions(r, entry["transactions"]))
    if "churned" in entry:
        columns["retained"] = r.text(entry["churned"], path + ("churned",)) or ""
        return columns, OutcomeRules("churned", match=match)
    if "churn_date" in entry:
        columns["retained"] = r.text(entry["churn_date"], path + ("churn_date",)) or ""
        return columns, OutcomeRules("churn_date", match=match)
    value = entry.get("retained")
    if isinstance(value, dict):
        m = r.mapping(value, path + ("retained",), ("column", "retained", "churned"))
        columns["retained"] = r.text(m.get("column"), path + ("retained", "column")) or ""
        lists = {}
        for key in ("retained", "churned"):
            items = m.get(key)
            items = [items] if isinstance(items, (str, int)) else items
            if not isinstance(items, list) or not items:
                r.problem(path + ("retained", key), f"the answers meaning {key}, such as "
                          f"[{'Active' if key == 'retained' else 'Churned'}]", quoted(items))
                items = []
            lists[key] = tuple(str(i).strip() for i in items)
        return columns, OutcomeRules("status", lists["retained"], lists["churned"], match)
    if value is not None:
        name = r.text(value, path + ("retained",)) or ""
        columns["retained"] = name
        if any(word in name.casefold() for word in CHURN_WORDS):
            r.problem(path + ("retained",), f"a column where yes means the customer stayed; "
                      f"for a churn flag write churned: {name}",
                      f"'{name}', which reads as a churn flag")
    return columns, OutcomeRules("flag", match=match)


def _transactions(r: _Reader, value) -> Transactions | None:
    path = ("outcomes", "transactions")
    m = r.mapping(value, path, _TRANSACTION_KEYS)
    if not isinstance(value, dict):
        return None
    amount = m.get("amount")
    amount = [amount] if isinstance(amount, str) else amount
    if not isinstance(amount, list) or not amount or not all(isinstance(a, str) for a in amount):
        r.problem(path + ("amount",), "the amount column, or [quantity, unit price] columns",
                  quoted(m.get("amount")))
        amount = []
    survey_date = r.date(m.get("survey_date"), path + ("survey_date",))
    found = Transactions(
        date=r.text(m.get("date"), path + ("date",)) or "",
        amount=tuple(amount),
        dates=r.choice(m.get("dates"), path + ("dates",), DATE_ORDERS, "iso"),
        survey_date=survey_date,
        revenue_months=r.whole(m.get("revenue_months"), path + ("revenue_months",), 12, 1, 120),
        retained_months=r.whole(m.get("retained_months"), path + ("retained_months",), 12, 1,
                                120))
    return found if survey_date is not None else None


def _names(r: _Reader, value) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        r.problem(("redact",), "a list of personal names", quoted(value))
        return ()
    return tuple(v for v in value if v.strip())


#: Codes people write for a country that ISO 3166 spells otherwise.
_COUNTRY_MISTAKES = {"UK": "GB", "EN": "GB", "EL": "GR"}


def _country(r: _Reader, value) -> str | None:
    """An ISO 3166 alpha-2 code that libphonenumber knows (GB, US, CN, DE, ...)."""
    import phonenumbers

    if value is None:
        return None
    code = str(value).strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        guess = [_COUNTRY_MISTAKES[code]] if code in _COUNTRY_MISTAKES else \
            difflib.get_close_matches(code, sorted(phonenumbers.SUPPORTED_REGIONS), n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        r.problem(("country",), "a two-letter ISO 3166 country code such as GB, US or CN",
                  quoted(value) + hint)
        return None
    return code


_BASE_FIGURES = ("customers", "annual_revenue")


def _base_figure(r: _Reader, value, path: tuple, whole: bool) -> float | None:
    """A count of customers (whole) or an annual revenue: positive and finite."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0 < value < 1e15) or (whole and value != int(value)):
        expected = ("a whole number of customers above 0" if whole else
                    "an annual revenue above 0 in the client's currency, less than 10^15")
        r.problem(path, expected, quoted(value))
        return None
    return int(value) if whole else float(value)


def _customer_base(r: _Reader, value, survey: Survey | None) -> CustomerBase | None:
    """client.yml `customer_base`: the whole base's customers and annual revenue, and
    optionally the same per value of one survey segment (post-stratified scaling)."""
    if value is None:
        return None
    path = ("customer_base",)
    if not isinstance(value, dict) or not value:
        r.problem(path, "a mapping with customers and/or annual_revenue, and optionally one "
                  "segment with the same per value", quoted(value))
        return None
    segments = {rule.name: rule for rule in (survey.segment_rules if survey else ())}
    named = [k for k in value if k not in _BASE_FIGURES]
    for key in named:
        if str(key) not in segments:
            allowed = _BASE_FIGURES + tuple(segments)
            guess = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            r.problem(path + (str(key),), "customers, annual_revenue or one of the survey's "
                      f"segments ({', '.join(segments) or 'none'})",
                      f"unknown key '{key}'{hint}")
        elif segments[str(key)].column is None:
            r.problem(path + (str(key),), "a segment with one answer per customer (not a "
                      "multi-select)", f"'{key}'")
    known = [str(k) for k in named if str(k) in segments and segments[str(k)].column]
    if len(known) > 1:
        r.problem(path, "one segment at most", ", ".join(known))
    lines = {".".join(k[1:]): line for k, line in r.lines.items()
             if k[:1] == path and len(k) > 1}
    customers = _base_figure(r, value.get("customers"), path + ("customers",), True)
    revenue = _base_figure(r, value.get("annual_revenue"), path + ("annual_revenue",), False)
    segment, groups = (known[0] if known else None), {}
    if segment is not None:
        entries = r.pairs(value[segment], path + (segment,),
                          f"each value of {segment} to its customers and annual_revenue")
        for group, entry in entries.items():
            where = path + (segment, str(group))
            entry = r.mapping(entry, where, _BASE_FIGURES)
            if "customers" not in entry:
                r.problem(where + ("customers",), "the customers of this group", "nothing")
            groups[str(group)] = (
                _base_figure(r, entry.get("customers"), where + ("customers",), True),
                _base_figure(r, entry.get("annual_revenue"), where + ("annual_revenue",),
                             False))
        given = [g for g, (_, rev) in groups.items() if rev is not None]
        if given and len(given) < len(groups):
            lacking = [g for g in groups if g not in given]
            r.problem(path + (segment,), "annual_revenue for every group or for none",
                      "none for " + ", ".join(lacking))
        if not groups:
            r.problem(path + (segment,), f"at least one value of {segment}", "nothing")
        total = sum(c or 0 for c, _ in groups.values())
        if customers is not None and groups and customers != total:
            r.problem(path + ("customers",), f"the sum of the {segment} groups' customers "
                      f"({total:,}), or no total", f"{customers:,}")
        summed = sum(rev or 0.0 for _, rev in groups.values())
        if revenue is not None and given and abs(revenue - summed) > 0.5:
            r.problem(path + ("annual_revenue",), f"the sum of the {segment} groups' annual "
                      f"revenue ({summed:,.0f}), or no total", f"{revenue:,.0f}")
        customers = total if all(c is not None for c, _ in groups.values()) else customers
        if given and len(given) == len(groups):
            revenue = summed
    elif customers is None and revenue is None and not named:
        r.problem(path, "customers and/or annual_revenue", "neither")
    return CustomerBase(customers, revenue, segment, groups, lines)


def _materiality(r: _Reader, value) -> tuple:
    """client.yml `materiality`: a share of revenue written with % ("0.5%"), or an amount."""
    if value is None:
        return DEFAULT_MATERIALITY
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            share = -1.0
        if 0 <= share <= MAX_MATERIALITY_SHARE:
            return ("share", share)
    elif not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value < 1e15:
        return ("amount", float(value))
    r.problem(("materiality",), "a share of annual revenue such as 0.5% (at most "
              f"{MAX_MATERIALITY_SHARE:.0%}), or an amount in the client's currency such as "
              "50000", quoted(value))
    return DEFAULT_MATERIALITY


def load_config(folder: str | Path) -> ClientConfig:
    """Read and check a client folder's client.yml; raise DataError listing every problem."""
    folder = Path(folder)
    data, lines, repeated = _read_yaml(folder / CONFIG_FILE)
    r = _Reader(folder, lines)
    for key, line, first in repeated:
        r.problems.append(Problem(CONFIG_FILE, line, ".".join(key), "each key once",
                                  f"'{key[-1]}' again (first on line {first})"))
    r.mapping(data, (), _TOP_KEYS)
    brand = r.mapping(data.get("brand"), ("brand",), ("logo", "accent"))
    if brand.get("logo") is not None:
        logo = r.path(brand["logo"], ("brand", "logo"))
        if logo is not None:
            from ..outputs.theme import logo_problem

            trouble = logo_problem(logo)
            if trouble:
                r.problem(("brand", "logo"), "a PNG, JPEG or SVG image (checked by its content)",
                          trouble)
    if brand.get("accent") is not None and not re.fullmatch(
            r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", str(brand["accent"]).strip()):
        r.problem(("brand", "accent"), "a hex colour such as '#0b6e4f'", quoted(brand["accent"]))
    survey = _survey(r, data.get("survey"))
    files, rules = {}, None
    for kind in OPTIONAL_FILES:
        if data.get(kind) is None:
            continue
        allowed = _OUTCOME_KEYS if kind == "outcomes" else _FILE_KEYS
        spec, entry = r.file(data[kind], (kind,), allowed)
        if kind == "outcomes" and isinstance(entry, dict):
            columns, rules = _outcomes(r, entry, dict(spec.columns) if spec else {})
            if spec is not None:
                spec = FileSpec(**{**spec.__dict__, "columns": columns})
        if spec is not None:
            files[kind] = spec
    config = ClientConfig(
        id=folder.resolve().name,
        folder=folder.resolve(),
        name=r.text(data.get("client"), ("client",)) or folder.resolve().name,
        language=r.choice(data.get("language"), ("language",), LANGUAGES, "en"),
        currency=str(data.get("currency") or "USD"),
        brand={k: str(v) for k, v in brand.items()},
        redact=_names(r, data.get("redact")),
        survey=survey,
        files=files,
        outcomes=rules if "outcomes" in files else None,
        codebook=r.path(data["codebook"], ("codebook",)) if data.get("codebook") else None,
        country=_country(r, data.get("country")),
        industry=r.text(data.get("industry"), ("industry",), required=False),
        customer_base=_customer_base(r, data.get("customer_base"), survey),
        materiality=_materiality(r, data.get("materiality")),
    )
    if r.problems:
        raise DataError(r.problems)
    return config
