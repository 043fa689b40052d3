"""A checked client saved as data (JSON and Parquet), so a run reads a big survey once.

`cx run` validates a client once and saves it here for its notebooks. The format runs no
code when read: frames are Parquet files, everything else is JSON whose only objects are
the dataclasses defined in `cxlib.inputs` (client.yml's model, the codebook; rebuilt from
their fields) and paths. Pickle, which runs code when loaded, is never used.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: The file that marks a folder as a snapshot and holds everything but the frames.
INDEX = "snapshot.json"
_FORMAT = "cx-workbook client snapshot"
_VERSION = 1
#: The only classes a snapshot may rebuild: dataclasses defined in these modules' package.
_PACKAGE = "cxlib.inputs."


def _class_name(value) -> str | None:
    cls = type(value)
    if dataclasses.is_dataclass(cls) and cls.__module__.startswith(_PACKAGE):
        return f"{cls.__module__}:{cls.__qualname__}"
    return None


def _class(name: str):
    module, _, qualname = str(name).partition(":")
    if module.startswith(_PACKAGE) and qualname.isidentifier():
        cls = getattr(importlib.import_module(module), qualname, None)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            return cls
    raise ValueError(f"not a client snapshot: unknown class {name!r}")


def _encode(value):
    """Plain JSON for a config value; tuples, dicts with any keys and paths are tagged."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if _class_name(value):
        return {"$class": _class_name(value),
                "fields": {f.name: _encode(getattr(value, f.name))
                           for f in dataclasses.fields(value)}}
    raise TypeError(f"a client snapshot cannot hold a {type(value).__name__}")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$path" in value:
        return Path(value["$path"])
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {_hashable(_decode(k)): _decode(v) for k, v in value["$dict"]}
    if "$class" in value:
        return _class(value["$class"])(**{k: _decode(v) for k, v in value["fields"].items()})
    raise ValueError("not a client snapshot: an untagged mapping")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def save(client, folder: str | Path) -> Path:
    """Write a loaded Client into `folder` (created) as Parquet frames and one JSON index."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fields = {}
    for field in dataclasses.fields(client):
        value = getattr(client, field.name)
        if isinstance(value, pd.DataFrame):
            _write_frame(value, folder / f"{field.name}.parquet")
            # Parquet reads text back as pandas' str dtype; object columns are recorded so
            # the notebooks get the very frames a fresh load gives.
            objects = [str(c) for c, dtype in value.dtypes.items() if dtype == object]
            fields[field.name] = {"$frame": f"{field.name}.parquet", "object": objects}
        else:
            fields[field.name] = _encode(value)
    # The index is written last: a folder without it is not a snapshot.
    (folder / INDEX).write_text(json.dumps({"format": _FORMAT, "version": _VERSION,
                                            "fields": fields}, ensure_ascii=False),
                                encoding="utf-8")
    return folder


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    """One frame as a Parquet file; float columns keep NaN as NaN, not as Parquet nulls.

    Every kernel of a run reads the rating frames back: floats without nulls come back
    without a pass that fills NaN into them (a million rows of 24 touchpoints, three
    frames, in each of six kernels).
    """
    # A frame without columns keeps its rows only if its index is stored as data.
    table = pa.Table.from_pandas(frame, preserve_index=True if frame.columns.empty else None)
    for i, dtype in enumerate(frame.dtypes):      # index columns, if any, come after these
        if dtype == np.float64:
            table = table.set_column(i, table.schema.field(i),
                                     pa.array(frame.iloc[:, i].to_numpy(), from_pandas=False))
    pq.write_table(table, path)


def is_snapshot(path: str | Path) -> bool:
    """Whether `path` is a folder written by save()."""
    return (Path(path) / INDEX).is_file()


def load(folder: str | Path, cls):
    """Read a snapshot back into `cls` (the Client class) without running any code."""
    folder = Path(folder)
    index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    if index.get("format") != _FORMAT or index.get("version") != _VERSION:
        raise ValueError(f"{folder} is not a client snapshot this cxlib can read")
    values = {}
    for name, value in index["fields"].items():
        if isinstance(value, dict) and "$frame" in value:
            frame = pd.read_parquet(folder / Path(value["$frame"]).name, engine="pyarrow")
            for column in value.get("object", ()):
                frame[column] = frame[column].astype(object)
            values[name] = frame
        else:
            values[name] = _decode(value)
    return cls(**values)
