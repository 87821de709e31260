"""Self-checks of reading Qwen3-VL configs: the published layout, transformers 5's, defaults, and the
cases where transformers 4.57 and 5.x would disagree (refused, naming the keys)."""

from __future__ import annotations

import contextlib
import copy
import io

from config import load_config
from errors import OracleError
from fixtures import Fixtures, assert_equal
from testmodels import tiny_config


def _refused(fx: Fixtures, config: dict, *needles: str) -> None:
    try:
        load_config(fx.config_folder(config))
    except OracleError as e:
        assert all(n in str(e) for n in needles), (needles, str(e))
        return
    raise AssertionError(f"accepted a config that should be refused ({needles})")


# Qwen/Qwen3-VL-4B-Instruct's config.json (transformers 4.57.0.dev0), the keys that matter.
PUBLISHED_4B = {
    "architectures": ["Qwen3VLForConditionalGeneration"],
    "image_token_id": 151655,
    "model_type": "qwen3_vl",
    "text_config": {
        "attention_bias": False,
        "head_dim": 128,
        "hidden_act": "silu",
        "hidden_size": 2560,
        "intermediate_size": 9728,
        "max_position_embeddings": 262144,
        "model_type": "qwen3_vl_text",
        "num_attention_heads": 32,
        "num_hidden_layers": 36,
        "num_key_value_heads": 8,
        "rms_norm_eps": 1e-06,
        "rope_scaling": {"mrope_interleaved": True, "mrope_section": [24, 20, 20], "rope_type": "default"},
        "rope_theta": 5000000,
        "tie_word_embeddings": True,
        "vocab_size": 151936,
    },
    "tie_word_embeddings": True,
    "video_token_id": 151656,
    "vision_config": {
        "deepstack_visual_indexes": [5, 11, 17],
        "depth": 24,
        "hidden_act": "gelu_pytorch_tanh",
        "hidden_size": 1024,
        "in_channels": 3,
        "intermediate_size": 4096,
        "model_type": "qwen3_vl",
        "num_heads": 16,
        "num_position_embeddings": 2304,
        "out_hidden_size": 2560,
        "patch_size": 16,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
    },
    "vision_end_token_id": 151653,
    "vision_start_token_id": 151652,
}


def the_published_4b_config_reads_as_qwen3_vl_4b(fx: Fixtures) -> None:
    config = load_config(fx.config_folder(PUBLISHED_4B))
    t, v = config.text, config.vision
    text = (t.hidden_size, t.num_hidden_layers, t.num_attention_heads, t.num_key_value_heads, t.head_dim)
    assert_equal(text, (2560, 36, 32, 8, 128), "text sizes (head_dim 128, not 2560 / 32 = 80)")
    rope = (t.rope_theta, t.mrope_section, t.mrope_interleaved, t.qk_norm, t.qkv_bias, t.tie_word_embeddings)
    assert_equal(rope, (5e6, (24, 20, 20), True, True, False, True), "rope, norms, biases, tied head")
    vision = (v.depth, v.width, v.num_heads, v.patch_values, v.out_hidden_size, v.deepstack_visual_indexes)
    assert_equal(vision, (24, 1024, 16, 1536, 2560, (5, 11, 17)), "vision sizes")
    assert_equal((config.image_token_id, config.vision_start_token_id), (151655, 151652), "token ids")


def published_layout_reads_as_written(fx: Fixtures) -> None:
    text = load_config(fx.config_folder(tiny_config("qwen3_vl"))).text
    want = (32, 10000.0, (6, 5, 5), True, True, False, False, 2)
    got = (text.head_dim, text.rope_theta, text.mrope_section, text.qk_norm, text.mrope_interleaved)
    got += (text.qkv_bias, text.o_bias, text.num_key_value_heads)
    assert_equal(got, want, "head_dim, theta, section, qk norm, interleaved, biases, kv heads")


def transformers_5_layout_reads_the_same(fx: Fixtures) -> None:
    # 5.x saves rope_parameters with rope_theta inside and the tie flag at the top level only.
    published = tiny_config("qwen3_vl", tied=True)
    newer = copy.deepcopy(published)
    text = newer["text_config"]
    rope = text.pop("rope_scaling")
    text["rope_parameters"] = rope | {"rope_theta": text.pop("rope_theta")}
    del text["tie_word_embeddings"]
    assert_equal(load_config(fx.config_folder(newer)), load_config(fx.config_folder(published)), "5.x layout")


def absent_keys_take_qwen3_vl_defaults(fx: Fixtures) -> None:
    config = tiny_config("qwen3_vl")
    text = config["text_config"]
    for key in ("head_dim", "attention_bias", "tie_word_embeddings", "rms_norm_eps"):
        del text[key]
    del config["tie_word_embeddings"]
    del text["rope_scaling"]["mrope_section"]
    text["num_key_value_heads"] = None  # Qwen3VLTextConfig: null means one kv head per head
    t = load_config(fx.config_folder(config)).text
    got = (t.head_dim, t.qkv_bias, t.tie_word_embeddings, t.rms_norm_eps, t.mrope_section, t.num_key_value_heads)
    assert_equal(got, (128, False, False, 1e-6, (24, 20, 20), 4), "defaults (head_dim 128, not hidden/heads = 16)")


def top_level_text_keys_are_ignored(fx: Fixtures) -> None:
    config = tiny_config("qwen3_vl")
    config |= {"hidden_size": 999, "num_hidden_layers": 7}
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        text = load_config(fx.config_folder(config)).text
    assert_equal((text.hidden_size, text.num_hidden_layers), (64, 3), "sizes from text_config")
    assert "hidden_size, num_hidden_layers ignored" in err.getvalue(), err.getvalue()


def ambiguous_or_unsupported_configs_are_refused(fx: Fixtures) -> None:
    base = tiny_config("qwen3_vl")

    def variant(edit: dict[str, object], text_edit: dict[str, object] | None = None, drop: tuple = ()) -> dict:
        config = copy.deepcopy(base) | edit
        config["text_config"] |= text_edit or {}
        for key in drop:
            del config["text_config"][key]
        return config

    _refused(fx, {k: v for k, v in base.items() if k != "text_config"}, "'text_config'")
    _refused(fx, variant({}, drop=("rope_theta",)), "rope_theta", "5000000", "500000")
    _refused(fx, variant({"tie_word_embeddings": True}), "tie_word_embeddings", "disagree")
    _refused(fx, variant({}, drop=("rope_scaling",)), "rope_scaling")
    _refused(fx, variant({}, {"rope_scaling": {"rope_type": "yarn", "mrope_section": [6, 5, 5]}}), "'yarn'")
    _refused(fx, variant({}, {"rope_scaling": {"mrope_section": [6, 5]}}), "mrope_section")
    theta_twice = {"rope_scaling": {"mrope_section": [6, 5, 5], "rope_theta": 5.0}}
    _refused(fx, variant({}, theta_twice), "rope_theta", "disagree")
    _refused(fx, variant({"vision_config": base["vision_config"] | {"deepstack_visual_indexes": 8}}), "deepstack")
    # and an accepted neighbour of each, so the refusals are about the key named
    agreeing = load_config(fx.config_folder(variant({"tie_word_embeddings": False}))).text
    assert_equal(agreeing.tie_word_embeddings, False, "tie flags that agree")
    same_theta = {"rope_scaling": {"mrope_section": [6, 5, 5], "rope_theta": 10000.0}}
    theta = load_config(fx.config_folder(variant({}, same_theta))).text.rope_theta
    assert_equal(theta, 10000.0, "theta written twice alike")


def a_false_interleave_flag_is_noted_not_obeyed(fx: Fixtures) -> None:
    config = tiny_config("qwen3_vl")
    config["text_config"]["rope_scaling"]["mrope_interleaved"] = False
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        text = load_config(fx.config_folder(config)).text
    reference = load_config(fx.config_folder(tiny_config("qwen3_vl"))).text
    assert_equal(text, reference, "still interleaved")
    assert "always interleaves" in err.getvalue(), err.getvalue()


CHECKS = [
    the_published_4b_config_reads_as_qwen3_vl_4b,
    published_layout_reads_as_written,
    transformers_5_layout_reads_the_same,
    absent_keys_take_qwen3_vl_defaults,
    top_level_text_keys_are_ignored,
    ambiguous_or_unsupported_configs_are_refused,
    a_false_interleave_flag_is_noted_not_obeyed,
]
