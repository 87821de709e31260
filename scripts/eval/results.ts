/**
 * The results folder of a run: items.jsonl grows by one line per finished item (one write each, so
 * a killed run keeps every finished item and at worst a cut last line, which the next run drops);
 * run.json holds the settings a rerun must share to resume; the summary, Markdown table, SVG plot
 * and CSV are rewritten from items.jsonl.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { accuracyPlotSvg, recordsCsv, summaryMarkdown } from '../../src/core/eval/report';
import { summarize, type Summary } from '../../src/core/eval/summary';
import type { ItemRecord, RowProblem, SetFormat } from '../../src/core/eval/types';
import { UsageError } from '../cli/args';

export const SUMMARY_SCHEMA = 'proxythinker-eval/summary@1';
export const FILES = {
  items: 'items.jsonl',
  errors: 'errors.jsonl',
  run: 'run.json',
  summary: 'summary.json',
  markdown: 'summary.md',
  plot: 'accuracy.svg',
  csv: 'items.csv',
} as const;

/** What a rerun must share with the first run to add to its results. */
export interface RunIdentity {
  data: string;
  trio: string | null;
  models: Record<string, string>;
  backend: string;
  dtype: string | null;
  base: boolean;
  alphas: number[];
  max_new_tokens: number;
  resolution: string;
}

function isItemRecord(v: unknown): v is ItemRecord {
  return (
    typeof v === 'object' &&
    v !== null &&
    'id' in v &&
    typeof v.id === 'string' &&
    'results' in v &&
    Array.isArray(v.results)
  );
}

/** The finished items in a results file; a last line cut by a kill is dropped (and cut from the file). */
export function readItems(file: string): { records: ItemRecord[]; dropped: number } {
  if (!existsSync(file)) return { records: [], dropped: 0 };
  const text = readFileSync(file, 'utf8');
  const records: ItemRecord[] = [];
  let dropped = 0;
  let goodBytes = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    const bytes = Buffer.byteLength(line) + 1;
    if (line.trim()) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        v = null;
      }
      if (isItemRecord(v)) {
        records.push(v);
        goodBytes = offset + bytes;
      } else dropped += 1;
    }
    offset += bytes;
  }
  // A partial line at the end (the process died mid-write) would glue onto the next append.
  const size = Buffer.byteLength(text);
  if (goodBytes < size) truncateSync(file, goodBytes);
  else if (size && !text.endsWith('\n')) appendFileSync(file, '\n');
  return { records, dropped };
}

export class ResultsDir {
  readonly done = new Map<string, ItemRecord>();

  private constructor(readonly dir: string) {}

  /**
   * Opens (or starts) a results folder. A folder made with other settings is refused unless
   * `fresh`, which clears it first.
   */
  static open(
    dir: string,
    identity: RunIdentity,
    fresh: boolean,
  ): { results: ResultsDir; resumed: number; dropped: number } {
    mkdirSync(dir, { recursive: true });
    const runFile = join(dir, FILES.run);
    if (fresh) for (const f of Object.values(FILES)) rmSync(join(dir, f), { force: true });
    if (existsSync(runFile)) {
      const before: unknown = JSON.parse(readFileSync(runFile, 'utf8'));
      const diff = differences(before, identity);
      if (diff.length)
        throw new UsageError(
          `${dir} holds a run with other settings (${diff.join('; ')}): rerun with the same settings to resume it, or pass --fresh or another --out`,
        );
    } else {
      writeFileSync(
        runFile,
        `${JSON.stringify({ schema: 'proxythinker-eval/run@1', ...identity, started_at: new Date().toISOString() }, null, 2)}\n`,
      );
    }
    const results = new ResultsDir(dir);
    const { records, dropped } = readItems(join(dir, FILES.items));
    for (const r of records) results.done.set(r.id, r);
    return { results, resumed: results.done.size, dropped };
  }

  /** Appends a finished item: one write, so the line is whole or (killed mid-write) dropped next time. */
  add(record: ItemRecord): void {
    appendFileSync(join(this.dir, FILES.items), `${JSON.stringify(record)}\n`);
    this.done.set(record.id, record);
  }

  addError(entry: { id: string; line: number; error: { name: string; message: string } }): void {
    appendFileSync(
      join(this.dir, FILES.errors),
      `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`,
    );
  }

  records(): ItemRecord[] {
    return [...this.done.values()];
  }
}

function differences(before: unknown, now: RunIdentity): string[] {
  if (typeof before !== 'object' || before === null) return ['run.json is unreadable'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(now)) {
    const was = (before as Record<string, unknown>)[k];
    if (JSON.stringify(was) !== JSON.stringify(v))
      out.push(`${k} ${JSON.stringify(was)} → ${JSON.stringify(v)}`);
  }
  return out;
}

/** The fields every summary has; a run adds its trio, settings and timing. */
export interface SummaryFields {
  kind: 'run' | 'score';
  complete: boolean;
  data: string;
  format: SetFormat;
  items: {
    rows: number;
    valid: number;
    skipped: number;
    selected: number;
    done: number;
    failed: number;
    pending: number;
  };
  skipped: RowProblem[];
}

export type SummaryDoc = SummaryFields & {
  schema: typeof SUMMARY_SCHEMA;
  generated_at: string;
  summary: Summary;
} & Record<string, unknown>;

/** Writes summary.json, summary.md, accuracy.svg and items.csv from the records. */
export function writeReports(
  dir: string,
  doc: SummaryFields & Record<string, unknown>,
  records: readonly ItemRecord[],
  title: string,
  lines: string[],
): SummaryDoc {
  const full: SummaryDoc = {
    schema: SUMMARY_SCHEMA,
    generated_at: new Date().toISOString(),
    ...doc,
    summary: summarize(records),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FILES.summary), `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(join(dir, FILES.markdown), summaryMarkdown(full.summary, { title, lines }));
  writeFileSync(join(dir, FILES.plot), accuracyPlotSvg(full.summary, title));
  writeFileSync(join(dir, FILES.csv), recordsCsv(records));
  return full;
}
