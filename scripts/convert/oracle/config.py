"""config.json -> the sizes the oracle needs, with transformers' defaults for absent keys.

Follows configuration_qwen2_vl.py / configuration_qwen2_5_vl.py (Qwen2VLTextConfig,
Qwen2VLVisionConfig, Qwen2_5_VLVisionConfig, Qwen2_5_VLConfig). Text keys are read from
`text_config` when present, else from the top level (published repos keep them there).
Qwen3-VL (configuration_qwen3_vl.py) is read by config_qwen3.py into the same dataclasses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from errors import OracleError
from fields import Fields, sub_dict
from jsonfile import read_json_object

FAMILIES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")

# transformers' constructor defaults (the Qwen2 families share the text ones; Qwen3-VL's: config_qwen3.py).
TEXT_DEFAULTS: dict[str, object] = {
    "vocab_size": 152064,
    "hidden_size": 8192,
    "intermediate_size": 29568,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-5,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "use_sliding_window": False,
}
VISION_DEFAULTS: dict[str, dict[str, object]] = {
    "qwen2_5_vl": {
        "depth": 32,
        "hidden_size": 3584,
        "hidden_act": "silu",
        "intermediate_size": 3420,
        "num_heads": 16,
        "patch_size": 14,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
        "tokens_per_second": 4,
        "window_size": 112,
        "out_hidden_size": 3584,
        "fullatt_block_indexes": [7, 15, 23, 31],
    },
    "qwen2_vl": {
        "depth": 32,
        "embed_dim": 1280,
        "hidden_size": 3584,
        "hidden_act": "quick_gelu",
        "mlp_ratio": 4,
        "num_heads": 16,
        "patch_size": 14,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
    },
}
TOKEN_DEFAULTS = {"image_token_id": 151655, "video_token_id": 151656, "vision_start_token_id": 151652}


@dataclass(frozen=True)
class TextConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    hidden_act: str
    rms_norm_eps: float
    rope_theta: float
    mrope_section: tuple[int, int, int]
    tie_word_embeddings: bool
    # Qwen2VLAttention: hidden_size // num_heads (a `head_dim` key is not read); Qwen3-VL: the key.
    head_dim: int
    qkv_bias: bool  # Qwen2: always; Qwen3-VL: attention_bias
    o_bias: bool  # Qwen2: never; Qwen3-VL: attention_bias
    qk_norm: bool  # Qwen3-VL: per-head RMSNorm on q and k before the rotary
    mrope_interleaved: bool  # Qwen3-VL: channels take t/h/w by apply_interleaved_mrope


@dataclass(frozen=True)
class VisionConfig:
    family: str
    depth: int
    width: int  # qwen2_5_vl hidden_size, qwen2_vl embed_dim
    out_hidden_size: int  # qwen2_5_vl out_hidden_size, qwen2_vl hidden_size
    intermediate_size: int  # qwen2_5_vl intermediate_size, qwen2_vl int(embed_dim * mlp_ratio)
    num_heads: int
    hidden_act: str
    in_channels: int
    patch_size: int
    temporal_patch_size: int
    spatial_merge_size: int
    window_size: int  # qwen2_5_vl only
    fullatt_block_indexes: tuple[int, ...]  # qwen2_5_vl only
    tokens_per_second: float  # qwen2_5_vl only (video positions)
    num_position_embeddings: int = 0  # qwen3_vl only: learned position table (side^2 rows)
    deepstack_visual_indexes: tuple[int, ...] = ()  # qwen3_vl only

    @property
    def head_dim(self) -> int:
        return self.width // self.num_heads

    @property
    def patch_values(self) -> int:
        return self.in_channels * self.temporal_patch_size * self.patch_size * self.patch_size


@dataclass(frozen=True)
class ModelConfig:
    family: str
    text: TextConfig
    vision: VisionConfig
    image_token_id: int
    video_token_id: int
    vision_start_token_id: int


def load_config(folder: str) -> ModelConfig:
    path = os.path.join(folder, "config.json")
    data = read_json_object(path, "the config")
    family = data.get("model_type")
    if family not in FAMILIES:
        raise OracleError(f"{path}: 'model_type' is {family!r}, expected one of {', '.join(FAMILIES)}")
    tokens = Fields(path, [("", data)], TOKEN_DEFAULTS)
    if family == "qwen3_vl":
        from config_qwen3 import qwen3_text_config, qwen3_vision_config  # it imports this module

        text, vision = qwen3_text_config(path, data), qwen3_vision_config(path, data)
    else:
        text, vision = _text_config(path, data), _vision_config(path, family, sub_dict(path, data, "vision_config"))
    return ModelConfig(
        family=family,
        text=text,
        vision=vision,
        image_token_id=tokens.get_int("image_token_id", 0),
        video_token_id=tokens.get_int("video_token_id", 0),
        vision_start_token_id=tokens.get_int("vision_start_token_id", 0),
    )


def _text_config(path: str, data: dict) -> TextConfig:
    text = sub_dict(path, data, "text_config")
    scopes = [("text_config.", text), ("", data)]
    fields = Fields(path, scopes, TEXT_DEFAULTS)
    if fields.get_bool("use_sliding_window"):
        raise OracleError(f"{path}: 'use_sliding_window' is true; the oracle ports full attention only")
    rope, rope_where = rope_dict(path, scopes)
    rope_type = rope.get("rope_type", rope.get("type", "default"))
    if rope_type not in ("mrope", "default"):
        raise OracleError(f"{path}: '{rope_where}' type {rope_type!r} is not mrope/default")
    theta_fields = Fields(path, [(rope_where + ".", rope)] + scopes, TEXT_DEFAULTS)
    hidden = fields.get_int("hidden_size")
    heads = fields.get_int("num_attention_heads")
    kv_heads = fields.get_int("num_key_value_heads")
    if hidden % heads or heads % kv_heads:
        raise OracleError(
            f"{path}: hidden_size {hidden}, num_attention_heads {heads}, num_key_value_heads {kv_heads} "
            "do not divide evenly"
        )
    section = rope.get("mrope_section")
    head_dim = hidden // heads
    if (
        not isinstance(section, list)
        or len(section) != 3
        or not all(isinstance(s, int) and s >= 0 for s in section)
        or sum(section) * 2 != head_dim
    ):
        raise OracleError(
            f"{path}: '{rope_where}.mrope_section' must be 3 integers summing to head_dim/2 = {head_dim // 2}, "
            f"got {section!r}"
        )
    return TextConfig(
        **plain_text_sizes(fields),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        rope_theta=theta_fields.get_float("rope_theta"),
        mrope_section=(section[0], section[1], section[2]),
        tie_word_embeddings=fields.get_bool("tie_word_embeddings"),
        head_dim=head_dim,
        qkv_bias=True,
        o_bias=False,
        qk_norm=False,
        mrope_interleaved=False,
    )


def plain_text_sizes(fields: Fields) -> dict[str, object]:
    """The TextConfig keys every family reads as they are (only the defaults differ)."""
    return {
        "vocab_size": fields.get_int("vocab_size"),
        "intermediate_size": fields.get_int("intermediate_size"),
        "num_hidden_layers": fields.get_int("num_hidden_layers"),
        "hidden_act": fields.get_act("hidden_act"),
        "rms_norm_eps": fields.get_float("rms_norm_eps"),
    }


def rope_dict(path: str, scopes: list[tuple[str, dict]]) -> tuple[dict, str]:
    # Published configs: rope_scaling {type: mrope, mrope_section}; transformers 5: rope_parameters.
    for prefix, scope in scopes:
        for key in ("rope_scaling", "rope_parameters"):
            value = scope.get(key)
            if isinstance(value, dict):
                return value, prefix + key
            if value is not None:
                raise OracleError(f"{path}: '{prefix}{key}' must be an object")
    raise OracleError(f"{path}: no 'rope_scaling' (or 'rope_parameters') with 'mrope_section'")


def _vision_config(path: str, family: str, vision: dict) -> VisionConfig:
    fields = Fields(path, [("vision_config.", vision)], VISION_DEFAULTS[family])
    in_channels = read_in_channels(path, vision)
    if family == "qwen2_5_vl":
        width = fields.get_int("hidden_size")
        out_hidden = fields.get_int("out_hidden_size")
        intermediate = fields.get_int("intermediate_size")
        window = fields.get_int("window_size")
        fullatt = fields.get_int_list("fullatt_block_indexes")
        tokens_per_second = fields.get_float("tokens_per_second")
    else:
        width = fields.get_int("embed_dim")
        out_hidden = fields.get_int("hidden_size")
        ratio = fields.get_float("mlp_ratio")
        intermediate = int(width * ratio)
        window, fullatt, tokens_per_second = 0, (), 1.0
    heads = vision_heads(path, fields, width)
    config = VisionConfig(
        family=family,
        depth=fields.get_int("depth"),
        width=width,
        out_hidden_size=out_hidden,
        intermediate_size=intermediate,
        num_heads=heads,
        hidden_act=fields.get_act("hidden_act"),
        in_channels=in_channels,
        patch_size=fields.get_int("patch_size"),
        temporal_patch_size=fields.get_int("temporal_patch_size"),
        spatial_merge_size=fields.get_int("spatial_merge_size"),
        window_size=window,
        fullatt_block_indexes=fullatt,
        tokens_per_second=tokens_per_second,
    )
    if family == "qwen2_5_vl" and window // config.spatial_merge_size // config.patch_size < 1:
        raise OracleError(
            f"{path}: 'vision_config.window_size' {window} is smaller than one merged unit "
            f"(spatial_merge_size {config.spatial_merge_size} x patch_size {config.patch_size} px)"
        )
    return config


def read_in_channels(path: str, vision: dict) -> int:
    in_channels = vision.get("in_channels", vision.get("in_chans", 3))
    if isinstance(in_channels, bool) or not isinstance(in_channels, int) or in_channels < 1:
        raise OracleError(f"{path}: 'vision_config.in_channels' must be a positive integer, got {in_channels!r}")
    return in_channels


def vision_heads(path: str, fields: Fields, width: int) -> int:
    """num_heads; the 2-D rotary needs a head size divisible by 4 (h and w halves of pairs)."""
    heads = fields.get_int("num_heads")
    if width % heads or (width // heads) % 4:
        raise OracleError(f"{path}: vision head size {width} / num_heads {heads} must be a whole multiple of 4")
    return heads
