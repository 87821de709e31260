/**
 * Is an extracted answer right? Multiple choice by letter, by the option's text or by its value;
 * integers exactly; floats at the item's precision (its answer's own decimals when none is given);
 * free text after normalisation (numbers and lists compared as such).
 */
import { extractAnswer, type Extraction } from './extract';
import { decimalsOf, normalizeText, parseList, parseNumber, stripLatex } from './normalize';
import type { EvalItem, ExtractMethod } from './types';

export type ScoredItem = Pick<
  EvalItem,
  'answer' | 'answer_type' | 'choices' | 'answerIndex' | 'precision' | 'unit'
>;

const LETTERS = 'ABCDEFGHIJ';

/** "B", "(B)", "B.", "B) 145°", "Option B", "option (b)" → 1; null when the text does not start with a letter. */
export function letterIndex(raw: string, optionCount: number): number | null {
  const s = stripLatex(raw).replace(/\*\*/g, '').trim();
  const m = /^(?:option|choice)?\s*\(?([A-Ja-j])\)?(?:$|[\s.):,:]|\s*$)/i.exec(s);
  if (!m) return null;
  const letter = m[1] ?? '';
  // A lowercase letter alone counts ("b"); a lowercase one starting a sentence does not ("a triangle…").
  if (letter === letter.toLowerCase() && !/^(?:option|choice)?\s*\(?[a-j]\)?\s*[.)]?$/i.test(s)) return null;
  const i = LETTERS.indexOf(letter.toUpperCase());
  return i >= 0 && i < optionCount ? i : null;
}

/** Which option an extracted answer names: its letter, its text, or its value (when exactly one option has it). */
export function optionIndex(value: string, choices: readonly string[]): number | null {
  const byLetter = letterIndex(value, choices.length);
  if (byLetter !== null) return byLetter;
  const norm = normalizeText(value);
  const exact = choices.findIndex((c) => normalizeText(c) === norm);
  if (exact >= 0) return exact;
  // The answer names one option's text inside a short phrase ("It is quarter past").
  const inside = choices
    .map((c, i) => ({ i, n: normalizeText(c) }))
    .filter(({ n }) => n.length >= 2 && new RegExp(`(?:^|[^a-z0-9])${escapeRe(n)}(?:$|[^a-z0-9])`).test(norm))
    .sort((a, b) => b.n.length - a.n.length);
  if (inside.length === 1 || (inside.length > 1 && (inside[0]?.n.length ?? 0) > (inside[1]?.n.length ?? 0)))
    return inside[0]?.i ?? null;
  const v = parseNumber(value);
  if (v) {
    const same = choices.flatMap((c, i) => {
      const cv = parseNumber(c);
      return cv && Math.abs(cv.value - v.value) < 1e-9 * Math.max(1, Math.abs(v.value)) ? [i] : [];
    });
    if (same.length === 1) return same[0] ?? null;
  }
  return null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const roundTo = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** Candidate values of a parsed number: as written, and ÷100 when it carried a % sign. */
function candidates(value: string, unit: string | null): number[] {
  let s = value;
  if (unit) {
    const u = unit.trim();
    if (u && s.trim().toLowerCase().endsWith(u.toLowerCase())) s = s.trim().slice(0, -u.length);
  }
  const p = parseNumber(s);
  if (!p) return [];
  return p.percent ? [p.value, p.value / 100] : [p.value];
}

export function numbersEqual(pred: number, gold: number, places: number | null): boolean {
  if (places === null) return Math.abs(pred - gold) <= 1e-9 * Math.max(1, Math.abs(gold));
  return Math.abs(roundTo(pred, places) - roundTo(gold, places)) < 10 ** -(places + 6);
}

function textEqual(pred: string, gold: string): boolean {
  const g = normalizeText(gold);
  const p = normalizeText(pred);
  if (!g) return false;
  if (p === g) return true;
  // A short closing sentence that ends with the answer ("The colour is red").
  return p.length <= g.length + 40 && p.endsWith(` ${g}`);
}

/** Whether `value` (an extracted answer) is right for `item`. */
export function isCorrect(item: ScoredItem, value: string | null): boolean {
  if (value === null || !value.trim()) return false;
  switch (item.answer_type) {
    case 'multiple_choice': {
      if (!item.choices || item.answerIndex === null) return false;
      return optionIndex(value, item.choices) === item.answerIndex;
    }
    case 'integer': {
      const gold = parseNumber(item.answer);
      return !!gold && candidates(value, item.unit).some((v) => numbersEqual(v, gold.value, null));
    }
    case 'float': {
      const gold = parseNumber(item.answer);
      const places = item.precision ?? decimalsOf(item.answer);
      return !!gold && candidates(value, item.unit).some((v) => numbersEqual(v, gold.value, places));
    }
    case 'text': {
      const goldList = parseList(item.answer);
      const predList = parseList(value);
      if (goldList && predList)
        return (
          goldList.length === predList.length &&
          goldList.every((g, i) => isCorrect({ ...item, answer: g }, predList[i] ?? null))
        );
      const gold = parseNumber(item.answer);
      if (gold && !goldList) {
        const pred = candidates(value, item.unit);
        if (pred.length) return pred.some((v) => numbersEqual(v, gold.value, decimalsOf(item.answer)));
      }
      return textEqual(value, item.answer);
    }
  }
}

export interface Scored {
  extracted: string | null;
  method: ExtractMethod | null;
  correct: boolean;
}

/** Extracts the answer from a model's text and judges it. */
export function scoreText(item: ScoredItem, text: string): Scored {
  const ex: Extraction = extractAnswer(text, item);
  return { extracted: ex.value, method: ex.method, correct: isCorrect(item, ex.value) };
}
