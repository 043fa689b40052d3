"""Project rules that keep the workbook honest: thin notebooks, one export list, one env."""
import ast
import re
import tomllib

import nbformat
import pytest
import yaml

import cxlib
from cxlib import paths
from cxlib.runs.run import NOTEBOOKS

NOTEBOOK_FILES = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
#: Every notebook we ship: the practice notebooks and the workshop explorer.
ALL_NOTEBOOKS = sorted(p for p in paths.NOTEBOOKS.rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)


def _code_cells(path):
    book = nbformat.read(path, as_version=4)
    return [c for c in book.cells if c.cell_type == "code"], book


def test_all_is_sorted_and_complete():
    assert cxlib.__all__ == sorted(cxlib.__all__)
    assert all(hasattr(cxlib, name) for name in cxlib.__all__)


def test_run_lists_every_notebook_in_the_folder():
    assert [p.name for p in NOTEBOOK_FILES] == list(NOTEBOOKS)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    cells, _ = _code_cells(path)
    assert all(not c["outputs"] and c["execution_count"] is None for c in cells)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    cells, book = _code_cells(path)
    assert book["cells"][0]["cell_type"] == "markdown"
    assert book["cells"][0]["source"].startswith("# ") and "?" in book["cells"][0]["source"]
    assert cells[0]["metadata"].get("tags") == ["parameters"]
    assert book["metadata"]["kernelspec"]["name"] == "cx-workbook"
    for cell in cells[1:]:
        tree = ast.parse(cell["source"])
        banned = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda,
                  ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)
        assert not any(isinstance(node, banned) for node in ast.walk(tree)), cell["source"]
        assert len(cell["source"].splitlines()) == 1, cell["source"]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_parameters_are_typed_and_commented(path):
    cells, _ = _code_cells(path)
    for line in cells[0]["source"].splitlines():
        assert re.match(r"^\w+: (str|int|float|bool) = .+  # \S", line), line


def _requirement_names(specs):
    return {re.split(r"[<>=!~ ]", s, maxsplit=1)[0].lower(): s.replace(" ", "") for s in specs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirement_names(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda = _requirement_names(d for d in env["dependencies"] if not d.startswith("python="))
    assert conda == wanted


def test_reports_folder_is_ignored_by_git():
    ignored = (paths.ROOT / ".gitignore").read_text().splitlines()
    assert "/reports/" in ignored
