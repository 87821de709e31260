/**
 * `npm run eval -- score`: scores saved outputs against a set without any model — another system's
 * predictions ({"id", "text"} per line, optionally "mode" and "alpha"), or an earlier run's
 * items.jsonl re-scored with the current extractor. Writes the same files a run writes.
 */
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describeProblem, parseSet } from '../../src/core/eval/dataset';
import { scoreItem, type StreamOutput } from '../../src/core/eval/outputs';
import type { EvalItem, EvalMode, ItemRecord } from '../../src/core/eval/types';
import { InputError } from '../cli/args';
import type { EvalImportOptions, EvalScoreOptions } from './args';
import { writeReports, type SummaryDoc } from './results';
import { loadSet, readSetFile } from './set';

export interface Prediction {
  id: string;
  mode: string;
  alpha: number | null;
  text: string;
  line: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads predictions: `{"id", "text", "mode"?, "alpha"?}` lines, or a run's per-item lines (whose
 * `results` hold one text per mode and α). Bad lines are reported, not fatal.
 */
export function parsePredictions(text: string): { predictions: Prediction[]; problems: string[] } {
  const predictions: Prediction[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      problems.push(`line ${line}: not valid JSON`);
      return;
    }
    if (!isObj(v)) return void problems.push(`line ${line}: not a JSON object`);
    const id = typeof v.id === 'string' ? v.id : typeof v.id === 'number' ? String(v.id) : null;
    if (!id) return void problems.push(`line ${line}: no id`);
    if (Array.isArray(v.results)) {
      for (const r of v.results) {
        if (isObj(r) && typeof r.text === 'string' && typeof r.mode === 'string')
          predictions.push({
            id,
            mode: r.mode,
            alpha: typeof r.alpha === 'number' ? r.alpha : null,
            text: r.text,
            line,
          });
      }
      return;
    }
    if (typeof v.text !== 'string') return void problems.push(`line ${line} (id ${id}): no text`);
    if (v.alpha !== undefined && v.alpha !== null && typeof v.alpha !== 'number')
      return void problems.push(`line ${line} (id ${id}): alpha must be a number`);
    predictions.push({
      id,
      mode: typeof v.mode === 'string' && v.mode ? v.mode : 'prediction',
      alpha: typeof v.alpha === 'number' ? v.alpha : null,
      text: v.text,
      line,
    });
  });
  return { predictions, problems };
}

/** Each item's predictions scored, in set order; unknown ids and repeated (id, mode, α) are reported. */
export function scorePredictions(
  items: readonly EvalItem[],
  predictions: readonly Prediction[],
): { records: ItemRecord[]; problems: string[]; missing: string[] } {
  const byId = new Map(items.map((it) => [it.id, it]));
  const grouped = new Map<string, Prediction[]>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of predictions) {
    if (!byId.has(p.id)) {
      problems.push(`line ${p.line}: id '${p.id}' is not in the set`);
      continue;
    }
    const key = `${p.id}\u0000${p.mode}\u0000${p.alpha}`;
    if (seen.has(key)) {
      problems.push(
        `line ${p.line}: a second prediction for id '${p.id}' (${p.mode}${p.alpha === null ? '' : ` α=${p.alpha}`}); the first is kept`,
      );
      continue;
    }
    seen.add(key);
    grouped.set(p.id, [...(grouped.get(p.id) ?? []), p]);
  }
  const records: ItemRecord[] = [];
  const missing: string[] = [];
  for (const it of items) {
    const ps = grouped.get(it.id);
    if (!ps) {
      missing.push(it.id);
      continue;
    }
    const outputs: StreamOutput[] = ps.map((p) => ({
      mode: p.mode as EvalMode,
      alpha: p.alpha,
      ids: [],
      text: p.text,
      reason: null,
      error: null,
      ms: null,
    }));
    const r = scoreItem(it, outputs, null, false);
    // Predictions carry no token counts: do not claim zero.
    records.push({ ...r, results: r.results.map((s) => ({ ...s, tokens: null })) });
  }
  return { records, problems, missing };
}

export async function runScore(
  opts: EvalScoreOptions,
  print: (s: string) => void,
  warn: (s: string) => void,
): Promise<SummaryDoc> {
  const file = await loadSet(opts.data, false);
  for (const p of file.set.problems) warn(`set: skipped ${describeProblem(p, file.set.unit)}`);
  let text: string;
  try {
    text = await fs.readFile(resolve(opts.predictions), 'utf8');
  } catch (e) {
    throw new InputError(
      `cannot read predictions '${opts.predictions}': ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const parsed = parsePredictions(text);
  const scored = scorePredictions(file.set.items, parsed.predictions);
  for (const p of [...parsed.problems, ...scored.problems]) warn(`predictions: ${p}`);
  if (scored.missing.length)
    warn(
      `predictions: none for ${scored.missing.length} item(s): ${scored.missing.slice(0, 10).join(', ')}${scored.missing.length > 10 ? ', …' : ''}`,
    );
  if (!scored.records.length)
    throw new InputError(`no prediction in '${opts.predictions}' matches an item of '${opts.data}'`);
  for (const r of scored.records) {
    for (const s of r.results) {
      print(
        `${s.correct ? '✓' : '✗'} ${r.id}  ${s.mode}${s.alpha === null ? '' : ` α=${s.alpha}`}  extracted ${JSON.stringify(s.extracted)}${s.method ? ` (${s.method})` : ''}  answer ${JSON.stringify(r.answer)}`,
      );
    }
  }
  const out =
    opts.out ??
    join(dirname(resolve(opts.predictions)), `${basename(opts.predictions).replace(/\.jsonl?$/, '')}.scored`);
  const doc = writeReports(
    out,
    {
      kind: 'score',
      complete: scored.missing.length === 0,
      data: file.path,
      format: file.set.format,
      predictions: resolve(opts.predictions),
      items: {
        rows: file.set.rows,
        valid: file.set.items.length,
        skipped: file.set.problems.length,
        selected: file.set.items.length,
        done: scored.records.length,
        failed: 0,
        pending: scored.missing.length,
      },
      skipped: file.set.problems,
    },
    scored.records,
    `Scores of ${basename(opts.predictions)}`,
    [
      `set: ${file.path}`,
      `predictions: ${resolve(opts.predictions)}`,
      `items scored: ${scored.records.length} of ${file.set.items.length}`,
    ],
  );
  writeFileSync(
    join(out, 'scored.jsonl'),
    scored.records.map((r) => JSON.stringify(r)).join('\n') + (scored.records.length ? '\n' : ''),
  );
  return doc;
}

/** `import`: a benchmark's file as our JSONL (images keep their paths), bad rows reported. */
export async function runImport(
  opts: EvalImportOptions,
  warn: (s: string) => void,
): Promise<{ written: number; format: string; out: string }> {
  const file = await readSetFile(opts.data);
  const set = parseSet(file.text);
  for (const p of set.problems) warn(`skipped ${describeProblem(p, set.unit)}`);
  const out = resolve(opts.out);
  if (out === file.path) throw new InputError('--out must not be the input file');
  // Images are found relative to a set's file and may not leave its folder: the new file must sit
  // where the benchmark's relative paths still lead down to them.
  const up = relative(dirname(out), file.dir);
  if (up.startsWith('..') || isAbsolute(up))
    throw new InputError(
      `--out must be in the folder of the input file or above it (${file.dir}), so that image paths stay inside the set's folder`,
    );
  const rows = set.items.map((it) =>
    JSON.stringify({
      ...it.extra,
      id: it.id,
      // Relative paths stay right from the new file's folder.
      image: /^(data:|https?:)/i.test(it.image)
        ? it.image
        : relative(dirname(out), join(file.dir, it.image)).split(sep).join('/'),
      question: it.question,
      ...(it.choices ? { choices: it.choices } : {}),
      answer: it.answer,
      answer_type: it.answer_type,
      ...(it.precision !== null ? { precision: it.precision } : {}),
      ...(it.unit ? { unit: it.unit } : {}),
      ...(it.prompt ? { prompt: it.prompt } : {}),
    }),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, rows.join('\n') + (rows.length ? '\n' : ''));
  return { written: rows.length, format: set.format, out };
}
