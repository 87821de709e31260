#!/usr/bin/python3
"""What Hugging Face transformers computes on a Qwen2-VL / Qwen2.5-VL / Qwen3-VL checkpoint, without transformers.

Usage: /usr/bin/python3 scripts/convert/oracle/oracle.py REQUEST.json [REQUEST.json ...]
Prints one JSON object on stdout (a JSON list of them for several requests, which share loaded models
and one torch start-up); binary outputs go to <out>.features.f32 (for Qwen3-VL also
<out>.deepstack.f32) / <out>.logits.f32 (little-endian float32, row-major). Bad input: a message on
stderr and exit code 2.
See README.md in this folder for the request fields and what each part ports.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from errors import OracleError  # noqa: E402
from generate import generate  # noqa: E402
from model import QwenVL  # noqa: E402
from request import Request, parse_request, read_pixels  # noqa: E402


def write_f32(path: str, tensor: torch.Tensor) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tensor.detach().numpy().astype("<f4").tofile(path)


_loaded: dict[str, QwenVL] = {}


def load(folder: str) -> QwenVL:
    """One QwenVL per distinct folder, kept for the requests that follow."""
    key = os.path.realpath(folder)
    if key not in _loaded:
        _loaded[key] = QwenVL(folder)
    return _loaded[key]


def load_models(folders: dict[str, str]) -> dict[str, QwenVL]:
    return {role: load(folder) for role, folder in folders.items()}


def run(req: Request) -> dict[str, object]:
    torch.set_grad_enabled(False)
    if req.task == "vision":
        assert req.model is not None and req.out is not None and req.image_grid_thw is not None
        model = load(req.model)
        encoded = model.encode_images(read_pixels(req.pixel_values), req.image_grid_thw)
        write_f32(req.out + ".features.f32", encoded.features)
        result: dict[str, object] = {"dims": list(encoded.features.shape)}
        if model.config.family == "qwen3_vl":
            tokens, hidden = encoded.features.shape
            deepstack = torch.stack(encoded.deepstack) if encoded.deepstack else torch.zeros(0, tokens, hidden)
            write_f32(req.out + ".deepstack.f32", deepstack)
            result["deepstack_dims"] = list(deepstack.shape)
        return result
    if req.task == "logits":
        assert req.model is not None and req.out is not None and req.input_ids is not None
        model = load(req.model)
        prompt = model.prompt(req.input_ids, read_pixels(req.pixel_values), req.image_grid_thw)
        logits = model.logits(prompt)
        write_f32(req.out + ".logits.f32", logits)
        return {"dims": list(logits.shape), "rope_deltas": prompt.rope_delta}
    assert req.input_ids is not None
    models = load_models(req.models)
    rows = {role: m.text.vocab_rows for role, m in models.items()}
    shared = req.shared_vocab if req.shared_vocab is not None else min(rows.values())
    for role, n in rows.items():
        if shared > n:
            raise OracleError(f"request field 'shared_vocab' {shared} exceeds the {n} logit rows of models.{role}")
    result = generate(
        models,
        req.mode,
        req.alpha,
        req.input_ids,
        read_pixels(req.pixel_values),
        req.image_grid_thw,
        req.max_new_tokens,
        req.eos_token_ids,
        shared,
    )
    return {"tokens": result.tokens}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: oracle.py REQUEST.json [REQUEST.json ...]", file=sys.stderr)
        return 2
    try:
        results = [run(parse_request(path)) for path in argv[1:]]
        print(json.dumps(results[0] if len(argv) == 2 else results))
    except OracleError as e:
        print(f"oracle: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
