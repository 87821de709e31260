/**
 * Finished runs in IndexedDB (via idb). Entries and their tokens live in two stores so the history
 * list reads only the small part; whatever comes back is checked before the page uses it.
 */
import type { DBSchema } from 'idb';
import { lazyDatabase } from './idb';
import {
  parseHistoryEntry,
  parseHistoryTokens,
  type HistoryEntry,
  type HistoryTokens,
} from '../core/history';

export const HISTORY_DB = 'proxythinker-web';
const VERSION = 1;

interface Schema extends DBSchema {
  runs: { key: string; value: HistoryEntry; indexes: { createdAt: number } };
  tokens: { key: string; value: { id: string; streams: HistoryTokens } };
}

const database = lazyDatabase<Schema>(HISTORY_DB, VERSION, (d) => {
  d.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
  d.createObjectStore('tokens', { keyPath: 'id' });
});

/** All valid entries, newest first. */
export async function listEntries(): Promise<HistoryEntry[]> {
  const raw: unknown[] = await (await database()).getAll('runs');
  return raw
    .map(parseHistoryEntry)
    .filter((e): e is HistoryEntry => e !== null)
    .sort((a, b) => b.createdAt - a.createdAt);
}

export async function getEntry(id: string): Promise<HistoryEntry | null> {
  return parseHistoryEntry(await (await database()).get('runs', id));
}

export async function getTokens(id: string): Promise<HistoryTokens> {
  const raw: unknown = await (await database()).get('tokens', id);
  return parseHistoryTokens(
    typeof raw === 'object' && raw !== null && 'streams' in raw ? raw.streams : undefined,
  );
}

export async function putEntry(entry: HistoryEntry, tokens: HistoryTokens): Promise<void> {
  const tx = (await database()).transaction(['runs', 'tokens'], 'readwrite');
  await Promise.all([
    tx.objectStore('runs').put(entry),
    tx.objectStore('tokens').put({ id: entry.id, streams: tokens }),
    tx.done,
  ]);
}

export async function deleteEntry(id: string): Promise<void> {
  const tx = (await database()).transaction(['runs', 'tokens'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('tokens').delete(id), tx.done]);
}
