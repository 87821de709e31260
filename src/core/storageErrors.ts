/**
 * What a failed browser-storage call (IndexedDB) means for the user: storage that is full, storage
 * the browser does not allow here (private windows, blocked site data), or something else.
 */
export type StorageTrouble = 'full' | 'unavailable' | 'other';

export function storageTrouble(e: unknown): StorageTrouble {
  const name = e instanceof Error || e instanceof DOMException ? e.name : '';
  const message = e instanceof Error || e instanceof DOMException ? e.message : String(e);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) return 'full';
  if (['SecurityError', 'InvalidStateError', 'NotAllowedError', 'UnknownError'].includes(name))
    return 'unavailable';
  if (/indexedDB is (not defined|undefined)|not allowed|private/i.test(message)) return 'unavailable';
  return 'other';
}

const ADVICE: Record<StorageTrouble, string> = {
  full: 'browser storage is full; delete saved runs or models (Models → Models in browser storage) to make room',
  unavailable:
    'this browser does not let the page keep data here (a private window, or site data blocked); runs still work but are not kept',
  other: '',
};

/** "<what>: <why>" for the page, with the browser's own error name and message at the end. */
export function describeStorageFailure(what: string, e: unknown): string {
  const raw =
    e instanceof Error || e instanceof DOMException
      ? e.message
        ? `${e.name}: ${e.message}`
        : e.name
      : String(e);
  const advice = ADVICE[storageTrouble(e)];
  return advice ? `${what}: ${advice} (${raw})` : `${what}: ${raw}`;
}
