/**
 * The benchmarks' own published shapes, turned into our rows (then validated like any row):
 * MathVista testmini (`pid`, `question_type` multi_choice / free_form, `answer_type`, `precision`,
 * `unit`, answer = the option's text), MathVerse (`sample_index`, `problem_version`, options inside
 * the question after "Choices:", answer = a letter), MathVision (`options`, answer = a letter,
 * `<image1>` placeholders in the question) and MMStar-style multiple choice (`index`, "Options: A: …,
 * B: …" in the question or A/B/C/D columns, the image as a path or base64).
 */
import type { RawRow } from './dataset';
import type { SetFormat } from './types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string) => o[k] !== undefined;
const LETTERS = 'ABCDEFGHIJ';

/** Which shape the rows have, judged by the first object row's fields. */
export function detectFormat(values: readonly unknown[]): SetFormat {
  const first = values.find(isObj);
  if (!first) return 'proxythinker';
  if (has(first, 'answer_type') && has(first, 'id') && !has(first, 'pid')) return 'proxythinker';
  if (has(first, 'sample_index') && has(first, 'problem_version')) return 'mathverse';
  if (has(first, 'pid') && (first.question_type === 'multi_choice' || first.question_type === 'free_form'))
    return 'mathvista';
  if (Array.isArray(first.options) && (has(first, 'level') || has(first, 'subject'))) return 'mathvision';
  if (
    has(first, 'index') &&
    !has(first, 'id') &&
    (has(first, 'category') || has(first, 'l2_category') || has(first, 'l2-category'))
  )
    return 'mmstar';
  return 'proxythinker';
}

/** Converts every row of a benchmark's shape into ours (rows that are not objects pass through to fail validation). */
export function importRows(format: SetFormat, rows: readonly RawRow[]): RawRow[] {
  const convert = CONVERTERS[format];
  return rows.map((r) => (isObj(r.value) ? { line: r.line, value: convert(r.value) } : r));
}

/** Fields of `o` not in `used`, kept as extra fields of the item. */
function rest(o: Obj, used: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!used.includes(k)) out[k] = v;
  return out;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

function mathVista(o: Obj): Obj {
  const mc = o.question_type === 'multi_choice';
  const types: Record<string, string> = { integer: 'integer', float: 'float', text: 'text', list: 'text' };
  const answerType = mc ? 'multiple_choice' : (types[String(o.answer_type)] ?? undefined);
  const precision =
    answerType === 'float' && typeof o.precision === 'number' ? Math.round(o.precision) : undefined;
  return {
    ...rest(o, [
      'pid',
      'image',
      'question',
      'choices',
      'answer',
      'answer_type',
      'precision',
      'unit',
      'decoded_image',
    ]),
    id: str(o.pid),
    image: o.image,
    question: o.question,
    ...(mc ? { choices: o.choices } : {}),
    answer: o.answer,
    answer_type: answerType,
    ...(precision !== undefined ? { precision } : {}),
    ...(typeof o.unit === 'string' && o.unit ? { unit: o.unit } : {}),
    mathvista_answer_type: o.answer_type,
  };
}

/** "Question…\nChoices:\nA:20°\nB:40°" → the question and its options (null when there is no list). */
export function splitChoices(text: string, marker: RegExp): { question: string; choices: string[] | null } {
  const m = marker.exec(text);
  if (!m) return { question: text.trim(), choices: null };
  const list = text.slice(m.index + m[0].length);
  const parts = list.split(/(?:^|\n|,\s+|\s{2,})\s*\(?([A-J])\)?\s*[:.)：]\s*/);
  // parts: [before, 'A', text, 'B', text, …]
  const choices: string[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    if (parts[i] !== LETTERS[choices.length]) return { question: text.trim(), choices: null };
    choices.push((parts[i + 1] ?? '').trim().replace(/[,;]$/, '').trim());
  }
  return choices.length >= 2
    ? { question: text.slice(0, m.index).trim(), choices }
    : { question: text.trim(), choices: null };
}

function mathVerse(o: Obj): Obj {
  const raw = typeof o.question === 'string' ? o.question : '';
  const mc = o.question_type === 'multi-choice';
  const { question, choices } = mc
    ? splitChoices(raw, /\n?\s*Choices\s*:\s*/i)
    : { question: raw.trim(), choices: null };
  // "Vision Only" rows carry the whole question in the image.
  const text = question || 'Answer the question shown in the image.';
  return {
    ...rest(o, ['sample_index', 'image', 'question', 'answer', 'query_wo', 'query_cot']),
    id: str(o.sample_index),
    image: o.image,
    question: text,
    ...(choices ? { choices, answer_type: 'multiple_choice' } : mc ? { answer_type: 'text' } : {}),
    answer: o.answer,
  };
}

function mathVision(o: Obj): Obj {
  const q =
    typeof o.question === 'string'
      ? o.question
          .replace(/<image\d+>/g, ' ')
          .replace(/[ \t]+/g, ' ')
          .replace(/ *\n */g, '\n')
          .trim()
      : o.question;
  const options = Array.isArray(o.options) ? o.options : [];
  const letter = typeof o.answer === 'string' && /^[A-J]$/.test(o.answer.trim());
  return {
    ...rest(o, ['id', 'image', 'question', 'options', 'answer']),
    id: str(o.id),
    image: o.image,
    question: q,
    // Options drawn in the image (an empty list with a letter answer) are compared as text.
    ...(options.length >= 2
      ? { choices: options, answer_type: 'multiple_choice' }
      : letter
        ? { answer_type: 'text' }
        : {}),
    answer: o.answer,
  };
}

/** Base64 image bytes as a data: URL (type from the first bytes); paths and URLs stay as they are. */
export function imageReference(v: unknown): unknown {
  // Base64 has no '.' or ':', which every file name with an extension and every URL has.
  if (typeof v !== 'string' || v.length < 32 || /[.:]/.test(v)) return v;
  const b64 = v.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) return v;
  const type = b64.startsWith('/9j/')
    ? 'jpeg'
    : b64.startsWith('iVBOR')
      ? 'png'
      : b64.startsWith('R0lG')
        ? 'gif'
        : b64.startsWith('UklG')
          ? 'webp'
          : null;
  return type ? `data:image/${type};base64,${b64}` : v;
}

function mmStar(o: Obj): Obj {
  const raw = typeof o.question === 'string' ? o.question : '';
  const split = splitChoices(raw, /\n?\s*Options\s*:\s*/i);
  const columns = [...LETTERS]
    .map((l) => str(o[l]))
    .filter((c): c is string => c !== undefined && c.trim() !== '' && c !== 'nan');
  const question = split.question;
  const choices = split.choices ?? (columns.length >= 2 ? columns : null);
  return {
    ...rest(o, ['index', 'image', 'question', 'answer', ...LETTERS]),
    id: str(o.index),
    image: imageReference(o.image),
    question,
    ...(choices ? { choices, answer_type: 'multiple_choice' } : {}),
    answer: o.answer,
  };
}

const CONVERTERS: Record<SetFormat, (o: Obj) => Obj> = {
  proxythinker: (o) => o,
  mathvista: mathVista,
  mathverse: mathVerse,
  mathvision: mathVision,
  mmstar: mmStar,
};
