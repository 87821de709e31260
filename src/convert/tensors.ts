/**
 * Every weight of a Qwen-VL checkpoint, by its published name and PyTorch shape: what the converter
 * reads and what the synthetic checkpoints (tests) and the model factory write.
 */
import type { ModelDesc, VisionDesc } from './model-desc';

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
  if (v.patchBias) add('visual.patch_embed.proj.bias', [E], 'bias');
  if (v.posEmbedGrid !== null) add('visual.pos_embed.weight', [v.posEmbedGrid ** 2, E], 'embedding');
  const norm = (name: string, n: number) => {
    add(`${name}.weight`, [n], 'norm');
    if (v.norm === 'layer') add(`${name}.bias`, [n], 'bias');
  };
  const [fc1, fc2] = v.names === 'qwen3' ? ['linear_fc1', 'linear_fc2'] : ['fc1', 'fc2'];
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
      lin(`${p}.mlp.${fc1}`, v.mlpHidden, E, true);
      lin(`${p}.mlp.${fc2}`, E, v.mlpHidden, true);
    }
  }
  const U = E * v.merge * v.merge;
  for (const m of mergers(v)) {
    norm(m.norm, m.normWidth === 'unit' ? U : E);
    lin(m.fc1, U, U, true);
    lin(m.fc2, v.outHidden, U, true);
  }

  const t = d.text;
  add('model.embed_tokens.weight', [t.vocabRows, t.hidden], 'embedding');
  for (let l = 0; l < t.layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [t.hidden], 'norm');
    add(`${p}.post_attention_layernorm.weight`, [t.hidden], 'norm');
    lin(`${p}.self_attn.q_proj`, t.heads * t.headDim, t.hidden, t.qkvBias);
    lin(`${p}.self_attn.k_proj`, t.kvHeads * t.headDim, t.hidden, t.qkvBias);
    lin(`${p}.self_attn.v_proj`, t.kvHeads * t.headDim, t.hidden, t.qkvBias);
    if (t.qkNorm) {
      add(`${p}.self_attn.q_norm.weight`, [t.headDim], 'norm');
      add(`${p}.self_attn.k_norm.weight`, [t.headDim], 'norm');
    }
    lin(`${p}.self_attn.o_proj`, t.hidden, t.heads * t.headDim, false);
    lin(`${p}.mlp.gate_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.up_proj`, t.intermediate, t.hidden, false);
    lin(`${p}.mlp.down_proj`, t.hidden, t.intermediate, false);
  }
  add('model.norm.weight', [t.hidden], 'norm');
  if (opts.withLmHead ?? !t.tied) add('lm_head.weight', [t.vocabRows, t.hidden], 'linear');
  return out;
}


/** A patch merger's tensors: its norm runs over each patch (E) or over the merged unit (merge²·E). */
export interface MergerNames {
  norm: string;
  normWidth: 'patch' | 'unit';
  fc1: string;
  fc2: string;
}

/** The main merger, then the DeepStack mergers (Qwen3-VL) in the order of their blocks. */
export function mergers(v: VisionDesc): MergerNames[] {
  if (v.names === 'qwen2') return [{ norm: 'visual.merger.ln_q', normWidth: 'patch', fc1: 'visual.merger.mlp.0', fc2: 'visual.merger.mlp.2' }];
  const qwen3 = (p: string, normWidth: MergerNames['normWidth']): MergerNames => ({ norm: `${p}.norm`, normWidth, fc1: `${p}.linear_fc1`, fc2: `${p}.linear_fc2` });
  return [qwen3('visual.merger', 'patch'), ...v.deepstack.map((_, k) => qwen3(`visual.deepstack_merger_list.${k}`, 'unit'))];
}
