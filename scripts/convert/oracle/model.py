"""One checkpoint as a callable model: image features, prompt preparation, logits with or without a KV cache."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch

from checkpoint import Checkpoint
from config import load_config
from errors import OracleError
from rope_index import Grid, get_rope_index
from text import Deepstack, KVCache, TextModel
from vision import VisionOutput, VisionTower
from vision_qwen3 import Qwen3VisionTower


@dataclass
class Prompt:
    """A prompt ready for the decoder: embeddings with image features placed, M-RoPE positions,
    and (Qwen3-VL) the DeepStack features with the image positions they go to."""

    ids: list[int]
    embeds: torch.Tensor  # [S, hidden]
    positions: torch.Tensor  # [3, S]
    rope_delta: int
    image_mask: torch.Tensor | None = None  # [S] bool, with pixels only
    deepstack: list[torch.Tensor] = field(default_factory=list)

    def deepstack_for(self, extra: int = 0) -> Deepstack | None:
        """The DeepStack input for the prompt followed by `extra` text rows (never image positions)."""
        if not self.deepstack or self.image_mask is None:
            return None
        return Deepstack(torch.cat((self.image_mask, torch.zeros(extra, dtype=torch.bool))), self.deepstack)


class QwenVL:
    """Qwen2VL / Qwen2_5_VL / Qwen3VL ForConditionalGeneration, loaded lazily by part."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        if not os.path.isdir(folder):
            raise OracleError(f"{folder}: checkpoint folder does not exist")
        self.config = load_config(folder)
        self.ckpt = Checkpoint(folder)
        self._vision: VisionTower | Qwen3VisionTower | None = None
        self._text: TextModel | None = None

    @property
    def vision(self) -> VisionTower | Qwen3VisionTower:
        if self._vision is None:
            tower = Qwen3VisionTower if self.config.family == "qwen3_vl" else VisionTower
            self._vision = tower(self.config.vision, self.ckpt)
        return self._vision

    @property
    def text(self) -> TextModel:
        if self._text is None:
            self._text = TextModel(self.config.text, self.ckpt)
        return self._text

    def encode_images(self, pixels: torch.Tensor, grids: list[Grid]) -> VisionOutput:
        """get_image_features: the merged features and (Qwen3-VL) the DeepStack levels."""
        return self.vision(pixels, grids)

    def image_features(self, pixels: torch.Tensor, grids: list[Grid]) -> torch.Tensor:
        return self.encode_images(pixels, grids).features

    def prompt(self, ids: list[int], pixels: torch.Tensor | None, grids: list[Grid] | None) -> Prompt:
        """The model forward's prefill: embed, masked_scatter the features over the image tokens
        (in order), positions from get_rope_index; Qwen3-VL keeps the DeepStack levels for the decoder."""
        positions, delta = get_rope_index(ids, grids if pixels is not None else None, self.config)
        embeds = self.text.embed(ids)
        if pixels is None or grids is None:
            return Prompt(ids, embeds, positions, delta)
        encoded = self.encode_images(pixels, grids)
        mask = torch.tensor(ids) == self.config.image_token_id
        count = int(mask.sum())
        if count != encoded.features.shape[0]:
            raise OracleError(
                f"input_ids: {count} image_token_id ({self.config.image_token_id}) tokens, "
                f"but the images give {encoded.features.shape[0]} features"
            )
        embeds[mask] = encoded.features
        return Prompt(ids, embeds, positions, delta, mask, encoded.deepstack)

    def logits(self, prompt: Prompt, generated: list[int] | None = None) -> torch.Tensor:
        """All logits [S, rows] of the prompt followed by generated tokens, recomputed from scratch.

        Generated tokens are plain text (a generated image_token_id gets its embedding, as in
        generate(), where pixel values enter the prefill only) at position index + rope_delta."""
        generated = generated or []
        if not generated:
            return self.text.forward(prompt.embeds, prompt.positions, deepstack=prompt.deepstack_for())
        start = len(prompt.ids)
        embeds = torch.cat((prompt.embeds, self.text.embed(generated)))
        later = torch.arange(start, start + len(generated)).view(1, -1).expand(3, -1) + prompt.rope_delta
        positions = torch.cat((prompt.positions, later), dim=1)
        return self.text.forward(embeds, positions, deepstack=prompt.deepstack_for(len(generated)))


class CachedDecoder:
    """Incremental decoding with a KV cache, as generate() does after the prefill (DeepStack, like
    the pixels, enters the prefill only)."""

    def __init__(self, model: QwenVL, prompt: Prompt) -> None:
        self.model = model
        self.prompt = prompt
        self.cache = KVCache()
        self.length = len(prompt.ids)
        self.last = model.text.forward(prompt.embeds, prompt.positions, self.cache, prompt.deepstack_for())[-1]

    def step(self, token: int) -> torch.Tensor:
        """Feeds one token; returns the next position's logits [rows]."""
        position = torch.full((3, 1), self.length + self.prompt.rope_delta, dtype=torch.long)
        self.last = self.model.text.forward(self.model.text.embed([token]), position, self.cache)[-1]
        self.length += 1
        return self.last
