"""Checks of a dataset file's records: each error names the file and the record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sparqlqa.errors import DatasetError


def load_json(path: Path) -> Any:
    """The JSON document in ``path``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}: not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text: {exc}") from exc


def records_of(path: Path, data: Any, what: str) -> list[Mapping[str, Any]]:
    """``data`` as a list of records (objects)."""
    if not isinstance(data, list):
        raise DatasetError(f"{path}: expected a JSON list of {what}, found {type(data).__name__}")
    for i, record in enumerate(data):
        if not isinstance(record, Mapping):
            raise DatasetError(f"{path}: record #{i}: expected an object, found {record!r:.80}")
    return data


def field_of(path: Path, rid: str, record: Mapping[str, Any], name: str) -> Any:
    """The field ``name`` of a record, which must have it."""
    if name not in record:
        raise DatasetError(f"{path}: record {rid}: missing field {name!r}")
    return record[name]


def text_of(path: Path, rid: str, value: Any, name: str) -> str:
    """``value`` as a non-empty string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{path}: record {rid}: {name!r} must be a non-empty string")
    return value.strip()
