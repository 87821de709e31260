/**
 * Keeps the decoding settings and the question draft in localStorage, so a reload loses nothing the
 * user chose or typed. Started once at page start (main.tsx), not from a component.
 */
import {
  parsePersistedSettings,
  serializePersistedSettings,
  SETTINGS_STORAGE_KEY,
} from './persistedSettings';
import { useApp } from './store';

function read(): string | null {
  try {
    return localStorage.getItem(SETTINGS_STORAGE_KEY);
  } catch {
    return null; // storage blocked (e.g. by the browser's privacy settings): start from the defaults
  }
}

function write(value: string): void {
  try {
    localStorage.setItem(SETTINGS_STORAGE_KEY, value);
  } catch {
    // Full or blocked: the settings still work, they are just not kept for the next visit.
  }
}

/** Puts the stored settings and draft into the store (defaults for anything missing or bad). */
export function restoreSettings(): void {
  const s = useApp.getState();
  const stored = parsePersistedSettings(read(), { settings: s.settings, question: s.question });
  useApp.setState({ settings: stored.settings, question: stored.question });
}

/** Writes the settings and draft whenever they change; returns the unsubscribe. */
export function keepSettings(): () => void {
  return useApp.subscribe((s, prev) => {
    if (s.settings === prev.settings && s.question === prev.question) return;
    write(serializePersistedSettings({ settings: s.settings, question: s.question }));
  });
}
