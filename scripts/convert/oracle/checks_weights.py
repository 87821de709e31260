"""Self-checks of reading checkpoints: dtypes, both namings, shards, tied heads, text_config."""

from __future__ import annotations

import copy

import torch

from checkpoint import Checkpoint
from config import load_config
from fixtures import Fixtures, assert_equal
from model import QwenVL
from safetensors_io import read_header
from testmodels import image_prompt, nested_text, pixel_row, random_pixels, random_weights, tiny_config

GRIDS = [(1, 6, 10), (1, 4, 4)]
FAMILIES = ("qwen2_5_vl", "qwen2_vl", "qwen3_vl")


def _logits_and_features(model: QwenVL) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits, and the image features with any DeepStack levels stacked under them."""
    pixels = random_pixels(GRIDS, 5, pixel_row(model.config.family))
    prompt = model.prompt(image_prompt(GRIDS), pixels, GRIDS)
    encoded = model.encode_images(pixels, GRIDS)
    return model.logits(prompt), torch.cat([encoded.features] + encoded.deepstack)


def reading_bf16_and_f16_equals_the_upcast(fx: Fixtures) -> None:
    config = tiny_config("qwen2_5_vl")
    weights = random_weights(config, 1)
    for dtype, torch_dtype in (("BF16", torch.bfloat16), ("F16", torch.float16)):
        ckpt = Checkpoint(fx.write("dtype-" + dtype, config, weights, dtype=dtype))
        for name, w in weights.items():
            assert_equal(ckpt.dtype(name), dtype, f"{name} dtype")
            assert_equal(ckpt.get(name), w.to(torch_dtype).float(), f"{name} read from {dtype}")
        # bf16 really rounds (to nearest even), so the test above is not trivially an f32 copy.
        assert not torch.equal(weights["model.norm.weight"].to(torch_dtype).float(), weights["model.norm.weight"])


def safetensors_header_metadata_is_skipped_and_offsets_absolute(fx: Fixtures) -> None:
    config = tiny_config("qwen2_vl")
    weights = random_weights(config, 2)
    folder = fx.write("meta", config, weights)
    entries = read_header(folder + "/model.safetensors")
    assert "__metadata__" not in entries
    assert_equal(sorted(entries), sorted(n for n in weights), "tensor names")
    first = min(entries.values(), key=lambda e: e.begin)
    with open(folder + "/model.safetensors", "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
    assert_equal(first.begin, 8 + header_len, "first tensor starts right after the header")


def both_namings_shards_and_dtypes_give_identical_outputs(fx: Fixtures) -> None:
    # Qwen3-VL publishes the newer naming, so for it "published" and "newer" coincide and "older" is the variant.
    for family in FAMILIES:
        config = tiny_config(family)
        weights = random_weights(config, 3)
        rounded = {n: w.to(torch.bfloat16).float() for n, w in weights.items()}
        ref_logits, ref_features = _logits_and_features(QwenVL(fx.write("ref", config, weights)))
        ref16_logits, ref16_features = _logits_and_features(QwenVL(fx.write("ref16", config, rounded)))
        variants = [
            ("newer naming", weights, {"naming": "newer"}),
            ("older naming", weights, {"naming": "older"}),
            ("published, 3 shards", weights, {"shards": 3}),
            ("newer naming, 2 shards", weights, {"naming": "newer", "shards": 2}),
            ("bf16 published", rounded, {"dtype": "BF16", "_ref": "16"}),
            ("bf16 newer, 3 shards", rounded, {"dtype": "BF16", "naming": "newer", "shards": 3, "_ref": "16"}),
        ]
        for label, w, options in variants:
            use16 = options.pop("_ref", None) == "16"
            model = QwenVL(fx.write("variant", config, w, **options))
            logits, features = _logits_and_features(model)
            assert_equal(logits, ref16_logits if use16 else ref_logits, f"{family} {label}: logits")
            assert_equal(features, ref16_features if use16 else ref_features, f"{family} {label}: features")


def tied_head_equals_an_untied_copy_of_the_embedding(fx: Fixtures) -> None:
    for family in FAMILIES:
        tied_config = tiny_config(family, tied=True)
        weights = random_weights(tied_config, 4)
        tied = QwenVL(fx.write("tied", tied_config, weights))
        assert not tied.ckpt.has("lm_head.weight")
        untied_weights = dict(weights) | {"lm_head.weight": weights["model.embed_tokens.weight"].clone()}
        untied = QwenVL(fx.write("untied", tiny_config(family), untied_weights))
        assert_equal(_logits_and_features(tied)[0], _logits_and_features(untied)[0], f"{family} tied vs untied logits")


def text_config_and_top_level_read_alike(fx: Fixtures) -> None:
    for family in ("qwen2_5_vl", "qwen2_vl"):
        config = tiny_config(family)
        weights = random_weights(config, 5)
        top = fx.write("top", config, weights)
        nested = fx.write("nested", config, weights, text_config=True, naming="newer")
        assert_equal(load_config(nested), load_config(top), f"{family} config from text_config")
        assert_equal(_logits_and_features(QwenVL(nested))[0], _logits_and_features(QwenVL(top))[0], f"{family} logits")
        # text_config wins over a stale top level (transformers builds the text config from it alone).
        stale = copy.deepcopy(nested_text(config))
        stale["rms_norm_eps"] = 0.5
        assert_equal(load_config(fx.config_folder(stale)).text.rms_norm_eps, 1e-6, "text_config rms_norm_eps wins")


def every_tensor_is_used(fx: Fixtures) -> None:
    # A forgotten bias or norm weight shows up as a tensor nobody read.
    for family in FAMILIES:
        for tied in (False, True):
            config = tiny_config(family, tied=tied)
            if family == "qwen3_vl" and tied:
                config["text_config"]["attention_bias"] = True  # then q/k/v/o all carry biases
            weights = random_weights(config, 6)
            model = QwenVL(fx.write("used", config, weights))
            _logits_and_features(model)
            unused = sorted(set(model.ckpt.names()) - model.ckpt.read)
            assert_equal(unused, [], f"{family} tied={tied}: tensors never read")


CHECKS = [
    reading_bf16_and_f16_equals_the_upcast,
    safetensors_header_metadata_is_skipped_and_offsets_absolute,
    both_namings_shards_and_dtypes_give_identical_outputs,
    tied_head_equals_an_untied_copy_of_the_embedding,
    text_config_and_top_level_read_alike,
    every_tensor_is_used,
]
