"""Greedy decoding for one model or the ProxyThinker trio: z = z_base + alpha * (z_expert - z_amateur)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from errors import OracleError
from model import CachedDecoder, QwenVL
from rope_index import Grid

ROLES_BY_MODE = {
    "base": ("base",),
    "expert": ("expert",),
    "amateur": ("amateur",),
    "guided": ("base", "expert", "amateur"),
}


@dataclass
class Generation:
    tokens: list[int] = field(default_factory=list)
    scores: list[torch.Tensor] = field(default_factory=list)  # the merged (or single) scores per step


def merged_scores(mode: str, alpha: float, logits: dict[str, torch.Tensor], shared_vocab: int) -> torch.Tensor:
    """Scores over the shared ids (float32): one model's logits, or the ProxyThinker merge."""
    z = {role: row[:shared_vocab] for role, row in logits.items()}
    if mode == "guided":
        return z["base"] + alpha * (z["expert"] - z["amateur"])
    return z[mode]


def greedy_pick(scores: torch.Tensor) -> int:
    values = scores.numpy()
    if not np.all(np.isfinite(values)):
        raise OracleError("generate: the scores hold NaN or infinity")
    return int(np.argmax(values))  # first maximum: ties go to the lowest id


def generate(
    models: dict[str, QwenVL],
    mode: str,
    alpha: float,
    ids: list[int],
    pixels: torch.Tensor | None,
    grids: list[Grid] | None,
    max_new_tokens: int,
    eos_token_ids: list[int],
    shared_vocab: int,
    use_cache: bool = True,
) -> Generation:
    roles = ROLES_BY_MODE[mode]
    prompts = {role: models[role].prompt(ids, pixels, grids) for role in roles}
    out = Generation()
    if max_new_tokens == 0:
        return out
    decoders: dict[str, CachedDecoder] = {}
    if use_cache:
        decoders = {role: CachedDecoder(models[role], prompts[role]) for role in roles}
        logits = {role: decoders[role].last for role in roles}
    else:
        logits = {role: models[role].logits(prompts[role])[-1] for role in roles}
    while True:
        scores = merged_scores(mode, alpha, logits, shared_vocab)
        token = greedy_pick(scores)
        out.tokens.append(token)
        out.scores.append(scores)
        if token in eos_token_ids or len(out.tokens) >= max_new_tokens:
            return out
        if use_cache:
            logits = {role: decoders[role].step(token) for role in roles}
        else:
            logits = {role: models[role].logits(prompts[role], out.tokens)[-1] for role in roles}
