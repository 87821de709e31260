"""Self-checks of the vision towers: patch embedding, 2-D rotary ids, windows, segments, reverse index."""

from __future__ import annotations

import torch

from fixtures import Fixtures, assert_close, assert_differ, assert_equal
from model import QwenVL
from testmodels import pixel_row, random_pixels, random_weights, tiny_config
from vision import dedupe, get_window_index, patch_embed, rot_pos_emb, rot_pos_ids

FAMILIES = ("qwen2_5_vl", "qwen2_vl", "qwen3_vl")


def patch_embed_equals_a_matmul_over_the_flattened_patch(fx: Fixtures) -> None:
    model, _, weights = fx.model("qwen2_5_vl")
    pixels = random_pixels([(1, 4, 4)], 1)
    w = weights["visual.patch_embed.proj.weight"]  # [E, C, T, P, P]: C slowest, then T, then rows, cols
    as_matmul = pixels @ w.reshape(w.shape[0], -1).T
    assert_close(patch_embed(pixels, w, model.config.vision), as_matmul, 1e-5, "conv3d vs matmul")


def rot_pos_ids_follow_the_merge_blocks(fx: Fixtures) -> None:
    # A 2x4 patch grid, merge 2: two 2x2 blocks, each read row by row.
    expected = [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (0, 3), (1, 2), (1, 3)]
    assert_equal(rot_pos_ids([(1, 2, 4)], 2).tolist(), [list(p) for p in expected], "rot_pos_ids 1x2x4")
    assert_equal(rot_pos_ids([(2, 2, 2)], 2).tolist(), [[0, 0], [0, 1], [1, 0], [1, 1]] * 2, "frames repeat the ids")
    # Angles: h * inv_freq then w * inv_freq, inv_freq = 10000^(-2j/(head_dim/2)).
    head_dim = 16
    inv = [10000.0 ** (-(2 * j) / 8) for j in range(4)]
    angles = rot_pos_emb([(1, 2, 4)], 2, head_dim)
    want = torch.tensor([[h * f for f in inv] + [w * f for f in inv] for h, w in expected])
    assert_close(angles, want, 1e-6, "rot_pos_emb angles")


def window_index_matches_hand_worked_windows(fx: Fixtures) -> None:
    vision = fx.model("qwen2_5_vl")[0].config.vision  # window 56 px = 2 merged units
    # 6x10 patches -> 3x5 merged units, padded to 4x6, six 2x2 windows in row-major order.
    order, cu = get_window_index([(1, 6, 10)], vision)
    assert_equal(order.tolist(), [0, 1, 5, 6, 2, 3, 7, 8, 4, 9, 10, 11, 12, 13, 14], "window order 3x5")
    assert_equal(cu, [0, 16, 32, 40, 48, 56, 60], "cu_window_seqlens 3x5")
    # A grid that divides evenly still gets a padding row and column of empty windows.
    order, cu = get_window_index([(1, 4, 4)], vision)
    assert_equal((order.tolist(), cu, dedupe(cu)), ([0, 1, 2, 3], [0, 16, 16, 16, 16], [0, 16]), "2x2 padded")
    order, cu = get_window_index([(1, 6, 10), (2, 4, 4)], vision)
    assert_equal(order.tolist()[15:], [15, 16, 17, 18, 19, 20, 21, 22], "second image offset, frames in order")
    assert_equal(dedupe(cu), [0, 16, 32, 40, 48, 56, 60, 76, 92], "two images, two frames")


def _tower_variant(fx: Fixtures, weights: dict, **vision_overrides: object) -> QwenVL:
    config = tiny_config("qwen2_5_vl")
    config["vision_config"] |= vision_overrides
    return QwenVL(fx.write("variant", config, weights))


def window_as_large_as_the_image_equals_full_attention(fx: Fixtures) -> None:
    weights = random_weights(tiny_config("qwen2_5_vl"), 7)
    grids = [(1, 6, 10), (1, 4, 4)]
    pixels = random_pixels(grids, 7)
    big_window = _tower_variant(fx, weights, window_size=448).image_features(pixels, grids)
    all_full = _tower_variant(fx, weights, fullatt_block_indexes=[0, 1, 2]).image_features(pixels, grids)
    windowed = _tower_variant(fx, weights).image_features(pixels, grids)
    assert_close(big_window, all_full, 1e-5, "window >= image vs full attention")
    assert_differ(windowed, all_full, 1e-3, "2-unit windows vs full attention")


def window_reordering_is_undone_by_the_reverse_index(fx: Fixtures) -> None:
    # With every block on full attention the window permutation must cancel out exactly
    # (attention is permutation-equivariant and the rotary angles travel with their patches).
    weights = random_weights(tiny_config("qwen2_5_vl"), 8)
    grids = [(1, 6, 10)]
    pixels = random_pixels(grids, 8)
    permuted = _tower_variant(fx, weights, fullatt_block_indexes=[0, 1, 2])
    identity = _tower_variant(fx, weights, fullatt_block_indexes=[0, 1, 2], window_size=448)
    assert get_window_index(grids, permuted.config.vision)[0].tolist() != list(range(15))
    assert_equal(get_window_index(grids, identity.config.vision)[0].tolist(), list(range(15)), "big window order")
    assert_close(permuted.image_features(pixels, grids), identity.image_features(pixels, grids), 1e-5, "reverse index")


def _encoded(model: QwenVL, pixels: torch.Tensor, grids: list) -> torch.Tensor:
    """Features with any DeepStack levels side by side: [tokens, out_hidden * (1 + levels)]."""
    out = model.encode_images(pixels, grids)
    return torch.cat([out.features] + out.deepstack, dim=1)


def images_and_frames_attend_only_within_themselves(fx: Fixtures) -> None:
    for family in FAMILIES:
        model = fx.model(family, seed=9)[0]
        row = pixel_row(family)
        a, b = [(1, 6, 10)], [(1, 4, 4)]
        pa, pb = random_pixels(a, 1, row), random_pixels(b, 2, row)
        together = _encoded(model, torch.cat((pa, pb)), a + b)
        apart = torch.cat((_encoded(model, pa, a), _encoded(model, pb, b)))
        assert_close(together, apart, 1e-5, f"{family}: two images vs each alone")
        frames = _encoded(model, torch.cat((pa, pa.flip(0))), [(2, 6, 10)])
        assert_close(frames[:15], _encoded(model, pa, a), 1e-5, f"{family}: frame 0 of a 2-frame grid vs alone")
        assert_close(frames[15:], _encoded(model, pa.flip(0), a), 1e-5, f"{family}: frame 1 vs alone")


def non_square_grids_are_not_transposed(fx: Fixtures) -> None:
    # Feeding 6x10 patches as 10x6 must change the result (h and w play different roles).
    for family in FAMILIES:
        model = fx.model(family, seed=10)[0]
        pixels = random_pixels([(1, 6, 10)], 3, pixel_row(family))
        wide, tall = _encoded(model, pixels, [(1, 6, 10)]), _encoded(model, pixels, [(1, 10, 6)])
        assert_differ(wide, tall, 1e-3, family)


CHECKS = [
    patch_embed_equals_a_matmul_over_the_flattened_patch,
    rot_pos_ids_follow_the_merge_blocks,
    window_index_matches_hand_worked_windows,
    window_as_large_as_the_image_equals_full_attention,
    window_reordering_is_undone_by_the_reverse_index,
    images_and_frames_attend_only_within_themselves,
    non_square_grids_are_not_transposed,
]
