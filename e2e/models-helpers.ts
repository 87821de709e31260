/** Shared by the models-*.spec.ts tests: the local hub stand-in, trios on it, and load helpers. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ModelRole } from '../src/core/presets';
import type { LoadEvent, ModelInfo, ModelSpecifier } from '../src/core/protocol';
import { startHubServer, type FaultRule, type HubServer } from '../scripts/hub-server/server';

export const MODELS_DIR = join(process.cwd(), 'public/models');
export const ROLES: ModelRole[] = ['base', 'expert', 'amateur'];

/** The files a q4 load of a tiny model reads (what transformers.js asks for). */
export const Q4_FILES = [
  'config.json',
  'generation_config.json',
  'onnx/decoder_model_merged_q4.onnx',
  'onnx/embed_tokens_q4.onnx',
  'onnx/vision_encoder_q4.onnx',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

export function fileSize(model: string, file: string): number {
  return statSync(join(MODELS_DIR, model, file)).size;
}

/** The tiny trio as hub repos `test-org/tiny-*` (plus any aliases, e.g. a repo per fault). */
export async function startTinyHub(aliases: Record<string, string> = {}): Promise<HubServer> {
  const repos: Record<string, string> = {};
  for (const r of ROLES) repos[`test-org/tiny-${r}`] = join(MODELS_DIR, `tiny-${r}`);
  for (const [repo, model] of Object.entries(aliases)) repos[repo] = join(MODELS_DIR, model);
  return startHubServer({ repos });
}

export function hubTrio(host: string, repos: Partial<Record<ModelRole, string>> = {}): ModelSpecifier[] {
  return ROLES.map((role) => {
    const repo = repos[role] ?? `test-org/tiny-${role}`;
    return {
      role,
      name: repo.split('/')[1] ?? repo,
      source: { kind: 'hub', repo, revision: 'main', dtype: 'q4', host },
    };
  });
}

/** Sets the hub's fault plan through its control endpoint, as a separate process would. */
export async function setFaults(hub: HubServer, rules: FaultRule[]): Promise<void> {
  const res = await fetch(`${hub.url}__control/faults`, { method: 'PUT', body: JSON.stringify({ rules }) });
  if (!res.ok) throw new Error(`fault plan refused: ${res.status}`);
}

/** Full downloads (not range probes) the hub answered, as "repo-path". */
export function downloads(hub: HubServer): string[] {
  return hub.hits.filter((h) => h.method === 'GET' && h.range === null).map((h) => h.path);
}

export interface LoadOutcome {
  infos: ModelInfo[] | null;
  error: { name: string; message: string } | null;
  events: LoadEvent[];
}

/** window.proxyThinker.load with the events collected; never throws (the error is returned). */
export async function loadTrio(page: Page, models: ModelSpecifier[]): Promise<LoadOutcome> {
  return page.evaluate(async (trio) => {
    const events: LoadEvent[] = [];
    try {
      const infos = await window.proxyThinker.load({ trio: trio as ModelSpecifier[], backend: 'wasm' }, (e) =>
        events.push(e),
      );
      return { infos, error: null, events };
    } catch (e) {
      const err = e as Error;
      return { infos: null, error: { name: err.name, message: err.message }, events };
    }
  }, models);
}

/** The last progress event of every file, by "role file". */
export function lastProgress(events: LoadEvent[]): Map<string, Extract<LoadEvent, { type: 'progress' }>> {
  const out = new Map<string, Extract<LoadEvent, { type: 'progress' }>>();
  for (const e of events) if (e.type === 'progress') out.set(`${e.role} ${e.file}`, e);
  return out;
}

/** A short text-only guided run; run() resolves after its last event was handled. */
export async function runText(page: Page, maxNewTokens: number): Promise<number[]> {
  return page.evaluate(async (n) => {
    const sampling = { temperature: 0, topK: 0, topP: 1, seed: 0 };
    const r = await window.proxyThinker.run({
      mode: 'guided',
      alpha: 0.5,
      sampling,
      maxNewTokens: n,
      question: 'What does a bar chart show?',
      imageUrl: null,
    });
    return r.streams.guided?.token_ids ?? [];
  }, maxNewTokens);
}
