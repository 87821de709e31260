/**
 * Finished runs in IndexedDB (via idb). Entries and their tokens live in two stores so the history
 * list reads only the small part; whatever comes back is checked before the page uses it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
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

let db: Promise<IDBPDatabase<Schema>> | null = null;

function database(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(HISTORY_DB, VERSION, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      d.createObjectStore('tokens', { keyPath: 'id' });
    },
    blocking() {
      // Another tab wants a newer version: let it have the database.
      void db?.then((d) => d.close());
      db = null;
    },
  }).catch((e: unknown) => {
    db = null;
    throw e;
  });
  return db;
}

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
