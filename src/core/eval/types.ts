/**
 * An evaluation item as the app reads it from a JSONL file (docs/eval.md, docs/eval-item.schema.json)
 * and the records a run or a re-scoring writes per item.
 */

export const ANSWER_TYPES = ['multiple_choice', 'integer', 'float', 'text'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

/** The fields the format defines; any other field of a row is kept in `extra`. */
export const ITEM_FIELDS = [
  'id',
  'image',
  'question',
  'choices',
  'answer',
  'answer_type',
  'precision',
  'unit',
  'prompt',
] as const;

export interface EvalItem {
  id: string;
  /** Path relative to the JSONL file, an http(s) URL, or a data: URL. */
  image: string;
  question: string;
  /** Options of a multiple-choice item, in letter order (A, B, …). */
  choices: string[] | null;
  /** The answer as written in the file. */
  answer: string;
  /** For multiple choice: the index of the right option (resolved from a letter or the option's text). */
  answerIndex: number | null;
  answer_type: AnswerType;
  /** Decimal places a float answer is compared at (null: the answer's own decimals). */
  precision: number | null;
  unit: string | null;
  /** A full prompt that replaces the one built from question and choices. */
  prompt: string | null;
  /** Every other field of the row, kept through to the results. */
  extra: Record<string, unknown>;
  /** 1-based line (JSONL) or entry number (JSON array / object) the item came from. */
  line: number;
}

/** A row that was skipped, and why. */
export interface RowProblem {
  line: number;
  id: string | null;
  /** The field at fault, when one is. */
  field: string | null;
  message: string;
}

export interface LoadedSet {
  items: EvalItem[];
  problems: RowProblem[];
  /** Rows read (valid + skipped). */
  rows: number;
  /** What `line` numbers count: lines of a JSONL file, or entries of a JSON array / object. */
  unit: 'line' | 'entry';
  /** Which shape the file had: 'proxythinker' (our JSONL) or the benchmark an importer recognised. */
  format: SetFormat;
}

export const SET_FORMATS = ['proxythinker', 'mathvista', 'mathverse', 'mathvision', 'mmstar'] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

/** What decoding produced one output: base-only, or guided at one α. */
export type EvalMode = 'base' | 'guided';

/** One stream of one item, scored. */
export interface StreamScore {
  mode: EvalMode | string;
  /** α of a guided stream; null for base-only or an external system. */
  alpha: number | null;
  text: string;
  /** The answer read out of the text, or null when none was found. */
  extracted: string | null;
  /** How it was found (answer tag, \boxed{}, "the answer is", last number…). */
  method: ExtractMethod | null;
  correct: boolean;
  tokens: number | null;
  ms: number | null;
  reason: string | null;
  error: { name: string; message: string } | null;
  token_ids?: number[];
}

export type ExtractMethod =
  'answer-tag' | 'boxed' | 'answer-phrase' | 'option-letter' | 'option-text' | 'last-number' | 'whole-text';

/** One line of the per-item results file. */
export interface ItemRecord {
  id: string;
  line: number;
  question: string;
  answer: string;
  answer_type: AnswerType;
  results: StreamScore[];
  /** Wall time of the item (image decoding, prefill and every stream). */
  ms: number | null;
  extra?: Record<string, unknown>;
}
