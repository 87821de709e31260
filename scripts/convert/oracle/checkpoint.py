"""A checkpoint folder's tensors under one naming, whatever naming and sharding it was saved with.

Published Qwen2-VL / Qwen2.5-VL repos say `visual.*`, `model.layers.*`, `model.embed_tokens.*`;
transformers >= 4.52 saves `model.visual.*` and `model.language_model.*`. Both are mapped to the
published naming (the inverse of transformers' `_checkpoint_conversion_mapping`).
"""

from __future__ import annotations

import os

import torch

from errors import OracleError
from jsonfile import read_json_object
from safetensors_io import TensorEntry, read_header, read_tensor

SINGLE_FILE = "model.safetensors"
INDEX_FILE = "model.safetensors.index.json"


def canonical_name(name: str) -> str:
    """The published name of a tensor saved under either naming."""
    if name.startswith("model.visual."):
        return name[len("model.") :]
    if name.startswith("model.language_model."):
        return "model." + name[len("model.language_model.") :]
    return name


def newer_name(name: str) -> str:
    """The transformers >= 4.52 name of a published name (for messages)."""
    if name.startswith("visual."):
        return "model." + name
    if name.startswith("model."):
        return "model.language_model." + name[len("model.") :]
    return name


class Checkpoint:
    """Lazy float32 access to the tensors of one checkpoint folder."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._entries: dict[str, TensorEntry] = {}
        self._raw_names: dict[str, str] = {}
        self._weight_map: dict[str, str] | None = None
        self.read: set[str] = set()  # names handed out so far (the self-check wants every one used)
        for file in self._files():
            for raw, entry in read_header(file).items():
                self._add(raw, entry)

    def _files(self) -> list[str]:
        if not os.path.isdir(self.folder):
            raise OracleError(f"{self.folder}: checkpoint folder does not exist")
        index = os.path.join(self.folder, INDEX_FILE)
        single = os.path.join(self.folder, SINGLE_FILE)
        if os.path.exists(index):
            return self._index_files(index)
        if os.path.exists(single):
            return [single]
        raise OracleError(f"{self.folder}: neither {SINGLE_FILE} nor {INDEX_FILE} is there")

    def _index_files(self, index: str) -> list[str]:
        weight_map = read_json_object(index, "the shard index").get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise OracleError(f"{index}: 'weight_map' is missing or empty")
        if not all(isinstance(v, str) for v in weight_map.values()):
            raise OracleError(f"{index}: 'weight_map' values must be shard file names")
        files = sorted(set(weight_map.values()))
        for shard in files:
            if not os.path.exists(os.path.join(self.folder, shard)):
                raise OracleError(f"{index}: weight_map names shard {shard!r}, which is not in {self.folder}")
        self._weight_map = weight_map
        return [os.path.join(self.folder, shard) for shard in files]

    def _add(self, raw: str, entry: TensorEntry) -> None:
        if self._weight_map is not None and self._weight_map.get(raw) != os.path.basename(entry.file):
            raise OracleError(
                f"{entry.file}: holds tensor '{raw}', but {INDEX_FILE} maps it to {self._weight_map.get(raw)!r}"
            )
        name = canonical_name(raw)
        if name in self._entries:
            raise OracleError(
                f"{self.folder}: tensor '{name}' appears twice ('{self._raw_names[name]}' in "
                f"{self._entries[name].file} and '{raw}' in {entry.file})"
            )
        self._entries[name] = entry
        self._raw_names[name] = raw

    def has(self, name: str) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return sorted(self._entries)

    def dtype(self, name: str) -> str:
        return self._entry(name).dtype

    def _entry(self, name: str) -> TensorEntry:
        entry = self._entries.get(name)
        if entry is None:
            raise OracleError(f"{self.folder}: tensor '{name}' (or '{newer_name(name)}') is missing")
        return entry

    def get(self, name: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
        """The tensor as float32; with shape, a mismatch is an error naming the tensor and its file."""
        entry = self._entry(name)
        if shape is not None and entry.shape != shape:
            raise OracleError(
                f"{entry.file}: tensor '{self._raw_names[name]}' has shape {list(entry.shape)}, "
                f"the config implies {list(shape)}"
            )
        self.read.add(name)
        return read_tensor(entry)
