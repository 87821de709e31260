/** Writes one model folder in the onnx-community layout. Same spec and seed → same bytes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generationConfig, modelConfig, preprocessorConfig } from './configs';
import { QWEN25_VL_CHAT_TEMPLATE } from './chat-template';
import { bigramHead, buildDecoder, lmHeadBias } from './decoder-graph';
import { buildEmbedTokens, embeddingTable } from './embed-graph';
import type { WeightFormat } from './onnx-builder';
import { validateSpec, type ModelSpec } from './spec';
import { buildTokenizer } from './tokenizer';
import { buildVisionEncoder } from './vision-graph';

const SUFFIX: Record<WeightFormat, string> = { fp32: '', q4: '_q4' };

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function writeModel(spec: ModelSpec, outDir: string): string[] {
  validateSpec(spec);
  const dir = join(outDir, spec.name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const tok = buildTokenizer({ regularVocab: spec.regularVocab });
  const files: [string, string | Uint8Array][] = [
    ['config.json', json(modelConfig(spec))],
    ['generation_config.json', json(generationConfig(spec))],
    ['preprocessor_config.json', json(preprocessorConfig(spec))],
    ['tokenizer.json', JSON.stringify(tok.tokenizerJson)],
    ['tokenizer_config.json', json(tok.tokenizerConfig)],
    ['chat_template.json', json({ chat_template: QWEN25_VL_CHAT_TEMPLATE })],
  ];
  const bias = lmHeadBias(spec, tok.size, tok.idOf);
  const bigram = bigramHead(spec, embeddingTable(spec), tok.idOf);
  for (const format of spec.formats) {
    const sfx = SUFFIX[format];
    files.push([`onnx/vision_encoder${sfx}.onnx`, buildVisionEncoder(spec, format)]);
    files.push([`onnx/embed_tokens${sfx}.onnx`, buildEmbedTokens(spec, format)]);
    files.push([`onnx/decoder_model_merged${sfx}.onnx`, buildDecoder(spec, format, bias, bigram)]);
  }
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  return files.map(([name]) => name);
}
