"""One checkpoint as a callable model: image features, prompt preparation, logits with or without a KV cache."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from checkpoint import Checkpoint
from config import load_config
from errors import OracleError
from rope_index import Grid, get_rope_index
from text import KVCache, TextModel
from vision import VisionTower


@dataclass
class Prompt:
    """A prompt ready for the decoder: embeddings with image features placed, M-RoPE positions."""

    ids: list[int]
    embeds: torch.Tensor  # [S, hidden]
    positions: torch.Tensor  # [3, S]
    rope_delta: int


class QwenVL:
    """Qwen2VLForConditionalGeneration / Qwen2_5_VLForConditionalGeneration, loaded lazily by part."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        if not os.path.isdir(folder):
            raise OracleError(f"{folder}: checkpoint folder does not exist")
        self.config = load_config(folder)
        self.ckpt = Checkpoint(folder)
        self._vision: VisionTower | None = None
        self._text: TextModel | None = None

    @property
    def vision(self) -> VisionTower:
        if self._vision is None:
            self._vision = VisionTower(self.config.vision, self.ckpt)
        return self._vision

    @property
    def text(self) -> TextModel:
        if self._text is None:
            self._text = TextModel(self.config.text, self.ckpt)
        return self._text

    def image_features(self, pixels: torch.Tensor, grids: list[Grid]) -> torch.Tensor:
        return self.vision(pixels, grids)

    def prompt(self, ids: list[int], pixels: torch.Tensor | None, grids: list[Grid] | None) -> Prompt:
        """Qwen2_5_VLModel.forward's prefill: embed, masked_scatter the features over the image
        tokens (in order), positions from get_rope_index."""
        positions, delta = get_rope_index(ids, grids if pixels is not None else None, self.config)
        embeds = self.text.embed(ids)
        if pixels is not None and grids is not None:
            features = self.image_features(pixels, grids)
            mask = torch.tensor(ids) == self.config.image_token_id
            count = int(mask.sum())
            if count != features.shape[0]:
                raise OracleError(
                    f"input_ids: {count} image_token_id ({self.config.image_token_id}) tokens, "
                    f"but the images give {features.shape[0]} features"
                )
            embeds[mask] = features
        return Prompt(ids, embeds, positions, delta)

    def logits(self, prompt: Prompt, generated: list[int] | None = None) -> torch.Tensor:
        """All logits [S, rows] of the prompt followed by generated tokens, recomputed from scratch.

        Generated tokens are plain text (a generated image_token_id gets its embedding, as in
        generate(), where pixel values enter the prefill only) at position index + rope_delta."""
        generated = generated or []
        if not generated:
            return self.text.forward(prompt.embeds, prompt.positions)
        start = len(prompt.ids)
        embeds = torch.cat((prompt.embeds, self.text.embed(generated)))
        later = torch.arange(start, start + len(generated)).view(1, -1).expand(3, -1) + prompt.rope_delta
        return self.text.forward(embeds, torch.cat((prompt.positions, later), dim=1))


class CachedDecoder:
    """Incremental decoding with a KV cache, as generate() does after the prefill."""

    def __init__(self, model: QwenVL, prompt: Prompt) -> None:
        self.model = model
        self.prompt = prompt
        self.cache = KVCache()
        self.length = len(prompt.ids)
        self.last = model.text.forward(prompt.embeds, prompt.positions, self.cache)[-1]

    def step(self, token: int) -> torch.Tensor:
        """Feeds one token; returns the next position's logits [rows]."""
        position = torch.full((3, 1), self.length + self.prompt.rope_delta, dtype=torch.long)
        self.last = self.model.text.forward(self.model.text.embed([token]), position, self.cache)[-1]
        self.length += 1
        return self.last
