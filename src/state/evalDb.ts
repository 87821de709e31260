/**
 * Evaluation runs in IndexedDB (via idb), in their own database so the history's schema is left
 * alone: one small record per run (set, settings, counts) and one record per finished item, written
 * as each item finishes — a reload or a crash loses at most the item in flight.
 */
import type { DBSchema } from 'idb';
import { lazyDatabase } from './idb';
import { parseEvalRun, parseItemRecord, type EvalRunMeta } from '../core/eval/saved';
import type { ItemRecord } from '../core/eval/types';

export const EVAL_DB = 'proxythinker-eval';
const VERSION = 1;

interface Schema extends DBSchema {
  runs: { key: string; value: EvalRunMeta };
  items: {
    key: [string, string];
    value: { runId: string; id: string; record: ItemRecord };
    indexes: { runId: string };
  };
}

const database = lazyDatabase<Schema>(EVAL_DB, VERSION, (d) => {
  d.createObjectStore('runs', { keyPath: 'id' });
  d.createObjectStore('items', { keyPath: ['runId', 'id'] }).createIndex('runId', 'runId');
});

/** Every valid saved run, newest first. */
export async function listEvalRuns(): Promise<EvalRunMeta[]> {
  const raw: unknown[] = await (await database()).getAll('runs');
  return raw
    .map(parseEvalRun)
    .filter((r): r is EvalRunMeta => r !== null)
    .sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function getEvalRun(id: string): Promise<{ meta: EvalRunMeta; records: ItemRecord[] } | null> {
  const d = await database();
  const meta = parseEvalRun(await d.get('runs', id));
  if (!meta) return null;
  const rows: unknown[] = await d.getAllFromIndex('items', 'runId', id);
  const byId = new Map<string, ItemRecord>();
  for (const row of rows) {
    const r = typeof row === 'object' && row !== null && 'record' in row ? parseItemRecord(row.record) : null;
    if (r) byId.set(r.id, r);
  }
  // Set order, not storage order.
  const records = meta.set.itemIds.flatMap((i) => {
    const r = byId.get(i);
    return r ? [r] : [];
  });
  return { meta, records };
}

export async function putEvalRun(meta: EvalRunMeta): Promise<void> {
  await (await database()).put('runs', meta);
}

/** One finished item and the run's updated counts, in one transaction. */
export async function putEvalItem(meta: EvalRunMeta, record: ItemRecord): Promise<void> {
  const tx = (await database()).transaction(['runs', 'items'], 'readwrite');
  await Promise.all([
    tx.objectStore('items').put({ runId: meta.id, id: record.id, record }),
    tx.objectStore('runs').put(meta),
    tx.done,
  ]);
}

export async function deleteEvalRun(id: string): Promise<void> {
  const d = await database();
  const keys = await d.getAllKeysFromIndex('items', 'runId', id);
  const tx = d.transaction(['runs', 'items'], 'readwrite');
  await Promise.all([
    tx.objectStore('runs').delete(id),
    ...keys.map((k) => tx.objectStore('items').delete(k)),
    tx.done,
  ]);
}
