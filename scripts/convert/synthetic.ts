/**
 * Synthetic checkpoints in exactly the published Hugging Face layouts (config.json, safetensors in
 * bf16/f16/f32, single or sharded with an index, both tensor namings, tied or untied embeddings,
 * tokenizer and processor files), with seeded random weights: what the converter's tests convert,
 * since nothing here can download the real ones.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelDesc } from '../../src/convert/model-desc';
import { QWEN25_VL_CHAT_TEMPLATE } from '../models/chat-template';
import { specialIdsFor } from '../models/configs';
import { checkpointConfig } from '../models/published-config';
import { randomSource } from '../models/random-source';
import { buildTokenizer } from '../models/tokenizer';
import { writeSafetensors, type StDtype } from './safetensors-writer';

export interface SyntheticSpec {
  name: string;
  desc: ModelDesc;
  seed: number;
  /** Regular tokenizer ids (special tokens follow). */
  regularVocab: number;
  dtype: StDtype;
  shardBytes: number;
  /** 'published': visual.* / model.layers.* with text sizes at the config's top level, as the released repos;
   *  'transformers5': model.visual.* / model.language_model.* with a text_config, as newer transformers saves. */
  layout: 'published' | 'transformers5';
  /** Also write lm_head.weight when tied (some checkpoints carry both). */
  lmHeadWhenTied?: boolean;
  minPixels: number;
  maxPixels: number;
  logitScale?: number;
}

export async function writeSyntheticCheckpoint(spec: SyntheticSpec, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const tok = buildTokenizer({ regularVocab: spec.regularVocab });
  const src = randomSource(spec.desc, spec.seed, {
    paddingFrom: tok.size,
    ...(spec.logitScale === undefined ? {} : { logitScale: spec.logitScale }),
    ...(spec.lmHeadWhenTied ? { withLmHead: true } : {}),
  });
  const rename =
    spec.layout === 'published'
      ? undefined
      : (n: string) => (n.startsWith('visual.') ? `model.${n}` : n.startsWith('model.') ? `model.language_model.${n.slice(6)}` : n);
  const shards = await writeSafetensors(dir, src.tensors, src, { dtype: spec.dtype, shardBytes: spec.shardBytes, ...(rename ? { rename } : {}) });

  const ids = specialIdsFor(spec.regularVocab);
  const id = (t: string) => ids[t] ?? 0;
  const files: [string, string][] = [
    ['config.json', json(checkpointConfig(spec.desc, { layout: spec.layout, torchDtype: TORCH_DTYPE[spec.dtype], ids: id }))],
    ['generation_config.json', json({ bos_token_id: id('<|endoftext|>'), pad_token_id: id('<|endoftext|>'), do_sample: true, eos_token_id: [id('<|im_end|>'), id('<|endoftext|>')], repetition_penalty: 1.05, temperature: 0.1, top_k: 1, top_p: 0.001, transformers_version: '4.49.0' })],
    // As the released repos: no do_resize / do_rescale / do_normalize (the converter must add them).
    [
      'preprocessor_config.json',
      json({
        min_pixels: spec.minPixels,
        max_pixels: spec.maxPixels,
        patch_size: spec.desc.vision.patch,
        temporal_patch_size: spec.desc.vision.temporalPatch,
        merge_size: spec.desc.vision.merge,
        ...(spec.desc.family === 'qwen3_vl'
          ? { image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], image_processor_type: 'Qwen2VLImageProcessorFast' }
          : { image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711], image_processor_type: 'Qwen2VLImageProcessor' }),
        processor_class: PROCESSOR[spec.desc.family],
      }),
    ],
    ['tokenizer.json', JSON.stringify(tok.tokenizerJson)],
    ['tokenizer_config.json', json(tok.tokenizerConfig)],
    ['chat_template.json', json({ chat_template: QWEN25_VL_CHAT_TEMPLATE })],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return [...shards, ...files.map(([n]) => n)];
}

const PROCESSOR = { qwen2_vl: 'Qwen2VLProcessor', qwen2_5_vl: 'Qwen2_5_VLProcessor', qwen3_vl: 'Qwen3VLProcessor' } as const;
const TORCH_DTYPE = { BF16: 'bfloat16', F16: 'float16', F32: 'float32' } as const;
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
