"""Small ops shared by the vision tower and the decoder, each as transformers computes it."""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """Qwen2RMSNorm: weight * (x * rsqrt(mean(x^2) + eps)), in float32."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    """torch.nn.LayerNorm (Qwen2-VL vision blocks and merger use eps 1e-6)."""
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


def _quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


def _gelu_new(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


# transformers' ACT2FN entries the Qwen-VL configs can name.
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "silu": F.silu,
    "swish": F.silu,
    "gelu": F.gelu,  # exact (erf)
    "quick_gelu": _quick_gelu,
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_new": _gelu_new,
    "relu": F.relu,
}


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """[x1, x2] -> [-x2, x1] over the last dimension (pairs i with i + d/2, not neighbours)."""
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return (x * cos) + (rotate_half(x) * sin)


def attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """eager_attention_forward for q [H, S, D], k/v [KV, T, D] (head h reads kv head h // (H/KV)).

    mask: additive [S, T] (the dtype's minimum where a key is hidden, as transformers' causal mask).
    Returns [S, H * D].
    """
    heads, kv_heads = q.shape[0], k.shape[0]
    n_rep = heads // kv_heads
    if n_rep > 1:  # repeat_kv
        k = k[:, None].expand(kv_heads, n_rep, *k.shape[1:]).reshape(heads, *k.shape[1:])
        v = v[:, None].expand(kv_heads, n_rep, *v.shape[1:]).reshape(heads, *v.shape[1:])
    scores = torch.matmul(q, k.transpose(1, 2)) * (q.shape[-1] ** -0.5)
    if mask is not None:
        scores = scores + mask
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
    out = torch.matmul(probs, v)  # [H, S, D]
    return out.transpose(0, 1).reshape(q.shape[1], heads * q.shape[-1])
