"""The language model: Qwen2VLTextModel / Qwen2_5_VLTextModel / Qwen3VLTextModel plus lm_head
(float32, one sequence).

Decoder layer: x += o_proj(attn(rms(x))); x += down(act(gate(rms(x))) * up(rms(x))); GQA; M-RoPE;
a causal mask; final RMSNorm; lm_head (the embedding matrix when tie_word_embeddings).
Qwen2 families: q/k/v carry biases, o_proj does not, head_dim = hidden / heads, sectioned M-RoPE.
Qwen3-VL: biases only with attention_bias (then on o_proj too), head_dim from the config, q and k
RMS-normed per head before the rotary, interleaved M-RoPE, and DeepStack: after decoder layer i
(i < number of DeepStack levels) the level-i visual features are added at the image positions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from checkpoint import Checkpoint
from config import TextConfig
from errors import OracleError
from layers import ACTIVATIONS, apply_rotary, attention, rms_norm
from text_rope import mrope_cos_sin

Linear = tuple[torch.Tensor, "torch.Tensor | None"]


@dataclass
class LayerWeights:
    input_norm: torch.Tensor
    post_norm: torch.Tensor
    q: Linear
    k: Linear
    v: Linear
    o: Linear
    q_norm: torch.Tensor | None
    k_norm: torch.Tensor | None
    gate: torch.Tensor
    up: torch.Tensor
    down: torch.Tensor


@dataclass
class KVCache:
    """Per layer, keys and values [kv_heads, T, head_dim] of every token seen so far."""

    keys: list[torch.Tensor] = field(default_factory=list)
    values: list[torch.Tensor] = field(default_factory=list)

    @property
    def length(self) -> int:
        return self.keys[0].shape[1] if self.keys else 0


@dataclass
class Deepstack:
    """Qwen3VLTextModel's visual_pos_masks [S] (bool, over the rows being run) and
    deepstack_visual_embeds: level i [mask.sum(), hidden] is added after decoder layer i."""

    mask: torch.Tensor
    features: list[torch.Tensor]


class TextModel:
    def __init__(self, config: TextConfig, ckpt: Checkpoint) -> None:
        self.config = c = config
        hd, q_rows, kv_rows = c.head_dim, c.num_attention_heads * c.head_dim, c.num_key_value_heads * c.head_dim
        self.embed_tokens = ckpt.get("model.embed_tokens.weight", (c.vocab_size, c.hidden_size))
        self.layers = []
        for i in range(c.num_hidden_layers):
            p = f"model.layers.{i}."

            def lin(name: str, out_dim: int, in_dim: int, bias: bool) -> Linear:
                weight = ckpt.get(p + name + ".weight", (out_dim, in_dim))
                return weight, ckpt.get(p + name + ".bias", (out_dim,)) if bias else None

            def head_norm(name: str) -> torch.Tensor | None:
                return ckpt.get(p + name + ".weight", (hd,)) if c.qk_norm else None

            self.layers.append(
                LayerWeights(
                    input_norm=ckpt.get(p + "input_layernorm.weight", (c.hidden_size,)),
                    post_norm=ckpt.get(p + "post_attention_layernorm.weight", (c.hidden_size,)),
                    q=lin("self_attn.q_proj", q_rows, c.hidden_size, c.qkv_bias),
                    k=lin("self_attn.k_proj", kv_rows, c.hidden_size, c.qkv_bias),
                    v=lin("self_attn.v_proj", kv_rows, c.hidden_size, c.qkv_bias),
                    o=lin("self_attn.o_proj", c.hidden_size, q_rows, c.o_bias),
                    q_norm=head_norm("self_attn.q_norm"),
                    k_norm=head_norm("self_attn.k_norm"),
                    gate=ckpt.get(p + "mlp.gate_proj.weight", (c.intermediate_size, c.hidden_size)),
                    up=ckpt.get(p + "mlp.up_proj.weight", (c.intermediate_size, c.hidden_size)),
                    down=ckpt.get(p + "mlp.down_proj.weight", (c.hidden_size, c.intermediate_size)),
                )
            )
        self.norm = ckpt.get("model.norm.weight", (c.hidden_size,))
        self.lm_head = self._lm_head(ckpt)
        self.act = ACTIVATIONS[c.hidden_act]

    def _lm_head(self, ckpt: Checkpoint) -> torch.Tensor:
        if self.config.tie_word_embeddings:
            if ckpt.has("lm_head.weight"):
                print(f"oracle: {ckpt.folder}: tie_word_embeddings is true; lm_head.weight is ignored", file=sys.stderr)
            return self.embed_tokens
        if not ckpt.has("lm_head.weight"):
            raise OracleError(f"{ckpt.folder}: tensor 'lm_head.weight' is missing and tie_word_embeddings is false")
        return ckpt.get("lm_head.weight", (self.config.vocab_size, self.config.hidden_size))

    @property
    def vocab_rows(self) -> int:
        return self.lm_head.shape[0]

    def embed(self, ids: list[int]) -> torch.Tensor:
        rows = self.embed_tokens.shape[0]
        bad = [t for t in ids if not 0 <= t < rows]
        if bad:
            raise OracleError(f"input_ids: {bad[0]} is outside the embedding's {rows} rows")
        return F.embedding(torch.tensor(ids, dtype=torch.long), self.embed_tokens)

    def _attention(
        self, i: int, h: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor, cache: KVCache | None
    ) -> torch.Tensor:
        c, layer, s = self.config, self.layers[i], h.shape[0]
        q = F.linear(h, *layer.q).view(s, -1, c.head_dim)
        k = F.linear(h, *layer.k).view(s, -1, c.head_dim)
        v = F.linear(h, *layer.v).view(s, -1, c.head_dim).transpose(0, 1)
        if layer.q_norm is not None and layer.k_norm is not None:  # per head, before the rotary
            q, k = rms_norm(q, layer.q_norm, c.rms_norm_eps), rms_norm(k, layer.k_norm, c.rms_norm_eps)
        q, k = apply_rotary(q.transpose(0, 1), cos, sin), apply_rotary(k.transpose(0, 1), cos, sin)
        if cache is not None:
            if len(cache.keys) > i:
                k = torch.cat((cache.keys[i], k), dim=1)
                v = torch.cat((cache.values[i], v), dim=1)
                cache.keys[i], cache.values[i] = k, v
            else:
                cache.keys.append(k)
                cache.values.append(v)
        return F.linear(attention(q, k, v, mask), *layer.o)

    def run_layers(
        self,
        x: torch.Tensor,
        positions: torch.Tensor,
        cache: KVCache | None = None,
        deepstack: Deepstack | None = None,
        layers: range | None = None,
    ) -> torch.Tensor:
        """Hidden states [S, hidden] after the given decoder layers (all by default), before the final norm.

        x: the rows' input [S, hidden] at positions [3, S]; with a cache, the rows follow the cached ones."""
        c = self.config
        layers = layers if layers is not None else range(c.num_hidden_layers)
        if cache is not None and layers != range(c.num_hidden_layers):
            raise ValueError("a KV cache needs every layer")
        s, past = x.shape[0], cache.length if cache is not None else 0
        cos, sin = mrope_cos_sin(c, positions)
        # Causal over absolute indices: query past+i sees keys 0..past+i.
        mask = torch.full((s, past + s), torch.finfo(torch.float32).min).triu(past + 1)
        for i in layers:
            layer = self.layers[i]
            x = x + self._attention(i, rms_norm(x, layer.input_norm, c.rms_norm_eps), cos, sin, mask, cache)
            h = rms_norm(x, layer.post_norm, c.rms_norm_eps)
            x = x + F.linear(self.act(F.linear(h, layer.gate)) * F.linear(h, layer.up), layer.down)
            if deepstack is not None and i < len(deepstack.features):
                x = x.clone()
                x[deepstack.mask] = x[deepstack.mask] + deepstack.features[i]
        return x

    def head(self, hidden: torch.Tensor) -> torch.Tensor:
        """The final RMSNorm and lm_head: logits [S, rows]."""
        return F.linear(rms_norm(hidden, self.norm, self.config.rms_norm_eps), self.lm_head)

    def forward(
        self,
        embeds: torch.Tensor,
        positions: torch.Tensor,
        cache: KVCache | None = None,
        deepstack: Deepstack | None = None,
    ) -> torch.Tensor:
        """Logits [S, rows] for embeds [S, hidden] at positions [3, S]; appends to cache if given."""
        return self.head(self.run_layers(embeds, positions, cache, deepstack))
