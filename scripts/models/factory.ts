/**
 * Writes one generated model folder through the converter: seeded random weights for the spec's
 * real Qwen-VL architecture, the converter's graph builders and writer, so the factory's models
 * are exactly what a conversion produces (plus the experts' behaviour shifts). Same spec → same bytes.
 */
import { join } from 'node:path';
import { convertModel } from '../../src/convert/convert';
import { nodeOutputFolder } from '../convert/node-io';
import { generationConfig, preprocessorConfig, specialIds } from './configs';
import { QWEN25_VL_CHAT_TEMPLATE } from './chat-template';
import { descOf } from './desc';
import { bigramHead, lmHeadBias } from './extras';
import { checkpointConfig } from './published-config';
import { randomSource } from './random-source';
import { validateSpec, type ModelSpec } from './spec';
import { buildTokenizer } from './tokenizer';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export async function writeModel(spec: ModelSpec, outDir: string): Promise<string[]> {
  validateSpec(spec);
  const desc = descOf(spec);
  const weights = randomSource(desc, spec.weightSeed, { logitScale: spec.text.logitScale });
  const tok = buildTokenizer({ regularVocab: spec.regularVocab });
  const ids = specialIds(spec);
  const config = {
    ...checkpointConfig(desc, { layout: 'published', torchDtype: 'float32', ids: (t) => ids[t] ?? 0 }),
    _generated_by: `proxythinker-web model factory: ${spec.description}`,
  };
  const sideFiles = new Map<string, string>([
    ['tokenizer.json', JSON.stringify(tok.tokenizerJson)],
    ['tokenizer_config.json', json(tok.tokenizerConfig)],
    ['chat_template.json', json({ chat_template: QWEN25_VL_CHAT_TEMPLATE })],
    ['generation_config.json', json(generationConfig(spec))],
    ['preprocessor_config.json', json(preprocessorConfig(spec))],
  ]);
  const bigram = bigramHead(spec, await weights.read('model.embed_tokens.weight'), tok.idOf);
  const r = await convertModel(
    { desc, config, weights, sideFiles, fingerprint: spec.name, name: spec.name },
    nodeOutputFolder(join(outDir, spec.name)),
    {
      formats: spec.formats,
      force: true,
      manifest: false,
      logitsToKeep: spec.logitsToKeep ?? false,
      ops: spec.ops ?? 'fused',
      extras: { lmHeadBias: lmHeadBias(spec, tok.size, tok.idOf), ...(bigram ? { bigram } : {}) },
      producer: 'proxythinker-web model factory',
    },
  );
  return ['config.json', ...r.files.map((f) => f.path)];
}
