"""Self-checks of decoding and of the command line (requests, outputs, errors)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import torch

from fixtures import Fixtures, assert_close, assert_equal
from generate import generate
from model import QwenVL
from oracle import main as oracle_main
from testmodels import SHARED_VOCAB, image_prompt, pixel_row, random_pixels, random_weights, tiny_config

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle.py")
GRIDS = [(1, 6, 10)]


def _trio(fx: Fixtures) -> dict[str, QwenVL]:
    """Base with 300 rows; expert and amateur with 280 (the real trio differs in padding rows too)."""
    small = tiny_config("qwen2_5_vl", tied=True)
    small["vocab_size"] = 280
    return {
        "base": fx.model("qwen2_5_vl", seed=21)[0],
        "expert": QwenVL(fx.write("expert", small, random_weights(small, 22))),
        "amateur": QwenVL(fx.write("amateur", small, random_weights(small, 23))),
    }


def _run(models: dict[str, QwenVL], mode: str, alpha: float, steps: int = 5, eos: list[int] | None = None):
    ids, pixels = image_prompt(GRIDS), random_pixels(GRIDS, 20)
    return generate(models, mode, alpha, ids, pixels, GRIDS, steps, eos or [], SHARED_VOCAB)


def guided_merges_raw_logits(fx: Fixtures) -> None:
    trio = _trio(fx)
    alpha = 0.7
    guided = _run(trio, "guided", alpha)
    assert_equal(_run(trio, "guided", 0.0).tokens, _run(trio, "base", 0.0).tokens, "alpha 0 = base")
    same = dict(trio, amateur=trio["expert"])
    assert_equal(_run(same, "guided", alpha).tokens, _run(trio, "base", 0.0).tokens, "expert = amateur -> base")
    # Step 0 by hand from each model's own prompt logits.
    ids, pixels = image_prompt(GRIDS), random_pixels(GRIDS, 20)
    last = {r: m.logits(m.prompt(ids, pixels, GRIDS))[-1][:SHARED_VOCAB] for r, m in trio.items()}
    want = last["base"] + alpha * (last["expert"] - last["amateur"])
    assert_close(guided.scores[0], want, 1e-5, "step 0 merged scores")
    assert_equal(guided.tokens[0], int(torch.argmax(want)), "step 0 token")


def padding_rows_are_never_emitted(fx: Fixtures) -> None:
    model = fx.model("qwen2_5_vl", seed=24)[0]
    head = model.text.lm_head
    head[SHARED_VOCAB:] = 40.0 * head[: head.shape[0] - SHARED_VOCAB]  # padding rows that would win
    ids, pixels = image_prompt(GRIDS), random_pixels(GRIDS, 24)
    assert int(model.logits(model.prompt(ids, pixels, GRIDS))[-1].argmax()) >= SHARED_VOCAB
    tokens = _run({"base": model}, "base", 0.0, steps=4).tokens
    assert all(t < SHARED_VOCAB for t in tokens), tokens


def eos_stops_and_is_kept(fx: Fixtures) -> None:
    model = fx.model("qwen2_vl", seed=25)[0]
    tokens = _run({"base": model}, "base", 0.0, steps=6).tokens
    k = max(i for i, t in enumerate(tokens) if t not in tokens[:i])  # a token's first occurrence
    assert_equal(_run({"base": model}, "base", 0.0, steps=6, eos=[tokens[k]]).tokens, tokens[: k + 1], "eos")


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def _cli(fx: Fixtures, request: dict, subprocess_run: bool = False) -> Done:
    """The command line on a request: in a real process, or (faster) its main() in this one."""
    path = fx.folder("request") + ".json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(request, f)
    if subprocess_run:
        done = subprocess.run([sys.executable, ORACLE, path], capture_output=True, text=True, timeout=120)
        return Done(done.returncode, done.stdout, done.stderr)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = oracle_main(["oracle.py", path])
    return Done(code, out.getvalue(), err.getvalue())


def command_line_matches_in_process_results(fx: Fixtures) -> None:
    trio = _trio(fx)
    base = trio["base"]
    pixels = random_pixels(GRIDS, 20)
    pixel_file = fx.folder("pixels") + ".f32"
    pixels.numpy().astype("<f4").tofile(pixel_file)
    ids = image_prompt(GRIDS)
    out = fx.folder("out") + "/result"
    common = {"pixel_values": pixel_file, "image_grid_thw": [list(g) for g in GRIDS], "out": out}

    done = _cli(fx, {"task": "vision", "model": base.folder} | common)
    assert done.returncode == 0, done.stderr
    want = base.image_features(pixels, GRIDS)
    assert_equal(json.loads(done.stdout), {"dims": list(want.shape)}, "vision stdout")
    assert_equal(torch.from_numpy(np.fromfile(out + ".features.f32", "<f4")).view(want.shape), want, "features file")

    done = _cli(fx, {"task": "logits", "model": base.folder, "input_ids": ids} | common)
    assert done.returncode == 0, done.stderr
    prompt = base.prompt(ids, pixels, GRIDS)
    want = base.logits(prompt)
    assert_equal(json.loads(done.stdout), {"dims": list(want.shape), "rope_deltas": prompt.rope_delta}, "logits stdout")
    assert_equal(torch.from_numpy(np.fromfile(out + ".logits.f32", "<f4")).view(want.shape), want, "logits file")

    folders = {role: m.folder for role, m in trio.items()}
    request = {"task": "generate", "models": folders, "mode": "guided", "alpha": 0.5, "input_ids": ids}
    request |= common | {"max_new_tokens": 5, "eos_token_ids": [], "shared_vocab": SHARED_VOCAB}
    done = _cli(fx, request, subprocess_run=True)
    assert done.returncode == 0, done.stderr
    assert_equal(json.loads(done.stdout), {"tokens": _run(trio, "guided", 0.5).tokens}, "generate stdout")


def bad_input_exits_2_naming_the_problem(fx: Fixtures) -> None:
    config = tiny_config("qwen2_vl")
    weights = random_weights(config, 26)
    dropped = "model.layers.1.mlp.up_proj.weight"
    missing = fx.write("missing", config, {n: w for n, w in weights.items() if n != dropped})
    wrong = fx.write("wrong-shape", config, weights | {"model.norm.weight": torch.ones(63)})
    good = fx.write("good", config, weights)
    cases = [
        ({"task": "logits", "model": missing, "input_ids": [1, 2], "out": "/tmp/x"}, dropped),
        ({"task": "logits", "model": wrong, "input_ids": [1, 2], "out": "/tmp/x"}, "model.norm.weight"),
        ({"task": "translate", "model": good}, "'task'"),
        ({"task": "logits", "model": good, "input_ids": [1, 999], "out": "/tmp/x"}, "999"),
        ({"task": "generate", "models": {"base": good}, "mode": "guided", "input_ids": [1]}, "models.expert"),
        ({"task": "logits", "model": fx.folder("nowhere"), "input_ids": [1], "out": "/tmp/x"}, "does not exist"),
    ]
    for i, (request, needle) in enumerate(cases):
        done = _cli(fx, request, subprocess_run=i == 0)
        assert done.returncode == 2 and needle in done.stderr, (request, done.returncode, done.stderr)
        assert done.stdout == "", done.stdout


def command_line_writes_qwen3_deepstack_levels(fx: Fixtures) -> None:
    model = fx.model("qwen3_vl", seed=27)[0]
    grids = [(1, 6, 10), (1, 4, 4)]
    pixels = random_pixels(grids, 27, pixel_row("qwen3_vl"))
    pixel_file = fx.folder("pixels") + ".f32"
    pixels.numpy().astype("<f4").tofile(pixel_file)
    out = fx.folder("out") + "/q3"
    common = {"model": model.folder, "pixel_values": pixel_file, "image_grid_thw": [list(g) for g in grids], "out": out}
    done = _cli(fx, {"task": "vision"} | common)
    assert done.returncode == 0, done.stderr
    want = model.encode_images(pixels, grids)
    levels = torch.stack(want.deepstack)
    assert_equal(json.loads(done.stdout), {"dims": [19, 64], "deepstack_dims": [2, 19, 64]}, "vision stdout")
    assert_equal(_read(out + ".features.f32", want.features.shape), want.features, "features file")
    assert_equal(_read(out + ".deepstack.f32", levels.shape), levels, "deepstack file")
    ids = image_prompt(grids)
    done = _cli(fx, {"task": "logits", "input_ids": ids} | common)
    assert done.returncode == 0, done.stderr
    logits = model.logits(model.prompt(ids, pixels, grids))
    assert_equal(_read(out + ".logits.f32", logits.shape), logits, "logits file")
    # No DeepStack levels: an empty [0, tokens, hidden] file.
    config = tiny_config("qwen3_vl")
    config["vision_config"]["deepstack_visual_indexes"] = []
    weights = {n: w for n, w in random_weights(config, 27).items() if "deepstack" not in n}
    done = _cli(fx, {"task": "vision"} | common | {"model": fx.write("no-deepstack", config, weights)})
    assert done.returncode == 0, done.stderr
    assert_equal(json.loads(done.stdout)["deepstack_dims"], [0, 19, 64], "no levels")
    assert_equal(os.path.getsize(out + ".deepstack.f32"), 0, "empty deepstack file")


def _read(path: str, shape: torch.Size) -> torch.Tensor:
    return torch.from_numpy(np.fromfile(path, "<f4")).view(shape)


def bad_qwen3_input_exits_2_naming_the_problem(fx: Fixtures) -> None:
    config = tiny_config("qwen3_vl")
    weights = random_weights(config, 28)
    dropped = "visual.deepstack_merger_list.1.linear_fc2.bias"
    missing = fx.write("missing", config, {n: w for n, w in weights.items() if n != dropped})
    no_theta = copy.deepcopy(config)
    del no_theta["text_config"]["rope_theta"]
    pixel_file = fx.folder("pixels") + ".f32"
    random_pixels([(1, 4, 4)], 28, pixel_row("qwen3_vl")).numpy().astype("<f4").tofile(pixel_file)
    image = {"pixel_values": pixel_file, "image_grid_thw": [[1, 4, 4]], "out": "/tmp/x"}
    good = fx.write("good", config, weights)
    qwen2_pixels = fx.folder("pixels") + ".f32"
    random_pixels([(1, 4, 4)], 28).numpy().astype("<f4").tofile(qwen2_pixels)
    cases = [
        ({"task": "vision", "model": missing} | image, "deepstack_merger_list.1.linear_fc2.bias"),
        ({"task": "logits", "model": fx.write("no-theta", no_theta, weights), "input_ids": [1]}, "rope_theta"),
        # Qwen2-sized patch rows (1176 values) for a patch-16 tower (1536)
        ({"task": "vision", "model": good} | image | {"pixel_values": qwen2_pixels}, "1536"),
    ]
    for request, needle in cases:
        done = _cli(fx, request | {"out": "/tmp/x"})
        assert done.returncode == 2 and needle in done.stderr, (request, done.returncode, done.stderr)
        assert done.stdout == "", done.stdout


CHECKS = [
    guided_merges_raw_logits,
    padding_rows_are_never_emitted,
    eos_stops_and_is_kept,
    command_line_matches_in_process_results,
    bad_input_exits_2_naming_the_problem,
    command_line_writes_qwen3_deepstack_levels,
    bad_qwen3_input_exits_2_naming_the_problem,
]
