"""The codebook of open-comment themes: theme -> words and phrases per language, and touchpoints.

A codebook is a YAML file, the client's own (client.yml `codebook: codebook.yml`) or
templates/codebook.yml. Analysts write it as they would Text iQ topics:

    themes:
      billing:                                    # theme id, as tables show it
        name: {en: Billing and charges, zh: 账单与收费}
        touchpoints: [first_bill, billing_query]  # optional: where the theme belongs
        en: [bill, billing, charge*, hidden fee*] # whole words; * ends a word stem
        zh: [账单, 收费, 扣费]                     # Chinese: matched anywhere in the text

Every keyword is matched against every comment, whatever its language: a Chinese comment
that says "App" matches the English keyword "app".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import paths
from ..errors import DataError, Problem, quoted
from .config import LANGUAGES, _key_lines

DEFAULT = paths.TEMPLATES / "codebook.yml"
_THEME_KEYS = ("name", "touchpoints") + LANGUAGES


@dataclass(frozen=True)
class Theme:
    """One theme: its names, the keywords that mark it per language, its touchpoints."""

    id: str
    names: dict[str, str]
    keywords: dict[str, tuple[str, ...]]
    touchpoints: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), self.id)


@dataclass(frozen=True)
class Codebook:
    """The themes of one codebook, in the order the file lists them."""

    file: str
    themes: tuple[Theme, ...] = field(default_factory=tuple)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


def _words(value, where: str, line, problems: list[Problem], file: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        problems.append(Problem(file, line, where, "a list of words or phrases", quoted(value)))
        return ()
    words = tuple(str(v).strip() for v in value if str(v).strip())
    for word in words:
        if word.strip("*") == "":
            problems.append(Problem(file, line, where, "a word before the *", quoted(word)))
    return tuple(w for w in words if w.strip("*"))


def load_codebook(path: str | Path = DEFAULT) -> Codebook:
    """Read and check a codebook file; raise DataError listing every problem.

    Parameters: path -- the YAML file.
    Returns: Codebook with its themes in file order.
    """
    path = Path(path)
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text)
    except OSError as exc:
        raise DataError([Problem(file, None, None, "a codebook file you may read",
                                 exc.strerror or str(exc))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError([Problem(file, mark.line + 1 if mark else None, None, "valid YAML",
                                 str(getattr(exc, "problem", None) or exc))]) from None
    lines, _ = _key_lines(text)
    if not isinstance(data, dict) or not isinstance(data.get("themes"), dict):
        raise DataError([Problem(file, None, "themes", "a mapping 'themes:' of theme ids",
                                 quoted(data))])
    problems: list[Problem] = []
    themes = []
    for theme_id, entry in data["themes"].items():
        key = ("themes", str(theme_id))
        where = ".".join(key)
        if not isinstance(entry, dict):
            problems.append(Problem(file, lines.get(key), where,
                                    "a mapping with name, touchpoints and keywords per language",
                                    quoted(entry)))
            continue
        for unknown in set(entry) - set(_THEME_KEYS):
            problems.append(Problem(file, lines.get(key + (str(unknown),)), f"{where}.{unknown}",
                                    f"one of the keys {', '.join(_THEME_KEYS)}",
                                    f"unknown key '{unknown}'"))
        names = entry.get("name") or {}
        if isinstance(names, str):
            names = {language: names for language in LANGUAGES}
        if not isinstance(names, dict):
            problems.append(Problem(file, lines.get(key + ("name",)), f"{where}.name",
                                    "a name, or one per language {en: ..., zh: ...}",
                                    quoted(names)))
            names = {}
        keywords = {language: _words(entry.get(language), f"{where}.{language}",
                                     lines.get(key + (language,)), problems, file)
                    for language in LANGUAGES}
        if not any(keywords.values()):
            problems.append(Problem(file, lines.get(key), where,
                                    f"keywords under {' or '.join(LANGUAGES)}", "none"))
        touchpoints = _words(entry.get("touchpoints"), f"{where}.touchpoints",
                             lines.get(key + ("touchpoints",)), problems, file)
        themes.append(Theme(str(theme_id), {str(k): str(v) for k, v in names.items()} or
                            {"en": str(theme_id)}, keywords, touchpoints))
    if problems:
        raise DataError(problems)
    return Codebook(file, tuple(themes))


def with_keyword(codebook: Codebook, theme_id: str, keyword: str, language: str) -> Codebook:
    """A copy of the codebook with one more keyword on a theme (a new theme if it is new)."""
    themes = list(codebook.themes)
    ids = [t.id for t in themes]
    if theme_id in ids:
        old = themes[ids.index(theme_id)]
        words = dict(old.keywords)
        words[language] = tuple(words.get(language, ())) + (keyword,)
        themes[ids.index(theme_id)] = Theme(old.id, old.names, words, old.touchpoints)
    else:
        themes.append(Theme(theme_id, {language: theme_id}, {language: (keyword,)}))
    return Codebook(codebook.file, tuple(themes))
