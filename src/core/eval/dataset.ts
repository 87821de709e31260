/**
 * Reading an evaluation set: JSONL (one item per line) or a JSON array / object of items, in our
 * format or in a benchmark's published shape (importers.ts). Every row is checked; a bad row is
 * reported with its line and skipped, never fatal for the set.
 */
import { importRows, detectFormat } from './importers';
import {
  ANSWER_TYPES,
  ITEM_FIELDS,
  type AnswerType,
  type EvalItem,
  type LoadedSet,
  type RowProblem,
} from './types';
import { parseNumber } from './normalize';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A row of the file with the line (JSONL) or entry number (JSON) it came from. */
export interface RawRow {
  line: number;
  value: unknown;
}

/**
 * Splits a file into rows. JSONL: one JSON value per non-blank line (a line that is not JSON is a
 * problem of that line). A file that is one JSON array or object: its entries, numbered from 1.
 */
export function readRows(text: string): { rows: RawRow[]; problems: RowProblem[]; unit: 'line' | 'entry' } {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !isJsonl(body))) {
    try {
      const doc: unknown = JSON.parse(body);
      const values = Array.isArray(doc) ? doc : isObj(doc) ? Object.values(doc) : [];
      return { rows: values.map((value, i) => ({ line: i + 1, value })), problems: [], unit: 'entry' };
    } catch (e) {
      if (trimmed.startsWith('[')) {
        return {
          rows: [],
          problems: [
            { line: 1, id: null, field: null, message: `the file is not valid JSON (${message(e)})` },
          ],
          unit: 'entry',
        };
      }
    }
  }
  const rows: RawRow[] = [];
  const problems: RowProblem[] = [];
  body.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      rows.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (e) {
      problems.push({ line: i + 1, id: null, field: null, message: `not valid JSON (${message(e)})` });
    }
  });
  return { rows, problems, unit: 'line' };
}

/** Whether the text's first line is a complete JSON value (then the file is JSONL, not one object). */
function isJsonl(text: string): boolean {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  try {
    JSON.parse(first);
    return true;
  } catch {
    return false;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The answer type a row implies when it does not say: choices → multiple choice, else by the answer's form. */
export function inferAnswerType(answer: string, choices: readonly string[] | null): AnswerType {
  if (choices && choices.length > 0) return 'multiple_choice';
  const t = answer.trim();
  if (/^[-+]?\d+$/.test(t)) return 'integer';
  if (/^[-+]?(\d+\.\d*|\.\d+)$/.test(t)) return 'float';
  return 'text';
}

/** The option an answer names: its letter (A, (B), c) or its exact text; refuses when the two readings disagree. */
export function resolveAnswerIndex(
  answer: string,
  choices: readonly string[],
): { index: number } | { error: string } {
  const a = answer.trim();
  const m = /^\(?([A-Za-z])\)?\.?$/.exec(a);
  const byLetter = m ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf((m[1] ?? '').toUpperCase()) : -1;
  const letter = byLetter >= 0 && byLetter < choices.length ? byLetter : -1;
  const text = choices.findIndex((c) => c.trim() === a);
  if (letter >= 0 && text >= 0 && letter !== text)
    return {
      error: `answer '${a}' is ambiguous: option ${a.toUpperCase()} is '${choices[letter]}', but option ${'ABCDEFGHIJ'[text]} reads '${a}'`,
    };
  if (letter >= 0) return { index: letter };
  if (text >= 0) return { index: text };
  return {
    error: `answer '${a}' is neither an option letter (A–${'ABCDEFGHIJ'[choices.length - 1]}) nor the text of one of the ${choices.length} choices`,
  };
}

const MAX_PRECISION = 12;

/** One row in our format → an item, or the reason it is skipped. */
export function validateRow(row: RawRow): EvalItem | RowProblem {
  const { line, value } = row;
  const bad = (field: string | null, msg: string, id: string | null = null): RowProblem => ({
    line,
    id,
    field,
    message: msg,
  });
  if (!isObj(value)) return bad(null, 'a row must be a JSON object');
  const idRaw = value.id;
  const id =
    typeof idRaw === 'string'
      ? idRaw.trim()
      : typeof idRaw === 'number' && Number.isFinite(idRaw)
        ? String(idRaw)
        : '';
  if (!id) return bad('id', idRaw === undefined ? 'no id' : 'id must be a non-empty string or a number');
  const fail = (field: string | null, msg: string) => bad(field, msg, id);
  const image = value.image;
  if (image === undefined || image === null || image === '') return fail('image', 'no image');
  if (typeof image !== 'string')
    return fail('image', 'image must be a string (a path relative to the file, or a URL)');
  const pathProblem = imagePathProblem(image);
  if (pathProblem) return fail('image', pathProblem);
  const question = value.question;
  if (typeof question !== 'string' || !question.trim())
    return fail('question', question === undefined ? 'no question' : 'question must be a non-empty string');
  const answerRaw = value.answer;
  const answer =
    typeof answerRaw === 'string'
      ? answerRaw
      : typeof answerRaw === 'number' && Number.isFinite(answerRaw)
        ? String(answerRaw)
        : null;
  if (answer === null || !answer.trim())
    return fail(
      'answer',
      answerRaw === undefined ? 'no answer' : 'answer must be a non-empty string or a number',
    );
  let choices: string[] | null = null;
  if (value.choices !== undefined && value.choices !== null) {
    if (!Array.isArray(value.choices)) return fail('choices', 'choices must be an array of strings');
    const list = value.choices.map((c) => (typeof c === 'number' && Number.isFinite(c) ? String(c) : c));
    if (!list.every((c): c is string => typeof c === 'string' && c.trim() !== ''))
      return fail('choices', 'every choice must be a non-empty string');
    if (list.length > 0 && (list.length < 2 || list.length > 10))
      return fail('choices', `choices must hold 2 to 10 options, got ${list.length}`);
    choices = list.length ? list : null;
  }
  const typeRaw = value.answer_type;
  let answerType: AnswerType;
  if (typeRaw === undefined || typeRaw === null) answerType = inferAnswerType(answer, choices);
  else if (typeof typeRaw === 'string' && (ANSWER_TYPES as readonly string[]).includes(typeRaw))
    answerType = typeRaw as AnswerType;
  else
    return fail(
      'answer_type',
      `answer_type must be one of ${ANSWER_TYPES.join(', ')}, got ${JSON.stringify(typeRaw)}`,
    );
  let answerIndex: number | null = null;
  if (answerType === 'multiple_choice') {
    if (!choices) return fail('choices', 'a multiple_choice item needs choices');
    const r = resolveAnswerIndex(answer, choices);
    if ('error' in r) return fail('answer', r.error);
    answerIndex = r.index;
  } else if ((answerType === 'integer' || answerType === 'float') && !parseNumber(answer)) {
    return fail('answer', `answer '${answer}' is not a number, but answer_type is ${answerType}`);
  }
  let precision: number | null = null;
  if (value.precision !== undefined && value.precision !== null) {
    const p = value.precision;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > MAX_PRECISION)
      return fail(
        'precision',
        `precision must be an integer from 0 to ${MAX_PRECISION} (decimal places), got ${JSON.stringify(p)}`,
      );
    precision = p;
  }
  const unit = optionalString(value.unit);
  const prompt = optionalString(value.prompt);
  if (unit === undefined) return fail('unit', 'unit must be a string');
  if (prompt === undefined) return fail('prompt', 'prompt must be a string');
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    if (!(ITEM_FIELDS as readonly string[]).includes(k)) extra[k] = v;
  return {
    id,
    image,
    question,
    choices,
    answer,
    answerIndex,
    answer_type: answerType,
    precision,
    unit,
    prompt,
    extra,
    line,
  };
}

/** null / absent → null; a string → itself; anything else → undefined (an error). */
function optionalString(v: unknown): string | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  return typeof v === 'string' ? v : undefined;
}

/** Why an image reference cannot be used, or null. Relative paths must stay inside the set's folder. */
export function imagePathProblem(image: string): string | null {
  if (/^(https?:|data:image\/)/i.test(image)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(image) && !/^[a-z]:[\\/]/i.test(image))
    return `image '${image.slice(0, 60)}' uses an unsupported scheme (a relative path, http(s): or data:image/ URL)`;
  if (/^([\\/]|[a-z]:[\\/])/i.test(image))
    return `image '${image}' is an absolute path; give it relative to the set's file`;
  if (image.split(/[\\/]/).includes('..')) return `image '${image}' leaves the set's folder ('..')`;
  return null;
}

/**
 * Parses a set file: detects its shape (ours, or a benchmark's), converts, validates every row and
 * drops duplicate ids (the first one stays).
 */
export function parseSet(text: string): LoadedSet {
  const { rows, problems, unit } = readRows(text);
  const total = rows.length + problems.length; // problems so far: lines that are not JSON
  const format = detectFormat(rows.map((r) => r.value));
  const converted = format === 'proxythinker' ? rows : importRows(format, rows);
  const items: EvalItem[] = [];
  const firstLine = new Map<string, number>();
  for (const row of converted) {
    const r = validateRow(row);
    if (!('answer_type' in r)) {
      problems.push(r);
      continue;
    }
    const first = firstLine.get(r.id);
    if (first !== undefined) {
      problems.push({
        line: r.line,
        id: r.id,
        field: 'id',
        message: `duplicate id '${r.id}' (first on line ${first})`,
      });
      continue;
    }
    firstLine.set(r.id, r.line);
    items.push(r);
  }
  problems.sort((a, b) => a.line - b.line);
  return { items, problems, rows: total, format, unit };
}

/** What to do with an item's image: its problem ('missing', 'unreadable: …'), or null when it is usable. */
export type ImageProbe = (item: EvalItem) => Promise<string | null>;

/**
 * Checks every item's image (a few at a time) and moves the items whose image is missing or
 * unreadable to the problems, with their lines.
 */
export async function checkImages(set: LoadedSet, probe: ImageProbe, concurrency = 8): Promise<LoadedSet> {
  const verdicts = new Array<string | null>(set.items.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < set.items.length; i = next++) {
      const it = set.items[i];
      if (!it) continue;
      try {
        verdicts[i] = await probe(it);
      } catch (e) {
        verdicts[i] = `image '${it.image}' cannot be read (${message(e)})`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const items: EvalItem[] = [];
  const problems = [...set.problems];
  set.items.forEach((it, i) => {
    const v = verdicts[i];
    if (v) problems.push({ line: it.line, id: it.id, field: 'image', message: v });
    else items.push(it);
  });
  problems.sort((a, b) => a.line - b.line);
  return { ...set, items, problems };
}

/** "line 4 (id q7): no question" — how a problem is shown to the user. */
export function describeProblem(p: RowProblem, unit: 'line' | 'entry' = 'line'): string {
  return `${unit} ${p.line}${p.id ? ` (id ${p.id})` : ''}: ${p.message}`;
}
