"""The bad-input corpus: every malformed client is refused with a message a person can act on.

Each folder of tests/bad_inputs/ is one case: client.yml, its files, and expected.txt with
"# problems: N" and the substrings the message must contain (make_cases.py writes them).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cxlib.runs.cli import main
from cxlib.inputs.client import load_client
from cxlib.errors import CxError, DataError

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.txt").is_file())


def expected(case: Path) -> tuple[int, list[str]]:
    """How many problems a case must report and the substrings its message must hold."""
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    count = int(lines[0].removeprefix("# problems:"))
    return count, [line for line in lines[1:] if line]


def refusal(case: Path) -> CxError:
    """The error load_client raises for a case."""
    with pytest.raises(CxError) as err:
        load_client(case)
    return err.value


def test_corpus_has_at_least_forty_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_load_client_bad_input_message_names_the_problem(case):
    count, substrings = expected(case)
    error = refusal(case)
    text = str(error)
    for substring in substrings:
        assert substring in text, f"{substring!r} not in:\n{text}"
    assert isinstance(error, DataError)
    assert len(error.problems) == count, text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_load_client_bad_input_one_line_per_problem(case):
    error = refusal(case)
    lines = [line for line in str(error).splitlines() if line.startswith("  ")]
    assert len(lines) == len(error.problems)
    for problem in error.problems:
        assert problem.file and problem.expected and problem.got
        assert f"expected {problem.expected}, got {problem.got}" in str(error)


def test_several_problems_several_files_reported_at_once():
    error = refusal(CORPUS / "several_problems_several_files")
    assert {p.file for p in error.problems} == {"survey.csv", "touchpoints.csv",
                                                "interviews.csv", "crm.csv"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_validate_bad_input_exit_1_without_traceback(case, capfd):
    assert main(["validate", str(case)]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert expected(case)[1][0] in err


def test_cli_run_bad_inputs_exit_1_and_write_nothing(tmp_path, capfd):
    output = tmp_path / "reports"
    assert main(["run", *map(str, CASES), "--output", str(output), "--workers", "1"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    for case in CASES:
        assert f"{case}: FAILED" in err
    assert not output.exists() or not any(output.rglob("*"))
