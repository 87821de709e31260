"""Self-checks of the Qwen3-VL vision tower: position-table interpolation, the patch bias, the
mergers' norm placement, and which blocks the DeepStack levels read."""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from fixtures import Fixtures, assert_close, assert_differ, assert_equal
from model import QwenVL
from testmodels import pixel_row, random_pixels, random_weights, tiny_config
from vision import patch_embed, rot_pos_ids
from vision_qwen3 import Qwen3VisionTower, interpolate_pos_embed, pos_embed_corners

ROW = pixel_row("qwen3_vl")


def _tower(model: QwenVL) -> Qwen3VisionTower:
    tower = model.vision
    assert isinstance(tower, Qwen3VisionTower)
    return tower


def pos_embed_corners_match_a_hand_worked_grid(fx: Fixtures) -> None:
    # Table side 6; h = 4 samples linspace(0, 5, 4) = 0, 5/3, 10/3, 5 -> floors 0, 1, 3, 5, ceilings
    # 1, 2, 4, 5 (clipped), dh 0, 2/3, 1/3, 0; w = 2 samples 0 and 5 exactly (dw 0, ceiling of 5 clipped).
    rows, weights = pos_embed_corners([(1, 4, 2)], 6)
    assert_equal(rows.tolist(), [
        [0, 5, 6, 11, 18, 23, 30, 35],  # (floor h, floor w)
        [1, 5, 7, 11, 19, 23, 31, 35],  # (floor h, ceil w)
        [6, 11, 12, 17, 24, 29, 30, 35],  # (ceil h, floor w)
        [7, 11, 13, 17, 25, 29, 31, 35],  # (ceil h, ceil w)
    ], "corner rows")
    third = 1 / 3
    want = torch.tensor([
        [1, 1, third, third, 2 * third, 2 * third, 1, 1],
        [0] * 8,
        [0, 0, 2 * third, 2 * third, third, third, 0, 0],
        [0] * 8,
    ])
    assert_close(weights, want, 1e-6, "corner weights")


def pos_embed_equals_bilinear_resize_with_aligned_corners(fx: Fixtures) -> None:
    # An independent implementation: the table as a side x side image resized with
    # F.interpolate(bilinear, align_corners=True), read at each patch's (h, w).
    model = fx.model("qwen3_vl", seed=31)[0]
    tower, config = _tower(model), model.config.vision
    image = tower.pos_table.T.reshape(1, config.width, 6, 6)
    for grid in [(1, 2, 2), (1, 4, 6), (1, 6, 6), (1, 8, 12), (1, 10, 4), (2, 4, 4)]:
        t, h, w = grid
        resized = F.interpolate(image, size=(h, w), mode="bilinear", align_corners=True)[0]
        coords = rot_pos_ids([grid], config.spatial_merge_size)  # (h, w) of each row, merge-block order
        want = resized[:, coords[:, 0], coords[:, 1]].T
        assert_close(interpolate_pos_embed(tower.pos_table, [grid], config), want, 1e-5, f"grid {grid}")
    # A grid the size of the table reads the table itself, exactly, in merge-block order.
    coords = rot_pos_ids([(1, 6, 6)], 2)
    exact = interpolate_pos_embed(tower.pos_table, [(1, 6, 6)], config)
    assert_equal(exact, tower.pos_table[coords[:, 0] * 6 + coords[:, 1]], "6x6 grid on a 6x6 table")


def patch_embed_adds_its_bias(fx: Fixtures) -> None:
    model, _, weights = fx.model("qwen3_vl", seed=32)
    pixels = random_pixels([(1, 4, 4)], 1, ROW)
    w, b = weights["visual.patch_embed.proj.weight"], weights["visual.patch_embed.proj.bias"]
    as_matmul = pixels @ w.reshape(w.shape[0], -1).T + b
    assert_close(patch_embed(pixels, w, model.config.vision, b), as_matmul, 1e-5, "conv3d + bias vs matmul")


def tower_input_is_patches_plus_bias_plus_positions(fx: Fixtures) -> None:
    model, _, weights = fx.model("qwen3_vl", seed=35)
    grids = [(1, 6, 10), (2, 4, 4)]
    pixels = random_pixels(grids, 35, ROW)
    w, b = weights["visual.patch_embed.proj.weight"], weights["visual.patch_embed.proj.bias"]
    positions = interpolate_pos_embed(weights["visual.pos_embed.weight"], grids, model.config.vision)
    want = pixels @ w.reshape(w.shape[0], -1).T + b + positions
    assert_close(_tower(model).embed(pixels, grids), want, 1e-5, "tower input")


def first_vision_block_by_hand(fx: Fixtures) -> None:
    model, config, weights = fx.model("qwen3_vl", seed=36)
    v = config["vision_config"]
    heads, hd = v["num_heads"], v["hidden_size"] // v["num_heads"]
    grids = [(1, 4, 4), (1, 2, 6)]  # two images: attention stays within each
    pixels = random_pixels(grids, 36, ROW)
    tower = _tower(model)
    x = tower.embed(pixels, grids).double()
    w = {n[len("visual.blocks.0.") :]: t.double() for n, t in weights.items() if n.startswith("visual.blocks.0.")}

    def norm(t: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(t, t.shape[-1:], w[name + ".weight"], w[name + ".bias"], 1e-6)

    # 2-D rotary: pair (j, j + hd/2) turns by h * f_j for j < hd/4, by w * f_(j - hd/4) after,
    # f_i = 10000^(-2i / (hd/2)); (h, w) of each row from the merge-block order checked elsewhere.
    coords = rot_pos_ids(grids, 2).double()
    freqs = 10000.0 ** (-2 * torch.arange(hd // 4).double() / (hd // 2))
    angle = torch.cat((coords[:, :1] * freqs, coords[:, 1:] * freqs), dim=1)

    def rotate(t: torch.Tensor) -> torch.Tensor:
        z = torch.complex(t[..., : hd // 2], t[..., hd // 2 :]) * torch.exp(1j * angle)[:, None, :]
        return torch.cat((z.real, z.imag), dim=-1)

    q, k, val = (norm(x, "norm1") @ w["attn.qkv.weight"].T + w["attn.qkv.bias"]).view(-1, 3, heads, hd).unbind(1)
    q, k = rotate(q), rotate(k)
    out = torch.zeros_like(q)
    for start, end in ((0, 16), (16, 28)):
        for head in range(heads):
            scores = q[start:end, head] @ k[start:end, head].T / hd**0.5
            out[start:end, head] = torch.softmax(scores, dim=-1) @ val[start:end, head]
    x = x + out.reshape(x.shape) @ w["attn.proj.weight"].T + w["attn.proj.bias"]
    h = norm(x, "norm2") @ w["mlp.linear_fc1.weight"].T + w["mlp.linear_fc1.bias"]
    h = 0.5 * h * (1 + torch.tanh((2 / torch.pi) ** 0.5 * (h + 0.044715 * h**3)))  # gelu_pytorch_tanh
    x = x + h @ w["mlp.linear_fc2.weight"].T + w["mlp.linear_fc2.bias"]
    assert_close(tower.block_states(pixels, grids)[0], x.float(), 1e-4, "block 0")


def _by_hand(weights: dict, prefix: str, x: torch.Tensor, norm_after_shuffle: bool) -> torch.Tensor:
    """A merger from the raw weights: LayerNorm over one patch then 2x2 concat, or concat then norm."""
    norm = (weights[prefix + "norm.weight"], weights[prefix + "norm.bias"])
    if norm_after_shuffle:
        x = F.layer_norm(x.reshape(-1, 4 * x.shape[1]), norm[0].shape, *norm, 1e-6)
    else:
        x = F.layer_norm(x, norm[0].shape, *norm, 1e-6).reshape(-1, 4 * x.shape[1])
    x = F.linear(x, weights[prefix + "linear_fc1.weight"], weights[prefix + "linear_fc1.bias"])
    x = 0.5 * x * (1 + torch.erf(x / 2**0.5))
    return F.linear(x, weights[prefix + "linear_fc2.weight"], weights[prefix + "linear_fc2.bias"])


def deepstack_levels_read_the_listed_blocks(fx: Fixtures) -> None:
    model, config, weights = fx.model("qwen3_vl", seed=33)  # deepstack_visual_indexes [1, 2] of 4 blocks
    grids = [(1, 6, 10), (1, 4, 4)]
    pixels = random_pixels(grids, 33, ROW)
    states = _tower(model).block_states(pixels, grids)
    out = model.encode_images(pixels, grids)
    assert_equal(len(out.deepstack), 2, "levels")
    assert_close(out.features, _by_hand(weights, "visual.merger.", states[3], False), 1e-5, "main merger, last block")
    for level, block in enumerate(config["vision_config"]["deepstack_visual_indexes"]):
        prefix = f"visual.deepstack_merger_list.{level}."
        assert_close(out.deepstack[level], _by_hand(weights, prefix, states[block], True), 1e-5, f"level {level}")
        # Not vacuous: the neighbouring blocks and the other norm placement give other features.
        for other in (block - 1, block + 1):
            assert_differ(out.deepstack[level], _by_hand(weights, prefix, states[other], True), 1e-3, f"block {other}")
    # (The norm placement itself is pinned by the shapes: width rows in the merger, 4 x width in DeepStack.)


def deepstack_levels_come_in_block_order(fx: Fixtures) -> None:
    # deepstack_visual_indexes [2, 1]: block 1's features (through merger 1) come first.
    config = tiny_config("qwen3_vl")
    weights = random_weights(config, 34)
    swapped = dict(weights)
    for name in weights:
        for a, b in (("list.0.", "list.1."), ("list.1.", "list.0.")):
            if f"deepstack_merger_{a}" in name:
                swapped[name.replace(f"merger_{a}", f"merger_{b}")] = weights[name]
    config_21 = {**config, "vision_config": {**config["vision_config"], "deepstack_visual_indexes": [2, 1]}}
    grids = [(1, 4, 6)]
    pixels = random_pixels(grids, 34, ROW)
    listed = QwenVL(fx.write("ds12", config, weights)).encode_images(pixels, grids)
    reversed_list = QwenVL(fx.write("ds21", config_21, swapped)).encode_images(pixels, grids)
    for level in range(2):
        assert_equal(reversed_list.deepstack[level], listed.deepstack[level], f"level {level}")
    assert_differ(listed.deepstack[0], listed.deepstack[1], 1e-3, "the two levels")


def vision_config_defaults_are_qwen3_vl_s(fx: Fixtures) -> None:
    # An empty vision_config reads as Qwen3VLVisionConfig() (the 27-block, 1152-wide tower).
    config = tiny_config("qwen3_vl")
    config["vision_config"] = {}
    model = fx.model("qwen3_vl")[0]
    folder = fx.write("defaults", config, {})
    vision = QwenVL(folder).config.vision
    want = dataclasses.replace(
        model.config.vision,
        depth=27,
        width=1152,
        intermediate_size=4304,
        num_heads=16,
        out_hidden_size=3584,
        num_position_embeddings=2304,
        deepstack_visual_indexes=(8, 16, 24),
    )
    assert_equal(vision, want, "vision defaults")


CHECKS = [
    pos_embed_corners_match_a_hand_worked_grid,
    pos_embed_equals_bilinear_resize_with_aligned_corners,
    patch_embed_adds_its_bias,
    tower_input_is_patches_plus_bias_plus_positions,
    first_vision_block_by_hand,
    deepstack_levels_read_the_listed_blocks,
    deepstack_levels_come_in_block_order,
    vision_config_defaults_are_qwen3_vl_s,
]
