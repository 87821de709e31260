"""Self-checks of the Qwen3-VL decoder: interleaved M-RoPE, per-head q/k norms, head_dim from the
config, and where the DeepStack levels enter."""

from __future__ import annotations

import dataclasses
import math

import torch

from fixtures import Fixtures, assert_close, assert_differ, assert_equal
from model import QwenVL
from testmodels import image_prompt, pixel_row, random_pixels
from text import Deepstack
from text_rope import interleaved_angles, mrope_cos_sin, sectioned_cos_sin

# Which position row each of the tiny model's 16 frequencies reads (head_dim 32, mrope_section
# [6, 5, 5]): h at j = 1, 4, ..., 13, w at 2, 5, ..., 14, t at the rest (0, 3, ..., 15).
TINY_ROWS = "THWTHWTHWTHWTHWT"


def interleaved_mrope_channels_take_t_h_w_in_turn(fx: Fixtures) -> None:
    text = fx.model("qwen3_vl")[0].config.text  # theta 1e4
    position = {"T": 2, "H": 5, "W": 11}
    cos, sin = mrope_cos_sin(text, torch.tensor([[2], [5], [11]]))
    angles = [position[TINY_ROWS[c % 16]] * 10000.0 ** (-(2 * (c % 16)) / 32) for c in range(32)]
    assert_close(cos[0], torch.tensor([math.cos(a) for a in angles]), 1e-6, "cos channels")
    assert_close(sin[0], torch.tensor([math.sin(a) for a in angles]), 1e-6, "sin channels")
    assert_differ(cos, sectioned_cos_sin(text, torch.tensor([[2], [5], [11]]))[0], 1e-3, "sectioned layout")

    def rows_of(head_dim: int, section: tuple[int, int, int]) -> str:
        config = dataclasses.replace(text, head_dim=head_dim, mrope_section=section)
        ratio = interleaved_angles(config, torch.tensor([[1], [2], [3]]))[0] / interleaved_angles(
            config, torch.tensor([[1], [1], [1]])
        )[0]
        return "".join("?THW"[int(round(r))] for r in ratio.tolist())

    # The published [24, 20, 20] over 64 frequencies: t gets 24 (0, 3, ..., 57 and 60-63).
    published = rows_of(128, (24, 20, 20))
    assert_equal(published, "THW" * 20 + "TTTT", "[24, 20, 20]")
    assert_equal([published.count(r) for r in "THW"], [24, 20, 20], "[24, 20, 20] counts")
    # Sections are slice ends, not counts: [2, 3, 3] over 8 gives w only 2 (slice(2, 9, 3) stops at 5).
    assert_equal(rows_of(16, (2, 3, 3)), "THWTHWTH", "[2, 3, 3]")


def first_decoder_layer_by_hand(fx: Fixtures) -> None:
    model, config, weights = fx.model("qwen3_vl", seed=41, kv_heads=2)
    t = config["text_config"]
    eps, hd, heads, kv = t["rms_norm_eps"], t["head_dim"], t["num_attention_heads"], t["num_key_value_heads"]
    x = torch.randn(6, t["hidden_size"], generator=torch.Generator().manual_seed(41))
    positions = torch.tensor([[0, 1, 2, 2, 2, 5], [0, 1, 2, 2, 3, 5], [0, 1, 2, 3, 2, 5]])
    got = model.text.run_layers(x, positions, layers=range(1))

    w = {n[len("model.layers.0.") :]: v.double() for n, v in weights.items() if n.startswith("model.layers.0.")}

    def rms(v: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return weight * v / torch.sqrt(v.pow(2).mean(-1, keepdim=True) + eps)

    def rotate(v: torch.Tensor) -> torch.Tensor:  # v [S, heads, hd]: pairs (j, j + hd/2) as complex numbers
        row = torch.tensor(["THW".index(r) for r in TINY_ROWS])
        angle = positions[row].T.double() * t["rope_theta"] ** (-2 * torch.arange(hd // 2).double() / hd)
        z = torch.complex(v[..., : hd // 2], v[..., hd // 2 :]) * torch.exp(1j * angle)[:, None, :]
        return torch.cat((z.real, z.imag), dim=-1)

    xd = x.double()
    h = rms(xd, w["input_layernorm.weight"])
    q = rotate(rms((h @ w["self_attn.q_proj.weight"].T).view(6, heads, hd), w["self_attn.q_norm.weight"]))
    k = rotate(rms((h @ w["self_attn.k_proj.weight"].T).view(6, kv, hd), w["self_attn.k_norm.weight"]))
    v = (h @ w["self_attn.v_proj.weight"].T).view(6, kv, hd)
    out = torch.zeros(6, heads, hd, dtype=torch.float64)
    for head in range(heads):
        g = head // (heads // kv)
        for i in range(6):
            scores = torch.stack([q[i, head] @ k[j, g] / math.sqrt(hd) for j in range(i + 1)])
            out[i, head] = torch.softmax(scores, 0) @ v[: i + 1, g]
    xd = xd + out.reshape(6, -1) @ w["self_attn.o_proj.weight"].T
    h = rms(xd, w["post_attention_layernorm.weight"])
    gate = h @ w["mlp.gate_proj.weight"].T
    xd = xd + (gate * torch.sigmoid(gate) * (h @ w["mlp.up_proj.weight"].T)) @ w["mlp.down_proj.weight"].T
    assert_close(got, xd.float(), 1e-4, "layer 0")


def q_and_k_norms_make_each_head_scale_free(fx: Fixtures) -> None:
    model, config, weights = fx.model("qwen3_vl", seed=42)
    ids = [5, 6, 7, 8, 9, 10, 11]
    base = model.logits(model.prompt(ids, None, None))
    # Rows of head h (head_dim 32 each) scaled by a positive factor per head.
    q_scale = torch.tensor([3.0, 0.25, 7.0, 1.0]).repeat_interleave(32)[:, None]
    k_scale = torch.tensor([0.5, 4.0]).repeat_interleave(32)[:, None]
    scaled = dict(weights)
    for i in range(config["text_config"]["num_hidden_layers"]):
        p = f"model.layers.{i}.self_attn."
        scaled[p + "q_proj.weight"] = weights[p + "q_proj.weight"] * q_scale
        scaled[p + "k_proj.weight"] = weights[p + "k_proj.weight"] * k_scale
    other = QwenVL(fx.write("qk-scaled", config, scaled))
    assert_close(other.logits(other.prompt(ids, None, None)), base, 1e-4, "per-head scaling")
    # Not vacuous: the norm's own weight does reach the logits.
    name = "model.layers.0.self_attn.q_norm.weight"
    norm = dict(weights) | {name: 3.0 * weights[name]}
    changed = QwenVL(fx.write("qnorm-scaled", config, norm))
    assert_differ(changed.logits(changed.prompt(ids, None, None)), base, 1e-3, "q_norm weight")


def deepstack_is_added_after_the_first_decoder_layers(fx: Fixtures) -> None:
    model = fx.model("qwen3_vl", seed=43)[0]  # 2 DeepStack levels, 3 decoder layers
    grids = [(1, 6, 10)]
    ids = image_prompt(grids)
    prompt = model.prompt(ids, random_pixels(grids, 43, pixel_row("qwen3_vl")), grids)
    mask, levels, text = prompt.image_mask, prompt.deepstack, model.text
    assert mask is not None and len(levels) == 2
    full = text.run_layers(prompt.embeds, prompt.positions, deepstack=prompt.deepstack_for())
    x = prompt.embeds
    for layer in range(3):  # by hand: layer by layer, level i added to the image rows after layer i
        x = text.run_layers(x, prompt.positions, layers=range(layer, layer + 1))
        if layer < len(levels):
            x = x.clone()
            x[mask] += levels[layer]
    assert_close(full, x, 1e-5, "injection after layers 0 and 1")
    plain = text.run_layers(prompt.embeds, prompt.positions)
    first = int(mask.nonzero()[0])
    assert_equal(full[:first], plain[:first], "rows before the image")
    assert_differ(full[first:], plain[first:], 1e-3, "rows from the image on")
    # Levels past the last decoder layer are never used; a level for the last layer is.
    extra = [torch.randn_like(levels[0]), torch.randn_like(levels[0])]
    three, four = Deepstack(mask, levels + extra[:1]), Deepstack(mask, levels + extra)
    at = text.run_layers(prompt.embeds, prompt.positions, deepstack=three)
    assert_equal(text.run_layers(prompt.embeds, prompt.positions, deepstack=four), at, "a 4th level on 3 layers")
    assert_differ(at, full, 1e-3, "a 3rd level after the last layer")


CHECKS = [
    interleaved_mrope_channels_take_t_h_w_in_turn,
    first_decoder_layer_by_hand,
    q_and_k_norms_make_each_head_scale_free,
    deepstack_is_added_after_the_first_decoder_layers,
]
