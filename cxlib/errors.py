"""Errors a consultant can act on: every problem with file, row, column, expected and got."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

#: How many problems of one file are listed before the rest are counted.
SHOWN_PER_FILE = 30


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place of a client's files."""

    file: str
    row: int | None
    column: str | None
    expected: str
    got: str

    def __str__(self) -> str:
        # YAML files (client.yml, settings.yml, a codebook) are read as lines and keys;
        # data files as rows and columns.
        yaml_file = self.file.endswith((".yml", ".yaml"))
        row, column = ("line", "key") if yaml_file else ("row", "column")
        where = []
        if self.row is not None:
            where.append(f"{row} {self.row}")
        if self.column is not None:
            where.append(f"{column} '{self.column}'")
        place = ", ".join(where)
        return f"{place + ': ' if place else ''}expected {self.expected}, got {self.got}"


class Notice(str):
    """Valid but odd input: the sentence `cx validate` prints (the string itself), and a
    `key` with `values` from which the report's appendix words it in the report's
    language (i18n `checks.<key>`). Values are numbers, file and column names, lists."""

    def __new__(cls, text: str, key: str = "", **values):
        notice = super().__new__(cls, text)
        notice.key, notice.values = key, values
        return notice


class CxError(Exception):
    """Raised for a user's mistake; the command line prints it without a traceback."""


class UsageError(CxError):
    """Raised when a command is given something it cannot use (exit status 2)."""


class DataError(CxError):
    """Raised when a client's files do not match client.yml; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = []
        ordered = sorted(self.problems, key=lambda p: (p.file, p.row or 0, p.column or ""))
        for file, group in groupby(ordered, key=lambda p: p.file):
            group = list(group)
            noun = "problem" if len(group) == 1 else "problems"
            lines.append(f"{len(group)} {noun} in {file}")
            lines.extend(f"  {p}" for p in group[:SHOWN_PER_FILE])
            if len(group) > SHOWN_PER_FILE:
                lines.append(f"  ... +{len(group) - SHOWN_PER_FILE} more in {file}")
        return "\n".join(lines)


class RunError(CxError):
    """Raised when a notebook or a report step fails for a client."""


class Stopped(BaseException):
    """Raised in a run by SIGTERM (and in workers by SIGINT): clean up, say one line, exit.

    A BaseException like KeyboardInterrupt, so that no `except Exception` swallows it.
    """

    def __init__(self, signal_name: str = "SIGTERM", message: str = ""):
        self.signal_name = signal_name
        super().__init__(message or f"stopped by {signal_name}")


def quoted(value: object, limit: int = 40) -> str:
    """Show a found value the way problems quote it: in quotes, cut if long."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text) if text else "an empty cell"
