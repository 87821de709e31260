/**
 * The Evaluate view's actions: open a set (the demo, a URL, a picked folder), run its items through
 * the engine as α sweeps with a live accuracy table, stop and resume, keep every finished item in
 * IndexedDB, reopen or delete saved runs, export them, and open one item as a normal run.
 */
import { coordinator } from '../client/coordinator';
import { evaluateItem } from '../client/evalItem';
import { openSetFolder, openSetUrl, type OpenedSet } from '../client/evalSet';
import { parseAlphaList, validateEvalSettings, type EvalSettings } from '../core/eval/outputs';
import { buildPrompt } from '../core/eval/prompt';
import { accuracyPlotSvg, recordsCsv, summaryMarkdown } from '../core/eval/report';
import { EVAL_RUN_VERSION, exportDocument, type EvalRunMeta } from '../core/eval/saved';
import { summarize } from '../core/eval/summary';
import type { ItemRecord } from '../core/eval/types';
import { downloadText } from './download';
import { deleteEvalRun, getEvalRun, listEvalRuns, putEvalItem, putEvalRun } from './evalDb';
import type { EvalForm, LoadedEvalSet } from './evalSlice';
import { setImageFromBlob } from './imageActions';
import { startRun } from './runActions';
import { setQuestion, setSetting } from './settingsActions';
import { patch, useApp } from './store';

const evalPatch = (p: Partial<ReturnType<typeof useApp.getState>['eval']>) => patch('eval', p);
const RUN_BUSY = 'A run is in progress (Run tab): stop it or let it finish first.';
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function refreshSavedEvals(): Promise<void> {
  try {
    evalPatch({ saved: await listEvalRuns(), savedStatus: 'ready' });
  } catch (e) {
    evalPatch({
      savedStatus: 'error',
      error: `Saved evaluations could not be read from IndexedDB: ${message(e)}`,
    });
  }
}

export function setEvalForm(p: Partial<EvalForm>): void {
  evalPatch({ form: { ...useApp.getState().eval.form, ...p }, formError: null });
}

export function showView(view: 'run' | 'evaluate'): void {
  patch('ui', { view });
}

function take(opened: OpenedSet): LoadedEvalSet {
  return {
    name: opened.name,
    origin: opened.origin,
    items: opened.set.items,
    problems: opened.set.problems,
    rows: opened.set.rows,
    format: opened.set.format,
    unit: opened.set.unit,
    images: opened.images,
  };
}

async function openWith(load: () => Promise<OpenedSet & { choices?: string[] }>): Promise<boolean> {
  if (useApp.getState().eval.status !== 'idle') return false;
  evalPatch({ setStatus: 'loading', setError: null, formError: null });
  try {
    const opened = await load();
    evalPatch({ set: take(opened), setStatus: 'idle', setChoices: opened.choices ?? [], openItem: null });
    return true;
  } catch (e) {
    // The set already open (and everything typed) stays.
    evalPatch({ setStatus: 'error', setError: message(e) });
    return false;
  }
}

export const openUrlSet = (url: string) => openWith(() => openSetUrl(url));
export const openFolderSet = (files: FileList | readonly File[], which?: string) =>
  openWith(() => openSetFolder(files, which));

/** The run settings from the form, or a message naming what to fix. */
export function formSettings(
  form: EvalForm,
): { ok: true; settings: EvalSettings; limit: number | null } | { ok: false; error: string } {
  try {
    const alphas = parseAlphaList(form.alphas);
    const maxNewTokens = Number(form.maxNewTokens.trim());
    const settings = validateEvalSettings({
      base: form.base,
      alphas,
      maxNewTokens,
      resolution: form.resolution,
    });
    let limit: number | null = null;
    if (form.limit.trim()) {
      limit = Number(form.limit.trim());
      if (!Number.isInteger(limit) || limit < 1)
        throw new RangeError(`limit must be a whole number ≥ 1, got "${form.limit}"`);
    }
    return { ok: true, settings, limit };
  } catch (e) {
    return { ok: false, error: `Evaluation settings: ${message(e)}` };
  }
}

function newId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Starts a new evaluation of the open set with the form's settings. */
export async function startEval(): Promise<void> {
  const s = useApp.getState();
  if (s.eval.status !== 'idle') return;
  if (s.load.status !== 'loaded' || !s.load.loaded)
    return evalPatch({ formError: 'Load the models first (Models → Load models).' });
  if (s.run.status !== 'idle') return evalPatch({ formError: RUN_BUSY });
  const set = s.eval.set;
  if (!set) return evalPatch({ formError: 'Open a set first (the demo set, a URL or a folder).' });
  if (!set.items.length) return evalPatch({ formError: `${set.name} has no usable items.` });
  const parsed = formSettings(s.eval.form);
  if (!parsed.ok) return evalPatch({ formError: parsed.error });
  const items = parsed.limit === null ? set.items : set.items.slice(0, parsed.limit);
  const now = Date.now();
  const loaded = s.load.loaded;
  const meta: EvalRunMeta = {
    version: EVAL_RUN_VERSION,
    id: newId(),
    createdAt: now,
    updatedAt: now,
    set: {
      name: set.name,
      origin: set.origin,
      format: set.format,
      rows: set.rows,
      problems: set.problems,
      itemIds: items.map((i) => i.id),
    },
    settings: parsed.settings,
    trio: { label: loaded.label, backend: loaded.backend, models: { ...loaded.models } },
    done: 0,
    failed: [],
  };
  evalPatch({ current: { meta, records: [] }, openItem: null, error: null });
  try {
    await putEvalRun(meta);
  } catch (e) {
    evalPatch({
      error: `This evaluation cannot be saved in IndexedDB (${message(e)}); it runs, but a reload loses it.`,
    });
  }
  await runPending();
}

/** Goes on with the run shown: its items not yet done (and those that failed) are run. */
export async function resumeEval(): Promise<void> {
  const s = useApp.getState();
  const current = s.eval.current;
  if (s.eval.status !== 'idle' || !current) return;
  if (s.load.status !== 'loaded')
    return evalPatch({ formError: 'Load the models first (Models → Load models).' });
  if (s.run.status !== 'idle') return evalPatch({ formError: RUN_BUSY });
  const origin = current.meta.set.origin;
  const set = s.eval.set;
  const same = set && JSON.stringify(set.origin) === JSON.stringify(origin);
  if (!same) {
    if (origin.kind === 'folder')
      return evalPatch({
        formError: `Pick the folder "${origin.folder}" again (with ${origin.file}) to resume this evaluation.`,
      });
    if (!(await openUrlSet(origin.url))) return;
  }
  await runPending();
}

export function stopEval(): void {
  if (useApp.getState().eval.status !== 'running') return;
  evalPatch({ status: 'stopping' });
  void coordinator()
    .cancel()
    .catch(() => undefined);
}

async function runPending(): Promise<void> {
  const start = useApp.getState().eval;
  const set = start.set;
  const current = start.current;
  if (!set || !current) return;
  const byId = new Map(set.items.map((i) => [i.id, i]));
  const missing = current.meta.set.itemIds.filter((id) => !byId.has(id));
  if (missing.length)
    return evalPatch({
      formError: `The set no longer has ${missing.length} of this evaluation's items (${missing.slice(0, 5).join(', ')}…); start a new evaluation.`,
    });
  let meta: EvalRunMeta = { ...current.meta, failed: [] };
  let records = [...current.records];
  const pending = meta.set.itemIds.filter((id) => !records.some((r) => r.id === id));
  const itemSeconds: number[] = [];
  evalPatch({
    status: 'running',
    formError: null,
    progress: { total: meta.set.itemIds.length, done: records.length, itemId: null, itemSeconds },
  });
  try {
    for (const id of pending) {
      if (useApp.getState().eval.status !== 'running') break;
      const item = byId.get(id);
      const image = set.images[id];
      if (!item || image === undefined) continue;
      evalPatch({
        progress: {
          total: meta.set.itemIds.length,
          done: records.length,
          itemId: id,
          itemSeconds: [...itemSeconds],
        },
      });
      const t0 = performance.now();
      const outcome = await evaluateItem(item, image, meta.settings);
      if (outcome.kind === 'cancelled') break;
      if (outcome.kind === 'failed') {
        meta = { ...meta, updatedAt: Date.now(), failed: [...meta.failed, { id, error: outcome.error }] };
        await putEvalRun(meta).catch(() => undefined);
      } else {
        itemSeconds.push((performance.now() - t0) / 1000);
        records = [...records, outcome.record];
        meta = { ...meta, updatedAt: Date.now(), done: records.length };
        await putEvalItem(meta, outcome.record).catch((e: unknown) =>
          evalPatch({ error: `Item ${id} could not be saved in IndexedDB: ${message(e)}` }),
        );
      }
      // The run may have been replaced (a saved run opened) only when idle; here it is still ours.
      evalPatch({
        current: { meta, records: ordered(meta, records) },
        progress: {
          total: meta.set.itemIds.length,
          done: records.length,
          itemId: null,
          itemSeconds: [...itemSeconds],
        },
      });
    }
  } finally {
    evalPatch({ status: 'idle', progress: null });
    await refreshSavedEvals();
  }
}

function ordered(meta: EvalRunMeta, records: readonly ItemRecord[]): ItemRecord[] {
  const by = new Map(records.map((r) => [r.id, r]));
  return meta.set.itemIds.flatMap((id) => {
    const r = by.get(id);
    return r ? [r] : [];
  });
}

export async function openSavedEval(id: string): Promise<void> {
  if (useApp.getState().eval.status !== 'idle') return;
  try {
    const run = await getEvalRun(id);
    if (!run) throw new Error('it is gone or unreadable');
    evalPatch({ current: run, openItem: null, error: null, formError: null });
  } catch (e) {
    evalPatch({ error: `The saved evaluation could not be opened: ${message(e)}` });
  }
}

export async function deleteSavedEval(id: string): Promise<void> {
  try {
    await deleteEvalRun(id);
    const s = useApp.getState().eval;
    evalPatch({
      saved: s.saved.filter((r) => r.id !== id),
      ...(s.current?.meta.id === id && s.status === 'idle' ? { current: null } : {}),
    });
  } catch (e) {
    evalPatch({ error: `The saved evaluation could not be deleted: ${message(e)}` });
  }
}

export function toggleItem(id: string): void {
  evalPatch({ openItem: useApp.getState().eval.openItem === id ? null : id });
}

function fileStem(meta: EvalRunMeta): string {
  return `proxythinker-eval-${meta.set.name.replace(/\.[^.]+$/, '').replace(/[^\w-]+/g, '_')}-${new Date(meta.createdAt).toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
}

export function exportEval(format: 'json' | 'md' | 'csv'): void {
  const current = useApp.getState().eval.current;
  if (!current) return;
  const { meta, records } = current;
  try {
    if (format === 'json')
      downloadText(
        `${fileStem(meta)}.json`,
        `${JSON.stringify(exportDocument(meta, records), null, 2)}\n`,
        'application/json',
      );
    else if (format === 'csv') downloadText(`${fileStem(meta)}.csv`, recordsCsv(records), 'text/csv');
    else {
      const md = summaryMarkdown(summarize(records), {
        title: `Evaluation of ${meta.set.name}`,
        lines: [
          `trio: ${meta.trio.label} (${meta.trio.backend})`,
          `modes: ${[...(meta.settings.base ? ['base'] : []), ...meta.settings.alphas.map((a) => `guided α=${a}`)].join(', ')}; greedy; ${meta.settings.maxNewTokens} new tokens at most; resolution ${meta.settings.resolution}`,
          `items: ${records.length} of ${meta.set.itemIds.length} done; ${meta.set.problems.length} bad rows skipped`,
        ],
      });
      downloadText(`${fileStem(meta)}.md`, md, 'text/markdown');
    }
  } catch (e) {
    evalPatch({ error: `The evaluation could not be exported: ${message(e)}` });
  }
}

/** The plot of the run shown, as an SVG string. */
export function currentPlot(records: readonly ItemRecord[], title: string): string {
  return accuracyPlotSvg(summarize(records), title);
}

/**
 * Opens an item as a normal run at one α (null: base alone) with the evaluation's greedy settings:
 * its image and prompt go to the Run view, which runs it with the token inspector. Greedy decoding
 * gives the same tokens the evaluation recorded.
 */
export async function openItemAsRun(itemId: string, alpha: number | null): Promise<void> {
  const s = useApp.getState();
  const current = s.eval.current;
  const set = s.eval.set;
  if (!current || s.eval.status !== 'idle') return;
  const item = set?.items.find((i) => i.id === itemId);
  const image = set?.images[itemId];
  if (
    !set ||
    !item ||
    image === undefined ||
    JSON.stringify(set.origin) !== JSON.stringify(current.meta.set.origin)
  )
    return evalPatch({
      error: `Open the set ${current.meta.set.name} to run item ${itemId} (its image comes from the set).`,
    });
  if (s.load.status !== 'loaded')
    return evalPatch({ error: 'Load the models first (Models → Load models) to open an item as a run.' });
  try {
    const blob = typeof image === 'string' ? await (await fetch(image)).blob() : image;
    await setImageFromBlob(blob, `${itemId} (${set.name})`);
    if (useApp.getState().image.error)
      throw new Error(useApp.getState().image.error ?? 'the image could not be read');
  } catch (e) {
    return evalPatch({ error: `Item ${itemId}: ${message(e)}` });
  }
  const st = current.meta.settings;
  setQuestion(buildPrompt(item));
  setSetting('mode', alpha === null ? 'base' : 'side-by-side');
  if (alpha !== null) setSetting('alpha', alpha);
  setSetting('decoding', 'greedy');
  setSetting('maxNewTokens', String(st.maxNewTokens));
  setSetting('resolution', st.resolution);
  evalPatch({ error: null });
  showView('run');
  await startRun();
}
