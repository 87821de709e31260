"""The language model: Qwen2VLTextModel / Qwen2_5_VLTextModel plus lm_head (float32, one sequence).

Decoder layer: x += o_proj(attn(rms(x))); x += down(act(gate(rms(x))) * up(rms(x))); q/k/v carry
biases, o_proj does not; GQA; M-RoPE with mrope_section; a causal mask; final RMSNorm; lm_head
(the embedding matrix when tie_word_embeddings).
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


def rope_inv_freq(config: TextConfig) -> torch.Tensor:
    """_compute_default_rope_parameters ("mrope" is read as "default"): theta^(-2i/d), float32."""
    dim = config.head_dim
    return 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def mrope_cos_sin(config: TextConfig, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Qwen2VLRotaryEmbedding + the section pick of apply_multimodal_rotary_pos_emb.

    positions [3, S] (t, h, w). Angles are computed per row, duplicated to head_dim, then the
    channel chunks [s0, s1, s2, s0, s1, s2] take their angle from rows t, h, w, t, h, w.
    Returns cos, sin [S, head_dim].
    """
    inv_freq = rope_inv_freq(config)
    freqs = positions.float()[:, :, None] * inv_freq[None, None, :]  # [3, S, head_dim/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    sections = list(config.mrope_section) * 2

    def pick(table: torch.Tensor) -> torch.Tensor:
        return torch.cat([chunk[i % 3] for i, chunk in enumerate(table.split(sections, dim=-1))], dim=-1)

    return pick(cos), pick(sin)


@dataclass
class LayerWeights:
    input_norm: torch.Tensor
    post_norm: torch.Tensor
    q: tuple[torch.Tensor, torch.Tensor]
    k: tuple[torch.Tensor, torch.Tensor]
    v: tuple[torch.Tensor, torch.Tensor]
    o: torch.Tensor
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


class TextModel:
    def __init__(self, config: TextConfig, ckpt: Checkpoint) -> None:
        self.config = config
        c = config
        hd, kv = c.head_dim, c.num_key_value_heads * c.head_dim
        self.embed_tokens = ckpt.get("model.embed_tokens.weight", (c.vocab_size, c.hidden_size))
        self.layers = []
        for i in range(c.num_hidden_layers):
            p = f"model.layers.{i}."

            def lin(name: str, out_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
                weight = ckpt.get(p + name + ".weight", (out_dim, c.hidden_size))
                return weight, ckpt.get(p + name + ".bias", (out_dim,))

            self.layers.append(
                LayerWeights(
                    input_norm=ckpt.get(p + "input_layernorm.weight", (c.hidden_size,)),
                    post_norm=ckpt.get(p + "post_attention_layernorm.weight", (c.hidden_size,)),
                    q=lin("self_attn.q_proj", c.num_attention_heads * hd),
                    k=lin("self_attn.k_proj", kv),
                    v=lin("self_attn.v_proj", kv),
                    o=ckpt.get(p + "self_attn.o_proj.weight", (c.hidden_size, c.num_attention_heads * hd)),
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

    def forward(self, embeds: torch.Tensor, positions: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Logits [S, rows] for embeds [S, hidden] at positions [3, S]; appends to cache if given."""
        c = self.config
        s, past = embeds.shape[0], cache.length if cache is not None else 0
        cos, sin = mrope_cos_sin(c, positions)
        # Causal over absolute indices: query past+i sees keys 0..past+i.
        mask = torch.full((s, past + s), torch.finfo(torch.float32).min).triu(past + 1)
        x = embeds
        for i, layer in enumerate(self.layers):
            h = rms_norm(x, layer.input_norm, c.rms_norm_eps)
            q = F.linear(h, *layer.q).view(s, -1, c.head_dim).transpose(0, 1)
            k = F.linear(h, *layer.k).view(s, -1, c.head_dim).transpose(0, 1)
            v = F.linear(h, *layer.v).view(s, -1, c.head_dim).transpose(0, 1)
            q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
            if cache is not None:
                if len(cache.keys) > i:
                    k = torch.cat((cache.keys[i], k), dim=1)
                    v = torch.cat((cache.values[i], v), dim=1)
                    cache.keys[i], cache.values[i] = k, v
                else:
                    cache.keys.append(k)
                    cache.values.append(v)
            x = x + F.linear(attention(q, k, v, mask), layer.o)
            h = rms_norm(x, layer.post_norm, c.rms_norm_eps)
            x = x + F.linear(self.act(F.linear(h, layer.gate)) * F.linear(h, layer.up), layer.down)
        return F.linear(rms_norm(x, self.norm, c.rms_norm_eps), self.lm_head)
