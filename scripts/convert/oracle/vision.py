"""The vision towers: Qwen2VisionTransformerPretrainedModel and Qwen2_5_VisionTransformerPretrainedModel
(Qwen3-VL's is in vision_qwen3.py, built from the helpers here).

Input: pixel_values [num_patches, C*T*P*P] in the image processor's order (per image, per frame,
patches grouped in merge x merge blocks); grid_thw per image in patches. Output: the merged
features [sum(t*h*w) / merge^2, out_hidden], in the order the language model consumes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from checkpoint import Checkpoint
from config import VisionConfig
from errors import OracleError
from layers import ACTIVATIONS, apply_rotary, attention, layer_norm, rms_norm

Grid = tuple[int, int, int]
NORM_EPS = 1e-6  # fixed in both towers (blocks and merger), not read from the config


def check_grids(grids: list[Grid], config: VisionConfig, num_patches: int, where: str) -> None:
    merge = config.spatial_merge_size
    for i, (t, h, w) in enumerate(grids):
        if t < 1 or h < 1 or w < 1 or h % merge or w % merge:
            raise OracleError(f"{where}[{i}] = {[t, h, w]}: t, h, w must be positive, h and w multiples of {merge}")
    total = sum(t * h * w for t, h, w in grids)
    if total != num_patches:
        raise OracleError(f"{where}: grids hold {total} patches, pixel_values has {num_patches} rows")


@dataclass
class VisionOutput:
    features: torch.Tensor  # [tokens, out_hidden], the merger's output
    deepstack: list[torch.Tensor]  # Qwen3-VL: one [tokens, out_hidden] per DeepStack level, in block order


def check_pixels(pixels: torch.Tensor, grids: list[Grid], config: VisionConfig) -> torch.Tensor:
    """pixel_values as patch rows [N, C*T*P*P], checked against the grids."""
    if pixels.numel() % config.patch_values or (pixels.dim() == 2 and pixels.shape[1] != config.patch_values):
        raise OracleError(
            f"pixel_values: {pixels.numel()} values are not whole rows of {config.patch_values} "
            f"(channels x temporal_patch_size x patch_size^2)"
        )
    pixels = pixels.reshape(-1, config.patch_values)
    check_grids(grids, config, pixels.shape[0], "image_grid_thw")
    return pixels


def patch_embed(
    pixels: torch.Tensor, weight: torch.Tensor, config: VisionConfig, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """PatchEmbed: Conv3d with kernel = stride = (T, P, P) on each row seen as [C, T, P, P]
    (no bias in Qwen2-VL / Qwen2.5-VL, a bias in Qwen3-VL)."""
    c, t, p = config.in_channels, config.temporal_patch_size, config.patch_size
    x = pixels.view(-1, c, t, p, p)
    return F.conv3d(x, weight, bias, stride=(t, p, p)).view(-1, config.width)


def rot_pos_ids(grids: list[Grid], merge: int) -> torch.Tensor:
    """rot_pos_emb's (h, w) patch coordinates [N, 2], rows in merge x merge block order, per frame."""
    ids = []
    for t, h, w in grids:
        hpos = torch.arange(h).unsqueeze(1).expand(-1, w)
        wpos = torch.arange(w).unsqueeze(0).expand(h, -1)
        blocks = [
            pos.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten() for pos in (hpos, wpos)
        ]
        ids.append(torch.stack(blocks, dim=-1).repeat(t, 1))
    return torch.cat(ids, dim=0)


def rot_pos_emb(grids: list[Grid], merge: int, head_dim: int) -> torch.Tensor:
    """[N, head_dim / 2]: the h angles then the w angles (VisionRotaryEmbedding(head_dim // 2), theta 1e4)."""
    dim = head_dim // 2
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float) / dim))
    max_grid = max(max(h, w) for _, h, w in grids)
    table = torch.outer(torch.arange(max_grid, dtype=inv_freq.dtype), inv_freq)
    return table[rot_pos_ids(grids, merge)].flatten(1)


def rotary_cos_sin(grids: list[Grid], config: VisionConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin [N, head_dim] of the 2-D rotary: the angles repeated (rotate_half pairs i, i + d/2)."""
    angles = rot_pos_emb(grids, config.spatial_merge_size, config.head_dim)
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos(), emb.sin()


def segment_attention(
    x: torch.Tensor,
    qkv: tuple[torch.Tensor, torch.Tensor],
    proj: tuple[torch.Tensor, torch.Tensor],
    heads: int,
    cu: list[int],
    cos: torch.Tensor,
    sin: torch.Tensor,
) -> torch.Tensor:
    """VisionAttention.forward (non-flash path): fused qkv with bias, 2-D rotary on q and k, one
    full (non-causal) attention per [cu[i], cu[i+1]) segment, proj with bias."""
    n = x.shape[0]
    q, k, v = F.linear(x, *qkv).reshape(n, 3, heads, -1).permute(1, 0, 2, 3)
    q = apply_rotary(q, cos.unsqueeze(-2), sin.unsqueeze(-2)).transpose(0, 1)
    k = apply_rotary(k, cos.unsqueeze(-2), sin.unsqueeze(-2)).transpose(0, 1)
    v = v.transpose(0, 1)
    parts = [attention(q[:, a:b], k[:, a:b], v[:, a:b]) for a, b in zip(cu[:-1], cu[1:])]
    return F.linear(torch.cat(parts, dim=0), *proj)


def frame_cu_seqlens(grids: list[Grid]) -> list[int]:
    """Full attention segments: one per frame of each image."""
    cu = [0]
    for t, h, w in grids:
        for _ in range(t):
            cu.append(cu[-1] + h * w)
    return cu


def get_window_index(grids: list[Grid], config: VisionConfig) -> tuple[torch.Tensor, list[int]]:
    """Qwen2.5-VL windows: merged units grouped in windows of window_size px per side (grid padded
    at the bottom/right; a grid that divides evenly still gets a whole empty padding row/column of
    windows), empty slots dropped. Returns the merged-unit order and cu_window_seqlens in patches
    (not yet deduplicated: empty windows repeat a boundary)."""
    merge = config.spatial_merge_size
    win = config.window_size // merge // config.patch_size
    unit = merge * merge
    order: list[torch.Tensor] = []
    cu = [0]
    offset = 0
    for t, h, w in grids:
        gh, gw = h // merge, w // merge
        index = torch.arange(t * gh * gw).reshape(t, gh, gw)
        pad_h, pad_w = win - gh % win, win - gw % win
        nh, nw = (gh + pad_h) // win, (gw + pad_w) // win
        padded = F.pad(index, (0, pad_w, 0, pad_h), "constant", -100)
        padded = padded.reshape(t, nh, win, nw, win).permute(0, 1, 3, 2, 4).reshape(t, nh * nw, win, win)
        seqlens = (padded != -100).sum([2, 3]).reshape(-1)
        flat = padded.reshape(-1)
        order.append(flat[flat != -100] + offset)
        cu.extend((seqlens.cumsum(0) * unit + cu[-1]).tolist())
        offset += t * gh * gw
    return torch.cat(order), cu


def dedupe(cu: list[int]) -> list[int]:
    """torch.unique_consecutive on cu_window_seqlens: drops the empty windows' repeats."""
    return [c for i, c in enumerate(cu) if i == 0 or c != cu[i - 1]]


@dataclass
class BlockWeights:
    norm1: tuple[torch.Tensor, ...]
    norm2: tuple[torch.Tensor, ...]
    qkv: tuple[torch.Tensor, torch.Tensor]
    proj: tuple[torch.Tensor, torch.Tensor]
    mlp: dict[str, tuple[torch.Tensor, torch.Tensor]]


class VisionTower:
    def __init__(self, config: VisionConfig, ckpt: Checkpoint) -> None:
        self.config = config
        c = config
        patch_shape = (c.width, c.in_channels, c.temporal_patch_size, c.patch_size, c.patch_size)
        self.patch_weight = ckpt.get("visual.patch_embed.proj.weight", patch_shape)
        qwen25 = c.family == "qwen2_5_vl"
        mlp_names = ("gate_proj", "up_proj", "down_proj") if qwen25 else ("fc1", "fc2")

        def linear(name: str, out_dim: int, in_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
            return ckpt.get(name + ".weight", (out_dim, in_dim)), ckpt.get(name + ".bias", (out_dim,))

        def norm(name: str, dim: int) -> tuple[torch.Tensor, ...]:
            if qwen25:
                return (ckpt.get(name + ".weight", (dim,)),)
            return ckpt.get(name + ".weight", (dim,)), ckpt.get(name + ".bias", (dim,))

        self.blocks = []
        for i in range(c.depth):
            p = f"visual.blocks.{i}."
            mlp = {}
            for name in mlp_names:
                down = name in ("down_proj", "fc2")
                shape = (c.width, c.intermediate_size) if down else (c.intermediate_size, c.width)
                mlp[name] = linear(p + "mlp." + name, *shape)
            self.blocks.append(
                BlockWeights(
                    norm1=norm(p + "norm1", c.width),
                    norm2=norm(p + "norm2", c.width),
                    qkv=linear(p + "attn.qkv", 3 * c.width, c.width),
                    proj=linear(p + "attn.proj", c.width, c.width),
                    mlp=mlp,
                )
            )
        merged = c.width * c.spatial_merge_size**2
        self.ln_q = norm("visual.merger.ln_q", c.width)
        self.merger_fc1 = linear("visual.merger.mlp.0", merged, merged)
        self.merger_fc2 = linear("visual.merger.mlp.2", c.out_hidden_size, merged)
        self.act = ACTIVATIONS[c.hidden_act]

    def _norm(self, x: torch.Tensor, weights: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if len(weights) == 1:
            return rms_norm(x, weights[0], NORM_EPS)
        return layer_norm(x, weights[0], weights[1], NORM_EPS)

    def _mlp(self, x: torch.Tensor, blk: BlockWeights) -> torch.Tensor:
        m = blk.mlp
        if "fc1" in m:
            return F.linear(self.act(F.linear(x, *m["fc1"])), *m["fc2"])
        return F.linear(self.act(F.linear(x, *m["gate_proj"])) * F.linear(x, *m["up_proj"]), *m["down_proj"])

    def _merger(self, x: torch.Tensor) -> torch.Tensor:
        x = self._norm(x, self.ln_q).view(-1, self.config.width * self.config.spatial_merge_size**2)
        return F.linear(F.gelu(F.linear(x, *self.merger_fc1)), *self.merger_fc2)

    def __call__(self, pixels: torch.Tensor, grids: list[Grid]) -> VisionOutput:
        c = self.config
        pixels = check_pixels(pixels, grids, c)
        x = patch_embed(pixels, self.patch_weight, c)
        cos, sin = rotary_cos_sin(grids, c)
        cu_full = frame_cu_seqlens(grids)
        cu_window = cu_full
        window_index = None
        if c.family == "qwen2_5_vl":
            window_index, cu_raw = get_window_index(grids, c)
            cu_window = dedupe(cu_raw)
            n, unit = x.shape[0], c.spatial_merge_size**2

            def reorder(t: torch.Tensor) -> torch.Tensor:
                return t.reshape(n // unit, unit, -1)[window_index].reshape(n, -1)

            x, cos, sin = reorder(x), reorder(cos), reorder(sin)
        for i, blk in enumerate(self.blocks):
            full = c.family == "qwen2_vl" or i in c.fullatt_block_indexes
            h = self._norm(x, blk.norm1)
            x = x + segment_attention(h, blk.qkv, blk.proj, c.num_heads, cu_full if full else cu_window, cos, sin)
            x = x + self._mlp(self._norm(x, blk.norm2), blk)
        x = self._merger(x)
        if window_index is not None:
            x = x[torch.argsort(window_index)]
        return VisionOutput(x, [])
