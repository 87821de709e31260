"""Qwen3VLVisionModel (modeling_qwen3_vl.py): the Qwen3-VL vision tower with its DeepStack outputs.

Differences from the Qwen2 towers (vision.py): the patch Conv3d has a bias; a learned position
table (num_position_embeddings = side^2 rows) is bilinearly interpolated to each grid
(fast_pos_embed_interpolate, corners aligned) and added after the patch embedding; LayerNorm
blocks with a linear_fc1 -> act -> linear_fc2 MLP; no windows (one full attention per frame).
The merger norms each patch (LayerNorm over the width) before the 2x2 shuffle; the DeepStack
mergers norm after it (LayerNorm over 4x the width). The DeepStack mergers read the hidden states
after the blocks listed in deepstack_visual_indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from checkpoint import Checkpoint
from config import VisionConfig
from layers import ACTIVATIONS, layer_norm
from vision import Grid, VisionOutput, check_pixels, frame_cu_seqlens, patch_embed, rotary_cos_sin, segment_attention

NORM_EPS = 1e-6  # nn.LayerNorm(..., eps=1e-6) in the blocks and both kinds of merger
Linear = tuple[torch.Tensor, torch.Tensor]


def grid_side(config: VisionConfig) -> int:
    """num_grid_per_side = int(num_position_embeddings ** 0.5) (rows past side^2 are never read)."""
    return int(config.num_position_embeddings**0.5)


def pos_embed_corners(grids: list[Grid], side: int) -> tuple[torch.Tensor, torch.Tensor]:
    """fast_pos_embed_interpolate's table rows and weights [4, sum(h*w)], per image in row-major
    patch order (before the merge-block reorder and the repeat over frames).

    Sample i of h lies at linspace(0, side-1, h)[i] (float32); corners floor (.int()) and
    floor + 1 clipped to side-1; weights (1-dh)(1-dw), (1-dh)dw, dh(1-dw), dh dw in float32."""
    rows: list[list[torch.Tensor]] = [[] for _ in range(4)]
    weights: list[list[torch.Tensor]] = [[] for _ in range(4)]
    for _, h, w in grids:
        h_idxs, w_idxs = torch.linspace(0, side - 1, h), torch.linspace(0, side - 1, w)
        h_floor, w_floor = h_idxs.int(), w_idxs.int()
        h_ceil, w_ceil = (h_floor + 1).clip(max=side - 1), (w_floor + 1).clip(max=side - 1)
        dh, dw = h_idxs - h_floor, w_idxs - w_floor
        base_floor, base_ceil = h_floor * side, h_ceil * side
        corner_rows = (
            base_floor[:, None] + w_floor[None],
            base_floor[:, None] + w_ceil[None],
            base_ceil[:, None] + w_floor[None],
            base_ceil[:, None] + w_ceil[None],
        )
        corner_weights = (
            (1 - dh)[:, None] * (1 - dw)[None],
            (1 - dh)[:, None] * dw[None],
            dh[:, None] * (1 - dw)[None],
            dh[:, None] * dw[None],
        )
        for i in range(4):
            rows[i].append(corner_rows[i].flatten().long())
            weights[i].append(corner_weights[i].flatten())
    return torch.stack([torch.cat(r) for r in rows]), torch.stack([torch.cat(w) for w in weights])


def interpolate_pos_embed(table: torch.Tensor, grids: list[Grid], config: VisionConfig) -> torch.Tensor:
    """[sum(t*h*w), width]: the interpolated table, repeated per frame, rows in merge-block order
    (the order of the image processor's patches)."""
    rows, weights = pos_embed_corners(grids, grid_side(config))
    corners = table[rows] * weights[:, :, None]
    summed = corners[0] + corners[1] + corners[2] + corners[3]
    merge = config.spatial_merge_size
    out = []
    for part, (t, h, w) in zip(summed.split([h * w for _, h, w in grids]), grids):
        blocks = part.repeat(t, 1).view(t, h // merge, merge, w // merge, merge, -1)
        out.append(blocks.permute(0, 1, 3, 2, 4, 5).flatten(0, 4))
    return torch.cat(out)


@dataclass
class Block:
    norm1: Linear
    norm2: Linear
    qkv: Linear
    proj: Linear
    fc1: Linear
    fc2: Linear


@dataclass
class Merger:
    """Qwen3VLVisionPatchMerger; postshuffle: the norm runs on the 4 concatenated patches."""

    norm: Linear
    fc1: Linear
    fc2: Linear
    postshuffle: bool


class Qwen3VisionTower:
    def __init__(self, config: VisionConfig, ckpt: Checkpoint) -> None:
        self.config = c = config
        width, merged = c.width, c.width * c.spatial_merge_size**2

        def pair(name: str, out_dim: int, in_dim: int | None = None) -> Linear:
            weight_shape = (out_dim,) if in_dim is None else (out_dim, in_dim)
            return ckpt.get(name + ".weight", weight_shape), ckpt.get(name + ".bias", (out_dim,))

        def merger(prefix: str, postshuffle: bool) -> Merger:
            norm = pair(prefix + "norm", merged if postshuffle else width)
            fc1 = pair(prefix + "linear_fc1", merged, merged)
            fc2 = pair(prefix + "linear_fc2", c.out_hidden_size, merged)
            return Merger(norm, fc1, fc2, postshuffle)

        patch_shape = (width, c.in_channels, c.temporal_patch_size, c.patch_size, c.patch_size)
        self.patch_weight = ckpt.get("visual.patch_embed.proj.weight", patch_shape)
        self.patch_bias = ckpt.get("visual.patch_embed.proj.bias", (width,))
        self.pos_table = ckpt.get("visual.pos_embed.weight", (c.num_position_embeddings, width))
        self.blocks = [
            Block(
                norm1=pair(f"visual.blocks.{i}.norm1", width),
                norm2=pair(f"visual.blocks.{i}.norm2", width),
                qkv=pair(f"visual.blocks.{i}.attn.qkv", 3 * width, width),
                proj=pair(f"visual.blocks.{i}.attn.proj", width, width),
                fc1=pair(f"visual.blocks.{i}.mlp.linear_fc1", c.intermediate_size, width),
                fc2=pair(f"visual.blocks.{i}.mlp.linear_fc2", width, c.intermediate_size),
            )
            for i in range(c.depth)
        ]
        self.merger = merger("visual.merger.", postshuffle=False)
        levels = range(len(c.deepstack_visual_indexes))
        self.deepstack_mergers = [merger(f"visual.deepstack_merger_list.{k}.", postshuffle=True) for k in levels]
        self.act = ACTIVATIONS[c.hidden_act]

    def merge(self, x: torch.Tensor, m: Merger) -> torch.Tensor:
        merged = self.config.width * self.config.spatial_merge_size**2
        if m.postshuffle:
            x = layer_norm(x.view(-1, merged), *m.norm, NORM_EPS)
        else:
            x = layer_norm(x, *m.norm, NORM_EPS).view(-1, merged)
        return F.linear(F.gelu(F.linear(x, *m.fc1)), *m.fc2)  # nn.GELU(): exact erf, not hidden_act

    def embed(self, pixels: torch.Tensor, grids: list[Grid]) -> torch.Tensor:
        """The first block's input [N, width]: patch embedding (with bias) plus interpolated positions."""
        pixels = check_pixels(pixels, grids, self.config)
        x = patch_embed(pixels, self.patch_weight, self.config, self.patch_bias)
        return x + interpolate_pos_embed(self.pos_table, grids, self.config)

    def block_states(self, pixels: torch.Tensor, grids: list[Grid]) -> list[torch.Tensor]:
        """The hidden states [N, width] after each block (Qwen3VLVisionModel.forward's loop)."""
        c = self.config
        x = self.embed(pixels, grids)
        cos, sin = rotary_cos_sin(grids, c)
        cu = frame_cu_seqlens(grids)
        states = []
        for blk in self.blocks:
            h = layer_norm(x, *blk.norm1, NORM_EPS)
            x = x + segment_attention(h, blk.qkv, blk.proj, c.num_heads, cu, cos, sin)
            h = layer_norm(x, *blk.norm2, NORM_EPS)
            x = x + F.linear(self.act(F.linear(h, *blk.fc1)), *blk.fc2)
            states.append(x)
        return states

    def __call__(self, pixels: torch.Tensor, grids: list[Grid]) -> VisionOutput:
        states = self.block_states(pixels, grids)
        indexes = list(self.config.deepstack_visual_indexes)
        # In block order, not list order; a repeated index uses its first merger once.
        deepstack = [
            self.merge(x, self.deepstack_mergers[indexes.index(layer)])
            for layer, x in enumerate(states)
            if layer in indexes
        ]
        return VisionOutput(self.merge(states[-1], self.merger), deepstack)
