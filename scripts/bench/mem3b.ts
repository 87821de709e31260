/**
 * `npx tsx scripts/bench/mem3b.ts [--out bench/mem-3b.json]`: whether a model with Qwen2.5-VL-3B's
 * real shapes (q4, 151,936-row head; the on-demand catalog model `mem-3b`, made here if missing)
 * loads and generates on WASM, in the expert slot of the bench trio, and what each model worker
 * then holds. Memory only, never timed for the record; not part of CI (it takes minutes).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODEL_ROLES } from '../../src/core/presets';
import { MODELS, openSession, ROOT } from '../cli/runner';
import { makeModels } from '../models/make';
import { CATALOG } from '../models/catalog';
import { writeImage } from './image';
import { IMAGE_URL, load, run } from './measure';
import { Cdp } from './memory';
import { kvBytesPerToken, snapshot, weightsBytes, workerBytes } from './memory-snapshot';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'bench/mem-3b.json') } } });
const NAME = 'mem-3b';
const spec = CATALOG.find((s) => s.name === NAME);
if (!spec) throw new Error(`${NAME} is not in the catalog`);
if (!existsSync(join(MODELS, NAME, 'config.json'))) await makeModels([spec], MODELS, false, (m) => console.error(m));
const img = join(tmpdir(), 'proxythinker-mem3b-image.png');
writeImage(img);
const session = await openSession({
  mounts: [{ urlPath: IMAGE_URL, file: img, contentType: 'image/png' }],
  extraArgs: ['--enable-precise-memory-info', '--enable-blink-features=ForceEagerMeasureMemory'],
});
const cdp = await Cdp.open(session.browser);
const out: Record<string, unknown> = { model: NAME, loadavg_start: loadavg() };
try {
  const page = await session.openPage();
  const ctx = await Cdp.contextIdOf(page);
  const trio = { base: '/models/bench-base/', expert: `/models/${NAME}/`, amateur: '/models/bench-amateur/' };
  // A fixed order: timing the orders at load would cost two dozen 3B steps.
  const loaded = await load(page, { trio, backend: 'wasm', stepping: 'sequential' });
  out.load_ms = Math.round(loaded.ms);
  out.infos = loaded.infos.map((i) => ({ role: i.role, name: i.name, backend: i.backend, load_ms: Math.round(i.loadMs) }));
  // Guided: the base model's prompt length (same tokenizer and processor) sizes the expert's KV.
  const r = await run(page, { mode: 'guided', tokens: 2 });
  out.tokens = r.token_ids;
  out.per_token_ms = Math.round(r.per_token_ms);
  const w = workerBytes(await snapshot(cdp, ctx, page));
  const folder = join(MODELS, NAME);
  const weights = weightsBytes(folder, 'q4');
  const kv = kvBytesPerToken(folder) * ((r.prompt_tokens ?? 0) + 2);
  // The workers are told apart by size: the 3B-shaped model's is the largest.
  const sizes = MODEL_ROLES.map((role) => w.models[role] ?? 0);
  out.expert_worker_bytes = sizes[0];
  out.other_workers_bytes = sizes.slice(1);
  out.weights_bytes = weights;
  out.kv_bytes = kv;
  out.resident_over_weights_kv = sizes[0] ? Math.round((sizes[0] / (weights + kv)) * 1000) / 1000 : null;
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
} finally {
  out.loadavg_end = loadavg();
  await cdp.close();
  await session.close();
}
writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
