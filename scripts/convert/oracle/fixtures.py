"""Shared state of the self-check: a temp folder of tiny checkpoints built once, and assertions."""

from __future__ import annotations

import json
import os

import torch

from model import QwenVL
from testmodels import random_weights, tiny_config, write_checkpoint


def assert_close(a: torch.Tensor, b: torch.Tensor, atol: float, what: str) -> None:
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shapes {list(a.shape)} vs {list(b.shape)}")
    diff = (a - b).abs().max().item() if a.numel() else 0.0
    if not diff <= atol:
        raise AssertionError(f"{what}: max |diff| {diff:.3g} > {atol:g}")


def assert_differ(a: torch.Tensor, b: torch.Tensor, margin: float, what: str) -> None:
    """Guards a comparison against being vacuous: the two things must really differ."""
    diff = (a - b).abs().max().item()
    if not diff > margin:
        raise AssertionError(f"{what}: expected a difference > {margin:g}, got {diff:.3g}")


def assert_equal(a: object, b: object, what: str) -> None:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        ok = a.shape == b.shape and torch.equal(a, b)
    else:
        ok = a == b
    if not ok:
        raise AssertionError(f"{what}:\n  got      {a}\n  expected {b}")


class Fixtures:
    def __init__(self, root: str) -> None:
        self.root = root
        self._count = 0

    def folder(self, name: str) -> str:
        self._count += 1
        return os.path.join(self.root, f"{self._count:03d}-{name}")

    def config_folder(self, config: dict) -> str:
        """A folder holding only config.json (enough for load_config)."""
        folder = self.folder("config-only")
        os.makedirs(folder)
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f)
        return folder

    def write(self, name: str, config: dict, weights: dict[str, torch.Tensor], **options: object) -> str:
        return write_checkpoint(self.folder(name), config, weights, **options)  # type: ignore[arg-type]

    def model(
        self, family: str, seed: int = 1, **config_options: object
    ) -> tuple[QwenVL, dict, dict[str, torch.Tensor]]:
        """A fresh tiny model (published naming, one f32 file), its config and weights."""
        config = tiny_config(family, **config_options)  # type: ignore[arg-type]
        weights = random_weights(config, seed)
        return QwenVL(self.write(family, config, weights)), config, weights
