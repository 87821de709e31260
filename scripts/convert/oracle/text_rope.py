"""The decoder's M-RoPE tables: Qwen2-VL's sectioned layout and Qwen3-VL's interleaved one."""

from __future__ import annotations

import torch

from config import TextConfig


def rope_inv_freq(config: TextConfig) -> torch.Tensor:
    """_compute_default_rope_parameters ("mrope" is read as "default"): theta^(-2i/d), float32."""
    dim = config.head_dim
    return 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def _angles(config: TextConfig, positions: torch.Tensor) -> torch.Tensor:
    """[3, S, head_dim/2]: each row's positions times inv_freq (the rotary embedding's matmul has
    an inner size of 1, so every entry is one float32 product)."""
    return positions.float()[:, :, None] * rope_inv_freq(config)[None, None, :]


def sectioned_cos_sin(config: TextConfig, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Qwen2VLRotaryEmbedding + the section pick of apply_multimodal_rotary_pos_emb.

    positions [3, S] (t, h, w). Angles are computed per row, duplicated to head_dim, then the
    channel chunks [s0, s1, s2, s0, s1, s2] take their angle from rows t, h, w, t, h, w.
    Returns cos, sin [S, head_dim].
    """
    freqs = _angles(config, positions)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    sections = list(config.mrope_section) * 2

    def pick(table: torch.Tensor) -> torch.Tensor:
        return torch.cat([chunk[i % 3] for i, chunk in enumerate(table.split(sections, dim=-1))], dim=-1)

    return pick(cos), pick(sin)


def interleaved_angles(config: TextConfig, positions: torch.Tensor) -> torch.Tensor:
    """Qwen3VLTextRotaryEmbedding.apply_interleaved_mrope: [S, head_dim/2] angles where frequency j
    takes row h if j % 3 == 1 and j < 3*s1, row w if j % 3 == 2 and j < 3*s2, else row t.
    (Python slices: with [24, 20, 20] over 64 frequencies t gets 0, 3, ..., 57 and 60-63.)"""
    freqs = _angles(config, positions)
    out = freqs[0].clone()
    for row in (1, 2):
        picked = slice(row, config.mrope_section[row] * 3, 3)
        out[:, picked] = freqs[row, :, picked]
    return out


def mrope_cos_sin(config: TextConfig, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin [S, head_dim] for positions [3, S], in the family's channel layout."""
    if not config.mrope_interleaved:
        return sectioned_cos_sin(config, positions)
    angles = interleaved_angles(config, positions)
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos(), emb.sin()
