"""The run's snapshot of a checked client: Parquet and JSON, equal to a fresh load, no pickle."""
import dataclasses
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxlib import paths
from cxlib.errors import CxError
from cxlib.inputs import snapshot
from cxlib.inputs.client import load_client
from cxlib.inputs.demo import make_client

AIRLINE = paths.ROOT.parent / "shared" / "data" / "airline_satisfaction" / "passengers.csv"


def _assert_same(fresh, back):
    for field in dataclasses.fields(fresh):
        before, after = getattr(fresh, field.name), getattr(back, field.name)
        if isinstance(before, pd.DataFrame):
            pd.testing.assert_frame_equal(after, before, obj=field.name)
        else:
            assert after == before, field.name


def test_snapshot_round_trip_equals_fresh_load_demo(tmp_path):
    fresh = load_client("demo")
    _assert_same(fresh, load_client(snapshot.save(fresh, tmp_path / "snap")))


def test_snapshot_round_trip_equals_fresh_load_chinese_client(tmp_path):
    fresh = load_client(make_client(tmp_path / "zh", n_respondents=300, language="zh"))
    _assert_same(fresh, load_client(snapshot.save(fresh, tmp_path / "snap")))


@pytest.mark.skipif(not AIRLINE.is_file(), reason="../shared is absent in this checkout")
def test_snapshot_round_trip_equals_fresh_load_real_airline_survey(tmp_path):
    folder = tmp_path / "airline"
    folder.mkdir()
    shutil.copy(paths.CLIENTS / "airline" / "client.yml", folder)
    shutil.copy(AIRLINE, folder / "passengers.csv")
    fresh = load_client(folder)
    _assert_same(fresh, load_client(snapshot.save(fresh, tmp_path / "snap")))


def test_snapshot_holds_only_parquet_and_json(tmp_path):
    folder = snapshot.save(load_client("demo"), tmp_path / "snap")
    assert {p.suffix for p in folder.iterdir()} == {".parquet", ".json"}


@pytest.mark.parametrize("name", ["os:system", "cxlib.inputs.client:load_client",
                                  "cxlib.inputs.config:ClientConfig.__init__"])
def test_snapshot_refuses_classes_it_does_not_know(tmp_path, name):
    folder = snapshot.save(load_client("demo"), tmp_path / "snap")
    index = json.loads((folder / snapshot.INDEX).read_text(encoding="utf-8"))
    index["fields"]["config"]["$class"] = name
    (folder / snapshot.INDEX).write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown class"):
        load_client(folder)


def test_pickle_in_a_client_folder_is_never_loaded(tmp_path):
    (tmp_path / "client.pickle").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(CxError, match="no client"):
        load_client(tmp_path / "client.pickle")
    with pytest.raises(CxError, match="no client"):
        load_client(tmp_path)


def test_cxlib_never_unpickles():
    risky = re.compile(r"\bimport pickle\b|pickle\.loads?\(|read_pickle\(|joblib\.load|"
                       r"\bdill\b|cloudpickle\.loads?\(")
    offenders = [str(p.relative_to(paths.ROOT)) for p in Path(paths.ROOT / "cxlib").rglob("*.py")
                 if risky.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
