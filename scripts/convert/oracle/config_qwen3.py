"""Qwen3-VL's config.json -> the oracle's TextConfig / VisionConfig (configuration_qwen3_vl.py).

Qwen3VLConfig builds its text config from `text_config` alone (top-level sizes are not read) and
its vision config from `vision_config`; absent keys take Qwen3VLTextConfig / Qwen3VLVisionConfig's
defaults (transformers 4.57). Where 4.57 and 5.x read a config differently the oracle refuses the
ambiguous case instead of picking one (see README.md, "Which transformers").
"""

from __future__ import annotations

import sys

from config import TextConfig, VisionConfig, plain_text_sizes, read_in_channels, rope_dict, vision_heads
from errors import OracleError
from fields import Fields, sub_dict

TEXT_DEFAULTS: dict[str, object] = {
    "vocab_size": 151936,
    "hidden_size": 4096,
    "intermediate_size": 22016,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "head_dim": 128,  # not hidden_size // num_attention_heads: the default is a number
    "hidden_act": "silu",
    "rms_norm_eps": 1e-6,
    "attention_bias": False,
}
VISION_DEFAULTS: dict[str, object] = {
    "depth": 27,
    "hidden_size": 1152,
    "hidden_act": "gelu_pytorch_tanh",
    "intermediate_size": 4304,
    "num_heads": 16,
    "patch_size": 16,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
    "out_hidden_size": 3584,
    "num_position_embeddings": 2304,
    "deepstack_visual_indexes": [8, 16, 24],
}
MROPE_SECTION_DEFAULT = [24, 20, 20]  # Qwen3VLTextRotaryEmbedding: rope_scaling.get("mrope_section", ...)


def qwen3_text_config(path: str, data: dict) -> TextConfig:
    if not isinstance(data.get("text_config"), dict):
        raise OracleError(
            f"{path}: model_type qwen3_vl needs a 'text_config' object (Qwen3VLConfig reads text sizes there)"
        )
    text = sub_dict(path, data, "text_config")
    _note_ignored_top_level(path, data)
    fields = Fields(path, [("text_config.", text)], TEXT_DEFAULTS)
    heads = fields.get_int("num_attention_heads")
    if "num_key_value_heads" in text and text["num_key_value_heads"] is None:
        kv_heads = heads  # Qwen3VLTextConfig: an explicit null means MHA
    else:
        kv_heads = fields.get_int("num_key_value_heads")
    if heads % kv_heads:
        raise OracleError(f"{path}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kv_heads}")
    head_dim = fields.get_int("head_dim")
    if head_dim % 2:
        raise OracleError(f"{path}: 'text_config.head_dim' {head_dim} must be even (rotate_half)")
    rope, rope_where = rope_dict(path, [("text_config.", text)])
    bias = fields.get_bool("attention_bias")
    return TextConfig(
        **plain_text_sizes(fields),
        hidden_size=fields.get_int("hidden_size"),
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        rope_theta=_rope_theta(path, rope, rope_where, text),
        mrope_section=_mrope_section(path, rope, rope_where),
        tie_word_embeddings=_tied(path, data, text),
        head_dim=head_dim,
        qkv_bias=bias,
        o_bias=bias,
        qk_norm=True,
        mrope_interleaved=True,
    )


def _note_ignored_top_level(path: str, data: dict) -> None:
    stray = sorted(k for k in TEXT_DEFAULTS.keys() | {"rope_theta", "rope_scaling", "rope_parameters"} if k in data)
    if stray:
        print(
            f"oracle: {path}: top-level {', '.join(stray)} ignored (Qwen3VLConfig reads them from text_config only)",
            file=sys.stderr,
        )


def _rope_theta(path: str, rope: dict, rope_where: str, text: dict) -> float:
    # 4.57 reads text_config.rope_theta; 5.x keeps it in rope_parameters (moving a top-level one there).
    places = ((rope.get("rope_theta"), rope_where + ".rope_theta"), (text.get("rope_theta"), "text_config.rope_theta"))
    found = [(value, where) for value, where in places if value is not None]
    if not found:
        raise OracleError(
            f"{path}: 'text_config.rope_theta' is missing; transformers 4.57 would use 5000000 and 5.x 500000, "
            "so the oracle wants it written out"
        )
    if len(found) == 2 and found[0][0] != found[1][0]:
        raise OracleError(f"{path}: '{found[0][1]}' {found[0][0]!r} and '{found[1][1]}' {found[1][0]!r} disagree")
    value, where = found[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise OracleError(f"{path}: '{where}' must be a positive number, got {value!r}")
    return float(value)


def _mrope_section(path: str, rope: dict, rope_where: str) -> tuple[int, int, int]:
    rope_type = rope.get("rope_type", "default")
    legacy_type = rope.get("type")
    if rope_type != "default" or legacy_type not in (None, "default", "mrope"):
        raise OracleError(f"{path}: '{rope_where}' type {rope.get('rope_type', legacy_type)!r} is not 'default'")
    if rope.get("mrope_interleaved") is False:
        print(
            f"oracle: {path}: '{rope_where}.mrope_interleaved' is false, but transformers' Qwen3-VL never "
            "reads it and always interleaves",
            file=sys.stderr,
        )
    section = rope.get("mrope_section", MROPE_SECTION_DEFAULT)
    if (
        not isinstance(section, list)
        or len(section) != 3
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in section)
    ):
        raise OracleError(f"{path}: '{rope_where}.mrope_section' must be 3 non-negative integers, got {section!r}")
    return section[0], section[1], section[2]


def _tied(path: str, data: dict, text: dict) -> bool:
    # 4.57 ties by text_config.tie_word_embeddings, 5.x by the top-level key; both default to false.
    found = []
    for where, scope in (("text_config.tie_word_embeddings", text), ("tie_word_embeddings", data)):
        value = scope.get("tie_word_embeddings")
        if value is None:
            continue
        if not isinstance(value, bool):
            raise OracleError(f"{path}: '{where}' must be true or false, got {value!r}")
        found.append(value)
    if len(found) == 2 and found[0] != found[1]:
        raise OracleError(
            f"{path}: 'text_config.tie_word_embeddings' ({found[0]}) and the top-level 'tie_word_embeddings' "
            f"({found[1]}) disagree; transformers 4.57 follows the first, 5.x the second"
        )
    return found[0] if found else False


def qwen3_vision_config(path: str, data: dict) -> VisionConfig:
    vision = sub_dict(path, data, "vision_config")
    fields = Fields(path, [("vision_config.", vision)], VISION_DEFAULTS)
    width = fields.get_int("hidden_size")
    return VisionConfig(
        family="qwen3_vl",
        depth=fields.get_int("depth"),
        width=width,
        out_hidden_size=fields.get_int("out_hidden_size"),
        intermediate_size=fields.get_int("intermediate_size"),
        num_heads=vision_heads(path, fields, width),
        hidden_act=fields.get_act("hidden_act"),
        in_channels=read_in_channels(path, vision),
        patch_size=fields.get_int("patch_size"),
        temporal_patch_size=fields.get_int("temporal_patch_size"),
        spatial_merge_size=fields.get_int("spatial_merge_size"),
        window_size=0,
        fullatt_block_indexes=(),
        tokens_per_second=1.0,
        num_position_embeddings=fields.get_int("num_position_embeddings"),
        deepstack_visual_indexes=fields.get_int_list("deepstack_visual_indexes"),
    )
