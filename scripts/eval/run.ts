/**
 * `npm run eval -- --data … --trio …`: every pending item of a set through the real engine in
 * headless Chromium (the page's own evaluator, `window.proxyThinker.evalItem`), base and guided at
 * each α in one batched sweep. Each finished item is appended to items.jsonl at once; a rerun skips
 * the items already there, so Ctrl-C or a kill loses at most the item in flight.
 */
import { relative } from 'node:path';
import type { EvalSettings } from '../../src/core/eval/outputs';
import { summarize } from '../../src/core/eval/summary';
import type { EvalItem } from '../../src/core/eval/types';
import { describeProblem } from '../../src/core/eval/dataset';
import type { ItemOutcome } from '../../src/client/evalItem';
import { dtypeOption, MODEL_ROLES } from '../../src/core/presets';
import { InputError } from '../cli/args';
import { resolveTrio, RunFailure } from '../cli/generate';
import { ensureBuild, openSession, pageErrorMessage, type Log, type Session } from '../cli/runner';
import type { EvalRunOptions } from './args';
import { Progress } from './progress';
import { ResultsDir, writeReports, type RunIdentity, type SummaryDoc } from './results';
import { loadSet, type SetFile } from './set';

export const SET_URL = '/eval-set/';

/** Where the page fetches an item's image: the set's folder is served at /eval-set/. */
export function imageUrl(item: EvalItem): string {
  if (/^(data:|https?:)/i.test(item.image)) return item.image;
  return SET_URL + item.image.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export class Interrupted extends Error {
  override name = 'Interrupted';
  readonly exitCode = 130;
}

export interface RunOutcome {
  summary: SummaryDoc;
  done: number;
  failed: number;
  pending: number;
}

/** Items to run: the first --limit valid items, minus those already done. */
function selection(file: SetFile, limit: number | null): EvalItem[] {
  return limit === null ? file.set.items : file.set.items.slice(0, limit);
}

export async function runEval(opts: EvalRunOptions, log: Log, signal: AbortSignal): Promise<RunOutcome> {
  const progress = new Progress();
  // Inputs first: a bad path or row is reported in milliseconds, before a build or a browser.
  const file = await loadSet(opts.data);
  for (const p of file.set.problems) progress.say(`skipped ${describeProblem(p, file.set.unit)}`);
  if (!file.set.items.length)
    throw new InputError(`set '${opts.data}' has no usable items (${file.set.problems.length} bad rows)`);
  const trio = await resolveTrio(opts);
  const settings: EvalSettings = {
    base: opts.base,
    alphas: opts.alphas,
    maxNewTokens: opts.maxNewTokens,
    resolution: opts.resolution,
  };
  const identity: RunIdentity = {
    data: file.path,
    trio: opts.trio,
    models: Object.fromEntries(MODEL_ROLES.map((r) => [r, trio.folders[r].folder])),
    backend: opts.backend,
    dtype: opts.dtype,
    base: opts.base,
    alphas: opts.alphas,
    max_new_tokens: opts.maxNewTokens,
    resolution: opts.resolution,
  };
  const { results, resumed, dropped } = ResultsDir.open(opts.out, identity, opts.fresh);
  if (dropped)
    progress.say(
      `dropped ${dropped} unreadable line(s) of ${opts.out}/items.jsonl (an item cut off by a kill is run again)`,
    );
  const selected = selection(file, opts.limit);
  const pending = selected.filter((it) => !results.done.has(it.id));
  if (resumed)
    progress.say(
      `resuming: ${selected.length - pending.length} of ${selected.length} items already done in ${opts.out}`,
    );
  let failed = 0;
  const itemSeconds: number[] = [];
  const report = (complete: boolean): SummaryDoc => {
    // In set order (items.jsonl is in the order they finished).
    const records = selected.flatMap((s) => results.done.get(s.id) ?? []);
    return writeReports(
      opts.out,
      {
        kind: 'run',
        complete,
        data: file.path,
        format: file.set.format,
        items: {
          rows: file.set.rows,
          valid: file.set.items.length,
          skipped: file.set.problems.length,
          selected: selected.length,
          done: records.length,
          failed,
          pending: selected.length - records.length,
        },
        skipped: file.set.problems,
        trio: opts.trio,
        models: identity.models,
        backend: opts.backend,
        settings: {
          base: opts.base,
          alphas: opts.alphas,
          max_new_tokens: opts.maxNewTokens,
          resolution: opts.resolution,
          sampling: 'greedy',
        },
        timing: { item_seconds_this_session: itemSeconds.map((x) => Math.round(x * 100) / 100) },
        ...(opts.trio && /^(tiny|bench)/.test(opts.trio)
          ? {
              note: 'generated test models with random weights: the accuracy is meaningless; the pipeline (extraction, scoring, sweep, resume) is what runs',
            }
          : {}),
      },
      records,
      `Evaluation of ${relative(process.cwd(), file.path) || file.path}`,
      [
        `trio: ${opts.trio ?? MODEL_ROLES.map((r) => `${r} ${trio.folders[r].folder}`).join(', ')} (${opts.backend})`,
        `modes: ${[...(opts.base ? ['base'] : []), ...opts.alphas.map((a) => `guided α=${a}`)].join(', ')}; greedy; ${opts.maxNewTokens} new tokens at most; resolution ${opts.resolution}`,
        `items: ${records.length} of ${selected.length} done; ${file.set.problems.length} bad rows skipped`,
      ],
    );
  };
  if (!pending.length) {
    progress.say(`all ${selected.length} items are done`);
    return { summary: report(true), done: selected.length, failed: 0, pending: 0 };
  }

  try {
    await ensureBuild(opts.build, log);
  } catch (e) {
    throw new RunFailure(e instanceof Error ? e.message : String(e));
  }
  if (signal.aborted) throw new Interrupted('interrupted');
  const session: Session = await openSession({
    mounts: [...trio.mounts, { urlPath: SET_URL, dir: file.dir }],
    chromium: opts.chromium,
    log,
    ...(opts.verbose ? { onConsole: (type: string, text: string) => log(`[browser ${type}] ${text}`) } : {}),
  }).catch((e: unknown) => {
    throw new RunFailure(
      `could not start the browser session: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  const interrupted = new Promise<never>((_, reject) => {
    const stop = () => reject(new Interrupted('interrupted'));
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
  });
  interrupted.catch(() => undefined);
  try {
    const { page } = session;
    log(`loading the trio on ${opts.backend}…`);
    await Promise.race([
      page.evaluate((o) => window.proxyThinker.load(o), {
        trio: trio.trio,
        backend: opts.backend,
        ...dtypeOption(opts.dtype),
        ...(opts.threads ? { wasmThreads: opts.threads } : {}),
      }),
      interrupted,
    ]).catch((e: unknown) => {
      throw e instanceof Interrupted
        ? e
        : new RunFailure(`loading the models failed: ${pageErrorMessage(e)}`);
    });
    const total = selected.length;
    progress.update({
      done: total - pending.length,
      total,
      itemSeconds,
      rows: summarize(results.records()).results,
    });
    for (const item of pending) {
      const t0 = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<ItemOutcome>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              kind: 'failed',
              error: { name: 'TimeoutError', message: `no result after ${opts.itemTimeoutSec} s` },
            }),
          opts.itemTimeoutSec * 1000,
        );
      });
      const call = page.evaluate((o) => window.proxyThinker.evalItem(o), {
        item,
        imageUrl: imageUrl(item),
        settings,
      });
      const outcome = await Promise.race([call, timeout, interrupted])
        .catch((e: unknown): ItemOutcome => {
          if (e instanceof Interrupted) throw e;
          return { kind: 'failed', error: { name: 'Error', message: pageErrorMessage(e) } };
        })
        .finally(() => clearTimeout(timer));
      if (outcome.kind === 'failed' && outcome.error.name === 'TimeoutError') {
        // Stop the stuck run before the next item starts one.
        await page.evaluate(() => window.proxyThinker.cancel()).catch(() => undefined);
        await Promise.race([call.catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
      }
      if (outcome.kind === 'done') {
        results.add(outcome.record);
        itemSeconds.push((performance.now() - t0) / 1000);
      } else if (outcome.kind === 'failed') {
        failed += 1;
        results.addError({ id: item.id, line: item.line, error: outcome.error });
        progress.say(
          `item ${item.id} (line ${item.line}) failed: ${outcome.error.name}: ${outcome.error.message}`,
        );
      }
      const summary = report(false);
      progress.update(
        { done: summary.items.done, total, itemSeconds, rows: summary.summary.results },
        `${item.id}`,
      );
    }
  } finally {
    progress.end();
    await session.close();
    log('browser closed');
  }
  const summary = report(failed === 0);
  return { summary, done: summary.items.done, failed, pending: summary.items.pending };
}

/** The summary table for stdout. */
export function resultTable(doc: SummaryDoc): string {
  const lines = ['mode     α       n  correct  accuracy  95 % interval'];
  for (const r of doc.summary.results) {
    lines.push(
      `${r.mode.padEnd(8)} ${String(r.alpha ?? '–').padEnd(6)} ${String(r.n).padStart(3)}  ${String(r.correct).padStart(7)}  ${(r.accuracy * 100).toFixed(1).padStart(7)} %  ${(r.ci95[0] * 100).toFixed(1)}–${(r.ci95[1] * 100).toFixed(1)} %`,
    );
  }
  return lines.join('\n');
}
