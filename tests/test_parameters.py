"""Run parameters: one declaration, agreeing notebooks, checked values and their sources."""
import math

import papermill as pm
import pytest
import yaml

from cxlib import paths
from cxlib.errors import DataError, UsageError
from cxlib.runs import parameters
from cxlib.runs.parameters import PARAMETERS, RUN_INPUTS, Setting, check, resolve, write_settings
from cxlib.runs.run import NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_parameters_cell_agrees_with_the_declaration(notebook):
    declared = pm.inspect_notebook(str(paths.NOTEBOOKS / notebook))
    for name, cell in declared.items():
        if name in RUN_INPUTS:
            continue
        assert name in PARAMETERS, f"{notebook} declares '{name}', which parameters.py does not"
        spec = PARAMETERS[name]
        assert cell["inferred_type_name"] == spec.type.__name__, (notebook, name)
        assert spec.type(cell["default"]) == spec.default, (notebook, name)
        assert cell["help"] == spec.help, (notebook, name)


def test_every_declared_parameter_is_used_by_some_notebook():
    used = {name for nb in NOTEBOOKS for name in pm.inspect_notebook(str(paths.NOTEBOOKS / nb))}
    assert set(PARAMETERS) <= used


def test_defaults_are_allowed_values():
    for spec in PARAMETERS.values():
        assert spec.allows(spec.default), spec.name


def test_check_converts_command_line_text_to_numbers():
    assert check({"threshold": "0.3", "alpha": "0.01"}) == {"threshold": 0.3, "alpha": 0.01}


def test_check_unknown_name_suggests_the_close_one():
    with pytest.raises(UsageError, match=r"unknown parameter 'thresh'; did you mean 'threshold'"):
        check({"thresh": 0.3})


@pytest.mark.parametrize("name, value", [
    ("threshold", -5), ("what_if_share", 1.5), ("what_if_share", -0.1), ("alpha", 0),
    ("alpha", 0.6), ("alpha", "nan"), ("threshold", "abc"), ("threshold", True),
])
def test_check_out_of_range_value_is_a_usage_error(name, value):
    with pytest.raises(UsageError, match=f"parameter '{name}': expected a number"):
        check({name: value})


def test_check_names_every_problem_at_once():
    with pytest.raises(UsageError) as err:
        check({"threshold": -1, "alfa": 0.1, "what_if_share": 2})
    assert str(err.value).count("\n") == 2
    assert "did you mean 'alpha'" in str(err.value)


def test_check_accepts_the_ends_of_closed_ranges():
    assert check({"what_if_share": 1, "alpha": 0.5, "threshold": 0}) == {
        "what_if_share": 1.0, "alpha": 0.5, "threshold": 0.0}
    assert math.isinf(PARAMETERS["threshold"].high)


def test_resolve_without_settings_gives_defaults(tmp_path):
    got = resolve(tmp_path)
    assert got == {n: Setting(p.default, "default") for n, p in PARAMETERS.items()}


def test_resolve_command_line_wins_over_settings_file(tmp_path):
    (tmp_path / "settings.yml").write_text("threshold: 0.8\nalpha: 0.1\n", encoding="utf-8")
    got = resolve(tmp_path, {"threshold": "0.3"})
    assert got["threshold"] == Setting(0.3, "command line")
    assert got["alpha"] == Setting(0.1, "settings.yml")
    assert got["what_if_share"] == Setting(0.2, "default")


@pytest.mark.parametrize("content, where", [
    ("thresold: 0.3\n", "line 1, key 'thresold'"),
    ("alpha: 0.05\nthreshold: -1\n", "line 2, key 'threshold'"),
    ("threshold: [1, 2]\n", "line 1, key 'threshold'"),
    ("threshold: 0.3\nthreshold: 0.4\n", "line 2, key 'threshold'"),
    ("threshold: 0.3\n  alpha: [\n", "line 2"),
])
def test_resolve_bad_settings_file_names_line_and_key(tmp_path, content, where):
    (tmp_path / "settings.yml").write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        resolve(tmp_path)
    assert "in settings.yml" in str(err.value) and where in str(err.value)


def test_resolve_settings_file_with_aliases_is_read_flat(tmp_path):
    (tmp_path / "settings.yml").write_text("threshold: &t 0.4\nwhat_if_share: *t\n",
                                           encoding="utf-8")
    got = resolve(tmp_path)
    assert got["what_if_share"] == Setting(0.4, "settings.yml")


def test_write_settings_round_trips_and_keeps_other_values(tmp_path):
    write_settings(tmp_path, {"alpha": 0.01})
    path = write_settings(tmp_path, {"threshold": 0.25})
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {"threshold": 0.25, "alpha": 0.01}
    assert resolve(tmp_path)["alpha"] == Setting(0.01, "settings.yml")
    assert [p.name for p in tmp_path.iterdir()] == ["settings.yml"]


def test_write_settings_bad_value_writes_nothing(tmp_path):
    with pytest.raises(UsageError):
        write_settings(tmp_path, {"what_if_share": 3})
    assert list(tmp_path.iterdir()) == []


def test_records_are_plain_data():
    got = parameters.records({"alpha": Setting(0.05, "default")})
    assert got == {"alpha": {"value": 0.05, "source": "default"}}
