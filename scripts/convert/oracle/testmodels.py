"""Tiny random Qwen2-VL / Qwen2.5-VL / Qwen3-VL checkpoints for the self-check, written as real
checkpoint folders (config.json + safetensors, the layouts the published repos use)."""

from __future__ import annotations

import copy
import json
import math
import os

import torch

from safetensors_io import write_file

# Token ids of the tiny models: 256 shared ids, 44 padding rows (as 151936 vs 152064 rows).
SHARED_VOCAB = 256
VOCAB_ROWS = 300
VISION_START, VISION_END, IMAGE, VIDEO = 250, 251, 252, 253
TEXT_KEYS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "hidden_act",
    "rms_norm_eps",
    "rope_theta",
    "rope_scaling",
    "tie_word_embeddings",
)


def tiny_config(family: str, *, tied: bool = False, kv_heads: int = 2) -> dict:
    if family == "qwen3_vl":
        return tiny_qwen3_config(tied=tied, kv_heads=kv_heads)
    vision: dict[str, object]
    if family == "qwen2_5_vl":
        vision = {
            "depth": 3,
            "hidden_size": 32,
            "intermediate_size": 48,
            "num_heads": 2,
            "out_hidden_size": 64,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "window_size": 56,  # 2 merged units per window side
            "fullatt_block_indexes": [1],
            "in_chans": 3,
            "hidden_act": "silu",
            "tokens_per_second": 2,
        }
    else:
        vision = {
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": 64,
            "mlp_ratio": 2,
            "num_heads": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "in_chans": 3,
            "hidden_act": "quick_gelu",
        }
    return {
        "model_type": family,
        "vocab_size": VOCAB_ROWS,
        "hidden_size": 64,
        "intermediate_size": 96,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": kv_heads,
        "hidden_act": "silu",
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
        "tie_word_embeddings": tied,
        "image_token_id": IMAGE,
        "video_token_id": VIDEO,
        "vision_start_token_id": VISION_START,
        "vision_end_token_id": VISION_END,
        "vision_config": vision,
    }


def tiny_qwen3_config(*, tied: bool = False, kv_heads: int = 2) -> dict:
    """Published Qwen3-VL layout: text sizes only in text_config, rope_theta there too, the tie
    flag at both levels. head_dim 32 is not hidden/heads (16); 16 rotary frequencies split
    [6, 5, 5] the interleaved way; a 6x6 position table; DeepStack from blocks 1 and 2 into
    decoder layers 0 and 1 of 3."""
    return {
        "model_type": "qwen3_vl",
        "image_token_id": IMAGE,
        "video_token_id": VIDEO,
        "vision_start_token_id": VISION_START,
        "vision_end_token_id": VISION_END,
        "tie_word_embeddings": tied,
        "text_config": {
            "model_type": "qwen3_vl_text",
            "vocab_size": VOCAB_ROWS,
            "hidden_size": 64,
            "intermediate_size": 96,
            "num_hidden_layers": 3,
            "num_attention_heads": 4,
            "num_key_value_heads": kv_heads,
            "head_dim": 32,
            "hidden_act": "silu",
            "rms_norm_eps": 1e-6,
            "rope_theta": 10000.0,
            "rope_scaling": {"rope_type": "default", "mrope_section": [6, 5, 5], "mrope_interleaved": True},
            "attention_bias": False,
            "tie_word_embeddings": tied,
        },
        "vision_config": {
            "depth": 4,
            "hidden_size": 32,
            "intermediate_size": 48,
            "num_heads": 2,
            "out_hidden_size": 64,
            "patch_size": 16,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "in_channels": 3,
            "hidden_act": "gelu_pytorch_tanh",
            "num_position_embeddings": 36,
            "deepstack_visual_indexes": [1, 2],
        },
    }


def nested_text(config: dict) -> dict:
    """The newer transformers layout: text sizes inside text_config only (Qwen2 families)."""
    if config["model_type"] == "qwen3_vl":
        raise ValueError("Qwen3-VL configs are nested already")
    out = {k: v for k, v in config.items() if k not in TEXT_KEYS}
    out["text_config"] = {k: config[k] for k in TEXT_KEYS} | {"model_type": config["model_type"] + "_text"}
    return out


def weight_shapes(config: dict) -> dict[str, tuple[int, ...]]:
    """Every tensor of the model under the oracle's names (lm_head included even when tied)."""
    if config["model_type"] == "qwen3_vl":
        return qwen3_weight_shapes(config)
    v = config["vision_config"]
    qwen25 = config["model_type"] == "qwen2_5_vl"
    width = v["hidden_size"] if qwen25 else v["embed_dim"]
    inter = v["intermediate_size"] if qwen25 else int(width * v["mlp_ratio"])
    out_dim = v["out_hidden_size"] if qwen25 else v["hidden_size"]
    merged = width * v["spatial_merge_size"] ** 2
    shapes: dict[str, tuple[int, ...]] = {
        "visual.patch_embed.proj.weight": (width, 3, v["temporal_patch_size"], v["patch_size"], v["patch_size"])
    }
    norms = ["weight"] if qwen25 else ["weight", "bias"]
    for i in range(v["depth"]):
        p = f"visual.blocks.{i}."
        for n in ("norm1", "norm2"):
            for s in norms:
                shapes[f"{p}{n}.{s}"] = (width,)
        shapes[p + "attn.qkv.weight"], shapes[p + "attn.qkv.bias"] = (3 * width, width), (3 * width,)
        shapes[p + "attn.proj.weight"], shapes[p + "attn.proj.bias"] = (width, width), (width,)
        mlp = {"gate_proj": (inter, width), "up_proj": (inter, width), "down_proj": (width, inter)}
        if not qwen25:
            mlp = {"fc1": (inter, width), "fc2": (width, inter)}
        for n, shape in mlp.items():
            shapes[f"{p}mlp.{n}.weight"], shapes[f"{p}mlp.{n}.bias"] = shape, shape[:1]
    for s in norms:
        shapes[f"visual.merger.ln_q.{s}"] = (width,)
    shapes["visual.merger.mlp.0.weight"], shapes["visual.merger.mlp.0.bias"] = (merged, merged), (merged,)
    shapes["visual.merger.mlp.2.weight"], shapes["visual.merger.mlp.2.bias"] = (out_dim, merged), (out_dim,)
    h, heads, kv = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    hd, ti = h // heads, config["intermediate_size"]
    shapes["model.embed_tokens.weight"] = (config["vocab_size"], h)
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = shapes[p + "post_attention_layernorm.weight"] = (h,)
        for n, rows in (("q_proj", heads * hd), ("k_proj", kv * hd), ("v_proj", kv * hd)):
            shapes[f"{p}self_attn.{n}.weight"], shapes[f"{p}self_attn.{n}.bias"] = (rows, h), (rows,)
        shapes[p + "self_attn.o_proj.weight"] = (h, heads * hd)
        shapes[p + "mlp.gate_proj.weight"] = shapes[p + "mlp.up_proj.weight"] = (ti, h)
        shapes[p + "mlp.down_proj.weight"] = (h, ti)
    shapes["model.norm.weight"] = (h,)
    shapes["lm_head.weight"] = (config["vocab_size"], h)
    return shapes


def qwen3_weight_shapes(config: dict) -> dict[str, tuple[int, ...]]:
    """Qwen3VLForConditionalGeneration's parameters, written out from its modules' shapes."""
    v, t = config["vision_config"], config["text_config"]
    width, inter, out_dim = v["hidden_size"], v["intermediate_size"], v["out_hidden_size"]
    merged = width * v["spatial_merge_size"] ** 2
    shapes: dict[str, tuple[int, ...]] = {
        "visual.patch_embed.proj.weight": (width, 3, v["temporal_patch_size"], v["patch_size"], v["patch_size"]),
        "visual.patch_embed.proj.bias": (width,),
        "visual.pos_embed.weight": (v["num_position_embeddings"], width),
    }
    for i in range(v["depth"]):
        p = f"visual.blocks.{i}."
        for n in ("norm1", "norm2"):
            shapes[f"{p}{n}.weight"] = shapes[f"{p}{n}.bias"] = (width,)
        for n, shape in (
            ("attn.qkv", (3 * width, width)),
            ("attn.proj", (width, width)),
            ("mlp.linear_fc1", (inter, width)),
            ("mlp.linear_fc2", (width, inter)),
        ):
            shapes[f"{p}{n}.weight"], shapes[f"{p}{n}.bias"] = shape, shape[:1]
    mergers = [("visual.merger.", width)]
    mergers += [(f"visual.deepstack_merger_list.{k}.", merged) for k in range(len(v["deepstack_visual_indexes"]))]
    for p, norm_width in mergers:
        shapes[p + "norm.weight"] = shapes[p + "norm.bias"] = (norm_width,)
        shapes[p + "linear_fc1.weight"], shapes[p + "linear_fc1.bias"] = (merged, merged), (merged,)
        shapes[p + "linear_fc2.weight"], shapes[p + "linear_fc2.bias"] = (out_dim, merged), (out_dim,)
    h, heads, kv, hd = t["hidden_size"], t["num_attention_heads"], t["num_key_value_heads"], t["head_dim"]
    ti = t["intermediate_size"]
    shapes["model.embed_tokens.weight"] = (t["vocab_size"], h)
    for i in range(t["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = shapes[p + "post_attention_layernorm.weight"] = (h,)
        shapes[p + "self_attn.q_proj.weight"] = (heads * hd, h)
        shapes[p + "self_attn.k_proj.weight"] = shapes[p + "self_attn.v_proj.weight"] = (kv * hd, h)
        shapes[p + "self_attn.o_proj.weight"] = (h, heads * hd)
        if t.get("attention_bias"):
            shapes[p + "self_attn.q_proj.bias"] = (heads * hd,)
            shapes[p + "self_attn.k_proj.bias"] = shapes[p + "self_attn.v_proj.bias"] = (kv * hd,)
            shapes[p + "self_attn.o_proj.bias"] = (h,)
        shapes[p + "self_attn.q_norm.weight"] = shapes[p + "self_attn.k_norm.weight"] = (hd,)
        shapes[p + "mlp.gate_proj.weight"] = shapes[p + "mlp.up_proj.weight"] = (ti, h)
        shapes[p + "mlp.down_proj.weight"] = (h, ti)
    shapes["model.norm.weight"] = (h,)
    shapes["lm_head.weight"] = (t["vocab_size"], h)
    return shapes


def random_weights(config: dict, seed: int) -> dict[str, torch.Tensor]:
    """Weights that keep activations O(1): norms near 1, biases non-zero (so a dropped bias shows)."""
    gen = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape in weight_shapes(config).items():
        noise = torch.randn(shape, generator=gen)
        if "norm" in name or "ln_q" in name:
            weights[name] = (1.0 + 0.2 * noise) if name.endswith("weight") else 0.1 * noise
        elif name.endswith("bias"):
            weights[name] = 0.2 * noise
        elif "embed_tokens" in name or "pos_embed" in name:
            weights[name] = noise
        else:
            fan_in = math.prod(shape[1:])
            weights[name] = noise * (1.5 / math.sqrt(fan_in))
    return weights


# transformers >= 4.52 names (and Qwen3-VL's published ones), written here independently of the reader's mapping.
NEWER_PREFIXES = (("visual.", "model.visual."), ("model.", "model.language_model."))


def newer(name: str) -> str:
    for old, new in NEWER_PREFIXES:
        if name.startswith(old):
            return new + name[len(old) :]
    return name


def write_checkpoint(
    folder: str,
    config: dict,
    weights: dict[str, torch.Tensor],
    *,
    naming: str = "published",
    dtype: str = "F32",
    shards: int = 1,
    text_config: bool = False,
) -> str:
    """naming: "published" (the family's: Qwen2-VL / Qwen2.5-VL say visual.* and model.layers.*,
    Qwen3-VL model.visual.* and model.language_model.*), "older" or "newer" (those two explicitly)."""
    if naming == "published":
        naming = "newer" if config["model_type"] == "qwen3_vl" else "older"
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(nested_text(config) if text_config else copy.deepcopy(config), f, indent=1)
    tensors = {
        (newer(n) if naming == "newer" else n): t
        for n, t in weights.items()
        if not (n == "lm_head.weight" and config["tie_word_embeddings"])
    }
    if shards == 1:
        write_file(os.path.join(folder, "model.safetensors"), tensors, dtype, {"format": "pt"})
        return folder
    names = list(tensors)
    weight_map = {}
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n] for n in names[s::shards]}
        write_file(os.path.join(folder, file), part, dtype, {"format": "pt"})
        weight_map |= {n: file for n in part}
    with open(os.path.join(folder, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    return folder


def image_prompt(grids: list[tuple[int, int, int]], merge: int = 2, text: tuple[int, ...] = (5, 17, 42)) -> list[int]:
    """text, then per image <vision_start> image tokens <vision_end> and a word, then a question."""
    ids = list(text)
    for i, (t, h, w) in enumerate(grids):
        ids += [VISION_START] + [IMAGE] * (t * h * w // merge**2) + [VISION_END, 60 + i]
    return ids + [7, 99, 123]


def pixel_row(family: str) -> int:
    """Values per patch row: channels x temporal patch x patch^2 (patch 16 for Qwen3-VL, else 14)."""
    patch = 16 if family == "qwen3_vl" else 14
    return 3 * 2 * patch * patch


def random_pixels(grids: list[tuple[int, int, int]], seed: int, row: int = 3 * 2 * 14 * 14) -> torch.Tensor:
    """Textured pixels (no two patches alike), already in patch rows (pixel_row(family) values each)."""
    gen = torch.Generator().manual_seed(10_000 + seed)  # not the weights' stream (seed 1 would copy the patch weights)
    return torch.randn(sum(t * h * w for t, h, w in grids), row, generator=gen)
