"""Reading (and, for tests, writing) the safetensors format without the safetensors package.

Layout: an 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape,
data_offsets}} plus an optional "__metadata__"), then the raw little-endian tensor bytes;
data_offsets are relative to the end of the header.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import numpy as np
import torch

from errors import OracleError

# dtype name -> bytes per element. Only the float types checkpoints of these models use.
ITEM_SIZE = {"BF16": 2, "F16": 2, "F32": 4}
MAX_HEADER_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class TensorEntry:
    file: str
    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int  # absolute byte offset in the file
    end: int


def read_header(path: str) -> dict[str, TensorEntry]:
    """All tensor entries of one file, validated against the file's size."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise OracleError(f"{path}: too short for a safetensors file ({size} bytes)")
            n = int.from_bytes(head, "little")
            if n > size - 8 or n > MAX_HEADER_BYTES:
                raise OracleError(f"{path}: header length {n} does not fit a file of {size} bytes")
            raw = f.read(n)
    except OSError as e:
        raise OracleError(f"{path}: cannot read ({e.strerror})") from e
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise OracleError(f"{path}: header is not valid JSON ({e})") from e
    if not isinstance(header, dict):
        raise OracleError(f"{path}: header is not a JSON object")
    data_start = 8 + n
    entries: dict[str, TensorEntry] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        entries[name] = _entry(path, name, info, data_start, size)
    return entries


def _entry(path: str, name: str, info: object, data_start: int, size: int) -> TensorEntry:
    where = f"{path}: tensor '{name}'"
    if not isinstance(info, dict):
        raise OracleError(f"{where}: header entry is not an object")
    dtype = info.get("dtype")
    if dtype not in ITEM_SIZE:
        raise OracleError(f"{where}: dtype {dtype!r} is not one of {sorted(ITEM_SIZE)}")
    shape = info.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise OracleError(f"{where}: shape {shape!r} is not a list of non-negative integers")
    offsets = info.get("data_offsets")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) and o >= 0 for o in offsets)
        or offsets[0] > offsets[1]
    ):
        raise OracleError(f"{where}: data_offsets {offsets!r} is not [begin, end]")
    expected = math.prod(shape) * ITEM_SIZE[dtype]
    if offsets[1] - offsets[0] != expected:
        raise OracleError(
            f"{where}: data_offsets span {offsets[1] - offsets[0]} bytes, "
            f"but {dtype} {shape} needs {expected}"
        )
    if data_start + offsets[1] > size:
        raise OracleError(f"{where}: data ends past the end of the file ({size} bytes)")
    return TensorEntry(path, name, dtype, tuple(shape), data_start + offsets[0], data_start + offsets[1])


def read_tensor(entry: TensorEntry) -> torch.Tensor:
    """The tensor as float32, upcast exactly (bf16 = the high half of an f32; f16 widens exactly)."""
    count = math.prod(entry.shape)
    with open(entry.file, "rb") as f:
        f.seek(entry.begin)
        raw = f.read(entry.end - entry.begin)
    if entry.dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2", count=count).astype(np.uint32) << 16
        values = bits.view(np.float32)
    elif entry.dtype == "F16":
        values = np.frombuffer(raw, dtype="<f2", count=count).astype(np.float32)
    else:
        values = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
    return torch.from_numpy(values.reshape(entry.shape).copy())


def encode_tensor(t: torch.Tensor, dtype: str) -> bytes:
    """Little-endian bytes of a float tensor in dtype (bf16 rounds to nearest even, as torch does)."""
    t = t.detach().contiguous()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4").tobytes()
    raise ValueError(f"unsupported dtype {dtype}")


def write_file(path: str, tensors: dict[str, torch.Tensor], dtype: str, metadata: dict[str, str] | None = None) -> None:
    """Writes tensors (all in one dtype) as a safetensors file, header padded to 8 bytes."""
    header: dict[str, object] = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        blob = encode_tensor(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(len(encoded).to_bytes(8, "little"))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
