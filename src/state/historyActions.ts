/** The run history: saving finished runs, listing, reopening, deleting and exporting them. */
import {
  exportFileName,
  historyToJson,
  historyToMarkdown,
  HistoryImportError,
  parseHistoryImport,
  HISTORY_VERSION,
  type HistoryEntry,
  type HistoryOutput,
  type HistoryTokens,
} from '../core/history';
import { timeToFirstToken, tokensPerSecond } from '../core/runRecord';
import { describeStorageFailure } from '../core/storageErrors';
import { downloadText } from './download';
import { deleteEntry, getEntry, getTokens, listEntries, putEntry } from './historyDb';
import type { RunView } from './runView';
import { emptyStream, escalationNote, runVisionOf, visionFields } from './runView';
import { patch, useApp, type RunRecipe } from './store';

const failure = describeStorageFailure;

export async function refreshHistory(): Promise<void> {
  try {
    patch('history', { status: 'ready', entries: await listEntries(), error: null });
  } catch (e) {
    patch('history', { status: 'error', error: failure('The history could not be read from IndexedDB', e) });
  }
}

function newId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function entryFromRun(
  recipe: RunRecipe,
  view: RunView,
  createdAt = Date.now(),
): { entry: HistoryEntry; tokens: HistoryTokens } {
  const outputs: HistoryEntry['outputs'] = {};
  const tokens: HistoryTokens = {};
  for (const name of view.streams) {
    const s = view.byName[name];
    if (!s) continue;
    const out: HistoryOutput = {
      text: s.text,
      reason: s.reason,
      error: s.error ? { name: s.error.name, message: s.error.message } : null,
      tokenCount: s.tokens.length,
      ttftMs: timeToFirstToken(view.startedAt, s.firstTokenAt),
      tokensPerSecond: tokensPerSecond(s.tokens.length, s.firstTokenAt, s.lastTokenAt),
    };
    outputs[name] = out;
    tokens[name] = s.tokens;
  }
  const entry: HistoryEntry = {
    version: HISTORY_VERSION,
    id: newId(),
    createdAt,
    question: recipe.request.question,
    image: recipe.image,
    settings: recipe.settings,
    alphaChanges: view.alphaChanges,
    outputs,
    prefillMs: view.prefillMs,
    prefillReused: view.prefillReused,
    totalMs: view.totalMs,
    vision: runVisionOf(view),
  };
  return { entry, tokens };
}

/** Called when a run has finished (completed, stopped or ended by a stream error). */
export async function saveRun(recipe: RunRecipe, view: RunView): Promise<void> {
  if (view.streams.length === 0) return;
  const { entry, tokens } = entryFromRun(recipe, view);
  try {
    await putEntry(entry, tokens);
    const entries = [entry, ...useApp.getState().history.entries.filter((e) => e.id !== entry.id)];
    patch('history', { status: 'ready', entries, error: null });
  } catch (e) {
    patch('history', { error: failure('This run could not be saved to the history', e) });
  }
}

/** Shows a saved run in the panes, tokens and inspector data included. */
export async function openEntry(id: string): Promise<void> {
  if (useApp.getState().run.status !== 'idle') return;
  try {
    const entry = await getEntry(id);
    if (!entry) throw new Error('the entry is gone or unreadable');
    const tokens = await getTokens(id);
    const streams = (['base', 'guided', 'expert'] as const).filter((n) => entry.outputs[n]);
    const byName: RunView['byName'] = {};
    for (const n of streams) {
      const o = entry.outputs[n];
      if (!o) continue;
      byName[n] = {
        ...emptyStream(n),
        text: o.text,
        reason: o.reason,
        error: o.error,
        tokens: tokens[n] ?? [],
        notes: entry.vision?.escalation?.stream === n ? [escalationNote(entry.vision.escalation)] : [],
      };
    }
    const view: RunView = {
      runId: null,
      streams,
      byName,
      initialAlpha: entry.settings.alpha,
      alphaChanges: entry.alphaChanges,
      startedAt: null,
      prefillMs: entry.prefillMs,
      prefillReused: entry.prefillReused,
      ...visionFields(entry.vision),
      totalMs: entry.totalMs,
      loop: null,
      error: null,
    };
    patch('run', {
      view,
      viewMode: entry.settings.mode,
      source: { kind: 'history', entry },
      formError: null,
    });
    patch('ui', { selected: null, hovered: null });
  } catch (e) {
    patch('history', { error: failure('The saved run could not be opened', e) });
  }
}

export async function removeEntry(id: string): Promise<void> {
  try {
    await deleteEntry(id);
    patch('history', { entries: useApp.getState().history.entries.filter((e) => e.id !== id), error: null });
    const src = useApp.getState().run.source;
    if (src.kind === 'history' && src.entry.id === id) patch('run', { source: { kind: 'live' } });
  } catch (e) {
    patch('history', { error: failure('The saved run could not be deleted', e) });
  }
}

export async function exportEntry(id: string, format: 'json' | 'md'): Promise<void> {
  try {
    const entry = await getEntry(id);
    if (!entry) throw new Error('the entry is gone or unreadable');
    if (format === 'md')
      downloadText(exportFileName(entry.createdAt, 'md'), historyToMarkdown(entry), 'text/markdown');
    else
      downloadText(
        exportFileName(entry.createdAt, 'json'),
        historyToJson([{ ...entry, tokens: await getTokens(id) }]),
        'application/json',
      );
  } catch (e) {
    patch('history', { error: failure('The run could not be exported', e) });
  }
}

export async function exportAll(): Promise<void> {
  try {
    const entries = await listEntries();
    const full = await Promise.all(entries.map(async (e) => ({ ...e, tokens: await getTokens(e.id) })));
    downloadText(
      `proxythinker-history-${new Date().toISOString().slice(0, 10)}.json`,
      historyToJson(full),
      'application/json',
    );
  } catch (e) {
    patch('history', { error: failure('The history could not be exported', e) });
  }
}

/**
 * Adds the runs of a history export (a file from Export) to this browser's history. Runs already
 * here (same id) are left as they are; bad entries are skipped and listed; nothing is overwritten.
 */
export async function importHistory(file: File): Promise<void> {
  patch('history', { error: null, notice: null });
  try {
    const { entries, problems } = parseHistoryImport(await file.text(), file.name);
    let added = 0;
    let present = 0;
    for (const { tokens, ...entry } of entries) {
      if (await getEntry(entry.id)) {
        present++;
        continue;
      }
      await putEntry(entry, tokens);
      added++;
    }
    await refreshHistory();
    const parts = [`Imported ${added} run${added === 1 ? '' : 's'} from "${file.name}"`];
    if (present) parts.push(`${present} already in the history (kept as they were)`);
    if (problems.length) parts.push(`skipped ${problems.join('; ')}`);
    patch('history', { notice: `${parts.join('; ')}.` });
  } catch (e) {
    patch('history', {
      error:
        e instanceof HistoryImportError
          ? `${e.message}. Nothing was imported.`
          : failure(`"${file.name}" could not be imported`, e),
    });
  }
}
