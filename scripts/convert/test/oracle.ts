/**
 * Calls the independent Python oracle (scripts/convert/oracle, ported from transformers' modeling
 * files with torch) on the same prompts the app sees. Several requests share one call (one torch
 * start-up, models loaded once).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Prompt } from './app-logits';

const ORACLE = resolve('scripts/convert/oracle/oracle.py');
export const PYTHON = process.env['ORACLE_PYTHON'] ?? '/usr/bin/python3';

export function oracleAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export type OracleRequest =
  | { task: 'vision' | 'logits'; model: string; prompt: Prompt }
  | { task: 'generate'; prompt: Prompt; generate: OracleGenerate };

export interface OracleGenerate {
  models: { base?: string; expert?: string; amateur?: string };
  mode: 'base' | 'guided' | 'expert' | 'amateur';
  alpha: number;
  maxNewTokens: number;
  eos: number[];
  sharedVocab: number;
}

export type OracleResult = { data: Float32Array; dims: number[] } | { tokens: number[] };

export function oracle(requests: OracleRequest[]): OracleResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'ptw-oracle-'));
  const files = requests.map((r, i) => {
    const out = join(dir, `out${i}`);
    const body: Record<string, unknown> = { task: r.task, out, ...inputs(r.prompt, join(dir, `pixels${i}.f32`)) };
    if (r.task === 'generate') {
      const g = r.generate;
      Object.assign(body, { models: g.models, mode: g.mode, alpha: g.alpha, max_new_tokens: g.maxNewTokens, eos_token_ids: g.eos, shared_vocab: g.sharedVocab });
    } else body['model'] = r.model;
    const file = join(dir, `request${i}.json`);
    writeFileSync(file, JSON.stringify(body));
    return file;
  });
  const stdout = execFileSync(PYTHON, [ORACLE, ...files], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const parsed: unknown = JSON.parse(stdout);
  const list = (requests.length === 1 ? [parsed] : parsed) as Record<string, unknown>[];
  return list.map((res, i) => {
    const r = requests[i];
    if (r?.task === 'generate') return { tokens: res['tokens'] as number[] };
    if (r?.task === 'logits') return { data: readF32(join(dir, `out${i}.logits.f32`)), dims: res['dims'] as number[] };
    return visionFeatures(readF32(join(dir, `out${i}.features.f32`)), res['dims'] as number[], join(dir, `out${i}.deepstack.f32`), res['deepstack_dims'] as number[] | undefined);
  });
}

function inputs(p: Prompt, px: string): Record<string, unknown> {
  const data = p.pixel_values.data;
  if (!(data instanceof Float32Array)) throw new Error('pixel_values are not float32');
  writeFileSync(px, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return {
    input_ids: Array.from(p.input_ids.data, Number),
    pixel_values: px,
    image_grid_thw: (p.image_grid_thw.tolist() as bigint[][]).map((r) => r.map(Number)),
  };
}

const readF32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/**
 * The vision tower's output as the converted graph lays it out: each token's main features, then
 * its DeepStack levels (Qwen3-VL), side by side in one row.
 */
function visionFeatures(main: Float32Array, dims: number[], deepFile: string, deepDims: number[] | undefined): { data: Float32Array; dims: number[] } {
  const [n = 0, h = 0] = dims;
  const levels = deepDims?.[0] ?? 0;
  if (levels === 0) return { data: main, dims };
  const deep = readF32(deepFile);
  const out = new Float32Array(n * h * (1 + levels));
  for (let t = 0; t < n; t++) {
    out.set(main.subarray(t * h, (t + 1) * h), t * h * (1 + levels));
    for (let l = 0; l < levels; l++) out.set(deep.subarray((l * n + t) * h, (l * n + t + 1) * h), (t * (1 + levels) + 1 + l) * h);
  }
  return { data: out, dims: [n, h * (1 + levels)] };
}

export function tensorOf(r: OracleResult | undefined): { data: Float32Array; dims: number[] } {
  if (!r || !('data' in r)) throw new Error('the oracle returned no tensor');
  return r;
}

export function tokensOf(r: OracleResult | undefined): number[] {
  if (!r || !('tokens' in r)) throw new Error('the oracle returned no tokens');
  return r.tokens;
}
