"""Self-checks of the language model: get_rope_index, M-RoPE, GQA, causality, KV cache."""

from __future__ import annotations

import dataclasses
import math

import torch

from fixtures import Fixtures, assert_close, assert_differ, assert_equal
from generate import generate
from layers import apply_rotary
from model import QwenVL
from rope_index import get_rope_index
from testmodels import IMAGE as I
from testmodels import SHARED_VOCAB, image_prompt, pixel_row, random_pixels, random_weights, tiny_config
from testmodels import VISION_END as VE
from testmodels import VISION_START as VS
from text_rope import mrope_cos_sin

FAMILIES = ("qwen2_5_vl", "qwen2_vl", "qwen3_vl")


def rope_index_matches_hand_worked_positions(fx: Fixtures) -> None:
    configs = {f: fx.model(f)[0].config for f in FAMILIES}
    for family, config in configs.items():
        # Text, a 4x6-patch image (2x3 merged) between vision_start/end, text.
        ids = [10, 11, VS] + [I] * 6 + [VE, 12, 13]
        pos, delta = get_rope_index(ids, [(1, 4, 6)], config)
        assert_equal(
            pos.tolist(),
            [
                [0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7, 8],
                [0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7, 8],
                [0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8],
            ],
            f"{family}: one 2x3 image",
        )
        assert_equal(delta, -3, f"{family}: rope delta, one image")
        # Two images (2x3 merged, then 1x1), text between.
        ids = [10, VS] + [I] * 6 + [VE, 11, VS, I, VE, 12]
        pos, delta = get_rope_index(ids, [(1, 4, 6), (1, 2, 2)], config)
        assert_equal(
            pos.tolist(),
            [
                [0, 1, 2, 2, 2, 2, 2, 2, 5, 6, 7, 8, 9, 10],
                [0, 1, 2, 2, 2, 3, 3, 3, 5, 6, 7, 8, 9, 10],
                [0, 1, 2, 3, 4, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            ],
            f"{family}: two images",
        )
        assert_equal(delta, -3, f"{family}: rope delta, two images")
        # Text only: 1-D positions on all rows, with or without grids.
        for grids in (None, [(1, 2, 2)]):
            pos, delta = get_rope_index([3, 4, 5, 6], grids, config)
            assert_equal((pos.tolist(), delta), ([[0, 1, 2, 3]] * 3, 0), f"{family}: text only, grids {grids}")
    # A 2-frame grid: Qwen2-VL and Qwen3-VL (4.57) count frames, Qwen2.5-VL images get temporal
    # position 0 (second_per_grid_t 0).
    ids = [VS, I, I, VE]
    for family in ("qwen2_vl", "qwen3_vl"):
        pos, delta = get_rope_index(ids, [(2, 2, 2)], configs[family])
        assert_equal((pos.tolist(), delta), ([[0, 1, 2, 3], [0, 1, 1, 3], [0, 1, 1, 3]], 0), f"{family} 2 frames")
    pos, delta = get_rope_index(ids, [(2, 2, 2)], configs["qwen2_5_vl"])
    assert_equal((pos.tolist(), delta), ([[0, 1, 1, 2]] * 3, -1), "qwen2_5_vl 2 frames")


def mrope_channels_take_t_h_w_by_section(fx: Fixtures) -> None:
    config = fx.model("qwen2_5_vl")[0].config.text  # head_dim 16, mrope_section [2, 3, 3], theta 1e4
    t, h, w = 2, 5, 11
    cos, sin = mrope_cos_sin(config, torch.tensor([[t], [h], [w]]))
    want_cos, want_sin = [], []
    for channel in range(16):
        j = channel % 8
        row = t if j < 2 else h if j < 5 else w
        angle = row * 10000.0 ** (-(2 * j) / 16)
        want_cos.append(math.cos(angle))
        want_sin.append(math.sin(angle))
    assert_close(cos[0], torch.tensor(want_cos), 1e-6, "mrope cos channels")
    assert_close(sin[0], torch.tensor(want_sin), 1e-6, "mrope sin channels")


def text_rotary_rotates_pairs_i_and_i_plus_half(fx: Fixtures) -> None:
    config = fx.model("qwen2_vl")[0].config.text
    positions = torch.arange(7)
    x = torch.randn(1, 7, 16, generator=torch.Generator().manual_seed(0))
    cos, sin = mrope_cos_sin(config, positions.view(1, -1).expand(3, -1))
    got = apply_rotary(x, cos, sin)
    inv = 10000.0 ** (-(torch.arange(0, 16, 2, dtype=torch.float64)) / 16)
    z = torch.complex(x[..., :8].double(), x[..., 8:].double()) * torch.exp(1j * positions[:, None].double() * inv)
    assert_close(got, torch.cat((z.real, z.imag), dim=-1).float(), 1e-5, "rotary as complex rotation")


def grouped_query_attention_equals_repeated_heads(fx: Fixtures) -> None:
    gqa_config = tiny_config("qwen2_5_vl", kv_heads=2)
    weights = random_weights(gqa_config, 11)
    mha_weights = dict(weights)
    for i in range(gqa_config["num_hidden_layers"]):
        for name in ("k_proj", "v_proj"):
            for part in ("weight", "bias"):
                key = f"model.layers.{i}.self_attn.{name}.{part}"
                t = weights[key]
                mha_weights[key] = t.view(2, 16, *t.shape[1:]).repeat_interleave(2, dim=0).reshape(64, *t.shape[1:])
    gqa = QwenVL(fx.write("gqa", gqa_config, weights))
    mha = QwenVL(fx.write("mha", tiny_config("qwen2_5_vl", kv_heads=4), mha_weights))
    ids = [5, 6, 7, 8, 9, 10]
    assert_close(gqa.logits(gqa.prompt(ids, None, None)), mha.logits(mha.prompt(ids, None, None)), 1e-5, "GQA vs MHA")


def logits_are_causal(fx: Fixtures) -> None:
    for family in FAMILIES:
        model = fx.model(family, seed=12)[0]
        grids = [(1, 6, 10)]
        pixels = random_pixels(grids, 12, pixel_row(family))
        ids = image_prompt(grids)
        full = model.logits(model.prompt(ids, pixels, grids))
        cut = ids.index(VE) + 2
        prefix = model.logits(model.prompt(ids[:cut], pixels, grids))
        assert_close(prefix, full[:cut], 1e-5, f"{family}: prefix logits")
        changed = list(ids)
        changed[cut] = 200
        other = model.logits(model.prompt(changed, pixels, grids))
        assert_differ(other[cut], full[cut], 1e-3, f"{family}: token at cut")


def kv_cache_generation_equals_full_recompute(fx: Fixtures) -> None:
    for family in FAMILIES:
        model = fx.model(family, seed=13)[0]
        grids = [(1, 6, 10), (1, 4, 4)]
        pixels = random_pixels(grids, 13, pixel_row(family))
        ids = image_prompt(grids)
        assert model.prompt(ids, pixels, grids).rope_delta != 0
        args = ({"base": model}, "base", 0.5, ids, pixels, grids, 6, [], SHARED_VOCAB)
        cached, recomputed = generate(*args), generate(*args, use_cache=False)
        assert_equal(cached.tokens, recomputed.tokens, f"{family}: tokens")
        for step, (a, b) in enumerate(zip(cached.scores, recomputed.scores)):
            assert_close(a, b, 1e-4, f"{family}: step {step} logits")
        # Decode positions matter: a wrong rope delta changes the next logits.
        prompt = model.prompt(ids, pixels, grids)
        wrong = dataclasses.replace(prompt, rope_delta=0)
        some = cached.tokens[:3]
        assert_differ(model.logits(wrong, some)[-1], model.logits(prompt, some)[-1], 1e-3, family)


CHECKS = [
    rope_index_matches_hand_worked_positions,
    mrope_channels_take_t_h_w_by_section,
    text_rotary_rotates_pairs_i_and_i_plus_half,
    grouped_query_attention_equals_repeated_heads,
    logits_are_causal,
    kv_cache_generation_equals_full_recompute,
]
