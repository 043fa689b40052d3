"""Provenance of a report, and the test `--resume` uses: what a report was made from.

Every report folder holds manifest.json: the sha256 of every input and output file, the
parameters and where they came from, the cxlib version and git commit, the hashes of the
notebooks, templates and cxlib's source, the versions of the main packages, and when the
run started and ended. A report is current for a new run when everything that decides its
content is the same and every output file it lists is present with its recorded hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from .. import __version__, paths
from ..inputs.config import CONFIG_FILE, ClientConfig
from .parameters import SETTINGS_FILE

MANIFEST = "manifest.json"
_FORMAT = "cx-workbook report manifest"
_VERSION = 1
#: The packages whose versions can change a report's numbers or look.
PACKAGES = ("pandas", "numpy", "scipy", "plotly", "papermill", "nbclient", "ipykernel",
            "jinja2", "openpyxl", "pyarrow", "pyyaml")
#: What a run with and without --no-deliverables writes (files, or folders of files).
DELIVERABLES = {False: ("notebooks", "report.html", "results.json"),
                True: ("figures", "notebooks", "report.html", "report.pdf", "results.json",
                       "tables.xlsx")}
#: The parts of a manifest that decide a report's content, and how a change is worded.
_DECIDING = {"inputs": "inputs", "parameters": "parameters", "deliverables": "deliverables",
             "code": "code", "environment": "package versions"}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(config: ClientConfig) -> dict[str, Path]:
    """Every file of the client's folder a run reads, by its path relative to the folder."""
    folder = config.folder
    found = [folder / CONFIG_FILE, folder / SETTINGS_FILE, config.survey.file.path]
    found += [spec.path for spec in config.files.values()]
    if config.codebook:
        found.append(config.codebook)
    if config.brand.get("logo"):
        found.append(folder / str(config.brand["logo"]))
    files = {}
    for path in found:
        path = Path(path)
        if path.is_file():
            try:
                name = path.resolve().relative_to(folder.resolve()).as_posix()
            except ValueError:
                name = str(path.resolve())
            files[name] = path
    return dict(sorted(files.items()))


def _tree(folder: Path, pattern: str) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p)
            for p in sorted(folder.rglob(pattern)) if p.is_file()
            and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}


def _combined(hashes: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


@cache
def _git() -> tuple[str | None, bool]:
    """The checkout's commit and whether cxlib, notebooks or templates differ from it."""
    try:
        commit = subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return None, False
        status = subprocess.run(["git", "-C", str(paths.ROOT), "status", "--porcelain", "--",
                                 "cxlib", "notebooks", "templates"],
                                capture_output=True, text=True, timeout=10)
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None, False


def source_hash() -> str:
    """sha256 of cxlib's Python files as they are on disk now (2 ms)."""
    return _combined(_tree(paths.ROOT / "cxlib", "*.py"))


def code_state() -> dict:
    """The code a report is made with: cxlib (version, commit, source hash), notebooks, templates."""
    commit, modified = _git()
    return {
        "cxlib": {"version": __version__, "commit": commit, "modified": modified,
                  "sha256": source_hash()},
        "notebooks": _tree(paths.NOTEBOOKS, "*.ipynb"),
        "templates": _tree(paths.TEMPLATES, "*"),
    }


def environment() -> dict:
    """Python's and the main packages' versions."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "packages": versions}


@dataclass
class Plan:
    """What decides a report's content, known before the run starts."""

    client: str
    folder: Path
    inputs: dict[str, str]              # relative path -> sha256
    parameters: dict                    # name -> {value, source}
    deliverables: list[str]
    code: dict
    environment: dict

    def deciding(self) -> dict:
        return {"inputs": self.inputs, "parameters": self.parameters,
                "deliverables": self.deliverables,
                "code": {**self.code, "cxlib": {k: v for k, v in self.code["cxlib"].items()
                                                if k in ("version", "sha256")}},
                "environment": self.environment}


def code_differences(run: Plan) -> list[str]:
    """How the code and packages here differ from those `run` was planned with ([] if not).

    A cluster worker checks this before making a report its caller planned, so that the
    manifest tells the truth about the code that made the report.
    """
    wanted = run.deciding()
    here = {"code": code_state(), "environment": environment()}
    here["code"]["cxlib"] = {k: v for k, v in here["code"]["cxlib"].items()
                             if k in wanted["code"]["cxlib"]}
    return [f"{_DECIDING[key]} differ{_which(wanted[key], here[key])}"
            for key in here if wanted[key] != here[key]]


def plan(config: ClientConfig, parameters: dict, deliverables: bool) -> Plan:
    """Hash everything a run of this client would be made from."""
    return Plan(client=config.id, folder=config.folder,
                inputs={name: sha256(path) for name, path in input_files(config).items()},
                parameters=parameters, deliverables=list(DELIVERABLES[bool(deliverables)]),
                code=code_state(), environment=environment())


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def outputs(folder: Path) -> dict[str, str]:
    """sha256 of every file of a report folder except the manifest itself."""
    return {name: digest for name, digest in _tree(folder, "*").items() if name != MANIFEST}


def write(folder: Path, run: Plan, started: dt.datetime, finished: dt.datetime) -> Path:
    """Write manifest.json into a finished report folder (it lists every other file there)."""
    data = {"format": _FORMAT, "version": _VERSION, "client": run.client,
            "client_folder": str(run.folder), "started": _stamp(started),
            "finished": _stamp(finished), **run.deciding(), "code": run.code,
            "outputs": outputs(folder)}
    path = folder / MANIFEST
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def read(folder: Path) -> dict | None:
    """A report folder's manifest, or None if it has none that this cxlib can read."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    return data


def damage(folder: Path, recorded: dict) -> dict[str, list[str]]:
    """Output files that differ from the manifest: changed, missing, and not listed."""
    found = outputs(Path(folder))
    listed = recorded.get("outputs", {})
    return {"changed": sorted(n for n in listed if n in found and found[n] != listed[n]),
            "missing": sorted(n for n in listed if n not in found),
            "extra": sorted(n for n in found if n not in listed)}


def differences(folder: Path, run: Plan) -> list[str]:
    """Why the report in `folder` is not the one `run` would make; [] when it is current."""
    recorded = read(folder)
    if recorded is None:
        return ["no manifest.json"]
    reasons = []
    wanted = run.deciding()
    for key, words in _DECIDING.items():
        before, now = recorded.get(key), wanted[key]
        if key == "code" and before is not None:
            before = {**before, "cxlib": {k: v for k, v in before.get("cxlib", {}).items()
                                          if k in ("version", "sha256")}}
        if before != now:
            reasons.append(f"{words} changed" + _which(before, now))
    broken = damage(folder, recorded)
    if broken["changed"] or broken["missing"]:
        reasons.append("the report on disk is not whole ("
                       + ", ".join(f"{k}: {', '.join(v[:3])}" for k, v in broken.items()
                                   if v and k != "extra") + ")")
    return reasons


def _which(before, now) -> str:
    """The names under a changed part, as ' (survey.csv, alpha)'."""
    if not isinstance(before, dict) or not isinstance(now, dict):
        return ""
    names = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    return f" ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})" if names else ""


def short(run: Plan, started: dt.datetime) -> dict:
    """The manifest's short form for results.json and the report's appendix."""
    cxlib = run.code["cxlib"]
    return {"cxlib": cxlib["version"], "commit": (cxlib["commit"] or "")[:12] or None,
            "modified": cxlib["modified"], "started": _stamp(started),
            "inputs": run.inputs, "manifest": MANIFEST}


def verify(folder: Path, client_folder: Path | None = None) -> tuple[int, list[str]]:
    """Whether a report is intact, what it was made from, and whether those inputs still match.

    Returns (status, lines): status 0 intact and made from the client's files as they are
    now, 1 not intact (or no manifest), 3 intact but the inputs have changed since.
    """
    folder = Path(folder)
    recorded = read(folder)
    if recorded is None:
        return 1, [f"{folder}: no {MANIFEST} that this cxlib can read; not a report folder "
                   "written by `cx run` (or one written before manifests)"]
    broken = damage(folder, recorded)
    intact = not broken["changed"] and not broken["missing"]
    lines = [f"{folder}: {'intact' if intact else 'NOT INTACT'} "
             f"({len(recorded.get('outputs', {}))} files recorded in {MANIFEST})"]
    words = {"changed": "changed since the run", "missing": "missing",
             "extra": "not part of the report (not in the manifest)"}
    lines += [f"  {words[kind]}: {name}" for kind in words for name in broken[kind]]
    cxlib = recorded.get("code", {}).get("cxlib", {})
    commit = (cxlib.get("commit") or "unknown")[:12] + (" with local changes"
                                                        if cxlib.get("modified") else "")
    lines.append(f"made {recorded.get('started')} to {recorded.get('finished')} by cxlib "
                 f"{cxlib.get('version')} (commit {commit})")
    lines.append("parameters: " + ", ".join(
        f"{name} {p['value']:g} ({p['source']})" for name, p in recorded["parameters"].items()))
    source = Path(client_folder or recorded.get("client_folder", ""))
    lines.append(f"inputs, from {source}:")
    now = _current_inputs(source)
    stale = False
    for name, digest in recorded.get("inputs", {}).items():
        path = Path(name) if Path(name).is_absolute() else source / name
        if not path.is_file():
            state, stale = "missing now", True
        elif sha256(path) != digest:
            state, stale = "CHANGED since the report", True
        else:
            state = "unchanged"
        lines.append(f"  {name:28s} sha256 {digest[:12]}  {state}")
    for name in sorted(set(now) - set(recorded.get("inputs", {}))):
        lines.append(f"  {name:28s} new since the report (not used by it)")
        stale = True
    if not source.is_dir():
        lines.append(f"  (the client's folder {source} is not here: give --client FOLDER)")
    return (1 if not intact else 3 if stale else 0), lines


def _current_inputs(folder: Path) -> dict[str, Path]:
    """The inputs the client's folder names now ({} if it cannot be read as a client)."""
    from ..errors import CxError
    from ..inputs.config import load_config

    try:
        return input_files(load_config(folder))
    except (CxError, OSError):
        return {}
