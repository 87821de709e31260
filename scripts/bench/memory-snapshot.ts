/** Memory at one moment of a backend's bench, and how it divides among the workers and weights. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import { dtypeSuffix } from '../cli/inputs';
import { Cdp, pageMemory, processMemory, targetMemory, type TargetMemory } from './memory';

export interface MemorySnapshot {
  /** JS heap per worker (by name) and of the page, after a forced GC. */
  targets: TargetMemory[];
  /** measureUserAgentSpecificMemory() of the page and its workers (JS + WebAssembly memory), after that GC. */
  total: number | null;
  page: Awaited<ReturnType<typeof pageMemory>>;
  process_pss_kb: Record<string, number>;
}

export async function snapshot(cdp: Cdp, contextId: string, page: Page): Promise<MemorySnapshot> {
  const targets = await targetMemory(cdp, contextId, page);
  const pm = await pageMemory(page);
  return { targets, total: pm.ua_bytes, page: pm, process_pss_kb: processMemory().pss_kb };
}

/**
 * Bytes (JS + wasm) per worker script from measureUserAgentSpecificMemory(). The three model workers
 * share one script URL, so they are told apart by size: the base model is the largest.
 */
export function workerBytes(snap: MemorySnapshot): {
  models: Partial<Record<ModelRole, number>>;
  /** The one-worker placement's worker, which holds all three models. */
  shared: number | null;
  coordinator: number | null;
  reference: number | null;
} {
  const rows = snap.page.ua_breakdown.filter((b) => b.scope === 'DedicatedWorkerGlobalScope');
  const models = rows
    .filter((b) => b.url.startsWith('model.worker'))
    .map((b) => b.bytes)
    .sort((a, b) => b - a);
  const out: Partial<Record<ModelRole, number>> = {};
  MODEL_ROLES.forEach((role, i) => {
    const v = models[i];
    if (v !== undefined) out[role] = v;
  });
  const one = (prefix: string) => rows.find((b) => b.url.startsWith(prefix))?.bytes ?? null;
  return { models: out, shared: one('trio.worker'), coordinator: one('coordinator.worker'), reference: one('reference.worker') };
}

/** Bytes of a model's ONNX files for a dtype, external data files (`*.onnx_data`, `*.onnx_data_1`, …) included. */
export function weightsBytes(folder: string, dtype: string): number {
  const names = new Set(['decoder_model_merged', 'embed_tokens', 'vision_encoder'].map((s) => `${s}${dtypeSuffix(dtype)}.onnx`));
  let total = 0;
  let files: string[];
  try {
    files = readdirSync(join(folder, 'onnx'));
  } catch {
    return 0; // missing: the load would have failed
  }
  for (const f of files) if (names.has(f.replace(/_data(_\d+)?$/, ''))) total += statSync(join(folder, 'onnx', f)).size;
  return total;
}

/** fp32 KV cache bytes per token and row of a model folder's text decoder (keys and values, every layer). */
export function kvBytesPerToken(folder: string): number {
  const c = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  const t = { ...c, ...((c.text_config ?? {}) as Record<string, unknown>) };
  const n = (k: string) => Number(t[k]);
  const heads = n('num_attention_heads');
  const headDim = Number.isFinite(n('head_dim')) ? n('head_dim') : n('hidden_size') / heads;
  const kvHeads = Number.isFinite(n('num_key_value_heads')) ? n('num_key_value_heads') : heads;
  return 2 * n('num_hidden_layers') * kvHeads * headDim * 4;
}
