"""The oracle's request file: parsed and checked, every problem named by its field."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from errors import OracleError
from generate import ROLES_BY_MODE
from jsonfile import read_json_object
from rope_index import Grid

TASKS = ("vision", "logits", "generate")


@dataclass
class Request:
    task: str
    model: str | None
    models: dict[str, str]
    input_ids: list[int] | None
    pixel_values: str | None
    image_grid_thw: list[Grid] | None
    out: str | None
    mode: str
    alpha: float
    max_new_tokens: int
    eos_token_ids: list[int]
    shared_vocab: int | None


def _int_list(value: object, field: str, allow_empty: bool) -> list[int]:
    if (
        not isinstance(value, list)
        or (not value and not allow_empty)
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        kind = "list" if allow_empty else "non-empty list"
        raise OracleError(f"request field '{field}' must be a {kind} of non-negative integers")
    return value


def _str(data: dict, field: str, required: bool) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise OracleError(f"request field '{field}' is missing")
        return None
    if not isinstance(value, str) or not value:
        raise OracleError(f"request field '{field}' must be a non-empty string")
    return value


def _positive_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _grids(value: object) -> list[Grid]:
    if not isinstance(value, list) or not value:
        raise OracleError("request field 'image_grid_thw' must be a non-empty list of [t, h, w]")
    grids = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != 3 or not all(_positive_int(v) for v in row):
            raise OracleError(
                f"request field 'image_grid_thw[{i}]' must be [t, h, w] of positive integers, got {row!r}"
            )
        grids.append((row[0], row[1], row[2]))
    return grids


def parse_request(path: str) -> Request:
    data = read_json_object(path, "the request")
    task = data.get("task")
    if task not in TASKS:
        raise OracleError(f"request field 'task' must be one of {', '.join(TASKS)}, got {task!r}")

    pixel_values = _str(data, "pixel_values", task == "vision")
    grids = _grids(data["image_grid_thw"]) if data.get("image_grid_thw") is not None else None
    if (pixel_values is None) != (grids is None):
        raise OracleError("request fields 'pixel_values' and 'image_grid_thw' go together: give both or neither")
    input_ids = None if task == "vision" else _int_list(data.get("input_ids"), "input_ids", allow_empty=False)

    mode = data.get("mode", "base")
    models: dict[str, str] = {}
    if task == "generate":
        if mode not in ROLES_BY_MODE:
            raise OracleError(f"request field 'mode' must be one of {', '.join(ROLES_BY_MODE)}, got {mode!r}")
        given = data.get("models")
        if not isinstance(given, dict):
            raise OracleError("request field 'models' must be an object {base, expert, amateur}")
        for role in ROLES_BY_MODE[mode]:
            folder = given.get(role)
            if not isinstance(folder, str) or not folder:
                raise OracleError(f"request field 'models.{role}' is missing (mode {mode} needs it)")
            models[role] = folder

    alpha = data.get("alpha", 0.5)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise OracleError(f"request field 'alpha' must be a number, got {alpha!r}")
    max_new = data.get("max_new_tokens", 0 if task != "generate" else None)
    if isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 0:
        raise OracleError(f"request field 'max_new_tokens' must be a non-negative integer, got {max_new!r}")
    shared = data.get("shared_vocab")
    if shared is not None and (isinstance(shared, bool) or not isinstance(shared, int) or shared < 1):
        raise OracleError(f"request field 'shared_vocab' must be a positive integer, got {shared!r}")

    return Request(
        task=task,
        model=_str(data, "model", task != "generate"),
        models=models,
        input_ids=input_ids,
        pixel_values=pixel_values,
        image_grid_thw=grids,
        out=_str(data, "out", task != "generate"),
        mode=mode,
        alpha=float(alpha),
        max_new_tokens=max_new,
        eos_token_ids=_int_list(data.get("eos_token_ids", []), "eos_token_ids", allow_empty=True),
        shared_vocab=shared,
    )


def read_pixels(path: str | None) -> torch.Tensor | None:
    """A raw little-endian float32 file, flat (the vision tower cuts it into patch rows)."""
    if path is None:
        return None
    try:
        size = os.path.getsize(path)
        raw = np.fromfile(path, dtype="<f4")
    except OSError as e:
        raise OracleError(f"pixel_values {path}: cannot read ({e.strerror})") from e
    if size % 4 or size == 0:
        raise OracleError(f"pixel_values {path}: {size} bytes is not a whole, non-zero number of float32 values")
    return torch.from_numpy(raw.astype(np.float32))
