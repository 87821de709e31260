/**
 * Every weight of a Qwen-VL checkpoint, by its published name and PyTorch shape: what the converter
 * reads and what the synthetic checkpoints (tests) and the model factory write.
 */
import type { ModelDesc } from './model-desc';

export interface TensorSpec {
  name: string;
  shape: number[];
  kind: 'linear' | 'bias' | 'norm' | 'embedding';
}

export function expectedTensors(d: ModelDesc, opts: { withLmHead?: boolean } = {}): TensorSpec[] {
  const out: TensorSpec[] = [];
  const add = (name: string, shape: number[], kind: TensorSpec['kind']) => out.push({ name, shape, kind });
  const lin = (name: string, n: number, k: number, bias: boolean) => {
    add(`${name}.weight`, [n, k], 'linear');
    if (bias) add(`${name}.bias`, [n], 'bias');
  };
  const v = d.vision;
  const E = v.width;
  add('visual.patch_embed.proj.weight', [E, v.inChans, v.temporalPatch, v.patch, v.patch], 'linear');
  const norm = (name: string, n: number) => {
    add(`${name}.weight`, [n], 'norm');
    if (v.norm === 'layer') add(`${name}.bias`, [n], 'bias');
  };
  for (let l = 0; l < v.depth; l++) {
    const p = `visual.blocks.${l}`;
    norm(`${p}.norm1`, E);
    norm(`${p}.norm2`, E);
    lin(`${p}.attn.qkv`, 3 * E, E, true);
    lin(`${p}.attn.proj`, E, E, true);
    if (v.mlp === 'gated') {
      lin(`${p}.mlp.gate_proj`, v.mlpHidden, E, true);
      lin(`${p}.mlp.up_proj`, v.mlpHidden, E, true);
      lin(`${p}.mlp.down_proj`, E, v.mlpHidden, true);
    } else {
      lin(`${p}.mlp.fc1`, v.mlpHidden, E, true);
      lin(`${p}.mlp.fc2`, E, v.mlpHidden, true);
    }
  }
  const U = E * v.merge * v.merge;
  norm('visual.merger.ln_q', E);
  lin('visual.merger.mlp.0', U, U, true);
  lin('visual.merger.mlp.2', v.outHidden, U, true);

  const t = d.text;
  add('model.embed_tokens.weight', [t.vocabRows, t.hidden], 'embedding');
  for (let l = 0; l < t.layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [t.hidden], 'norm');
    add(`${p}.post_attention_layernorm.weight`, [t.hidden], 'norm');
    lin(`${p}.self_attn.q_proj`, t.heads * t.headDim, t.hidden, true);
    lin(`${p}.self_attn.k_proj`, t.kvHeads * t.headDim, t.hidden, true);
    lin(`${p}.self_attn.v_proj`, t.kvHeads * t.headDim, t.hidden, true);
    lin(`${p}.self_attn.o_proj`, t.hidden, t.heads * t.headDim, false);
    lin(`${p}.mlp.gate_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.up_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.down_proj`, t.hidden, t.intermediate, false);
  }
  add('model.norm.weight', [t.hidden], 'norm');
  if (opts.withLmHead ?? !t.tied) add('lm_head.weight', [t.vocabRows, t.hidden], 'linear');
  return out;
}

