/**
 * The answer a model gave, read out of its reasoning text. In order: an RL thinker's
 * `<answer>…</answer>`, the last `\boxed{…}`, the last "answer is / Answer: …" phrase; then, by answer
 * type, the last option letter or option text (multiple choice), the last number (numeric), or the
 * last line (free text).
 */
import type { AnswerType, ExtractMethod } from './types';
import { braced, parseNumber } from './normalize';

export interface Extraction {
  value: string | null;
  method: ExtractMethod | null;
}

export interface ExtractTarget {
  answer_type: AnswerType;
  choices: readonly string[] | null;
}

const NONE: Extraction = { value: null, method: null };

/** Content of the last `<answer>` tag (an unclosed last tag runs to the end), or null. */
export function answerTag(text: string): string | null {
  const open = text.toLowerCase().lastIndexOf('<answer>');
  if (open < 0) return null;
  const rest = text.slice(open + '<answer>'.length);
  const close = rest.toLowerCase().indexOf('</answer>');
  const inner = (close < 0 ? rest : rest.slice(0, close)).trim();
  return inner || null;
}

/** Content of the last `\boxed{…}` / `\fbox{…}` (nested braces kept), or null. */
export function lastBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)\s*(?=\{)/g;
  let found: string | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const b = braced(text, m.index + m[0].length);
    if (b && b.content.trim()) found = b.content.trim();
  }
  return found;
}

const PHRASE =
  /(?:final\s+answer|correct\s+(?:answer|option|choice)|the\s+answer|answer)\s*(?:is|:|=|would\s+be|should\s+be|will\s+be)\s*:?\s*|答案(?:是|为|：|:)\s*/gi;

/** What follows the last "answer is / Answer:" phrase, up to the end of its sentence, or null. */
export function answerPhrase(text: string): string | null {
  let last: RegExpExecArray | null = null;
  PHRASE.lastIndex = 0;
  for (let m = PHRASE.exec(text); m; m = PHRASE.exec(text)) last = m;
  if (!last) return null;
  const rest = text.slice(last.index + last[0].length);
  const boxed = lastBoxed(rest.split('\n\n')[0] ?? '');
  if (boxed) return boxed;
  let line = (rest.split('\n')[0] ?? '').replace(/\*\*|__/g, '').trim();
  // End of the sentence: a period followed by a space (not a decimal point), or a semicolon.
  const stop = /(?<!\d)\.(?=\s|$)|\.(?=\s+[A-Z])|;\s/.exec(line);
  if (stop) line = line.slice(0, stop.index);
  line = line.replace(/^[:\s]+|[\s.,;:!]+$/g, '');
  return line || null;
}

/** Letters of a question's options: A… for its choices, A–E when they are not known. */
function optionLetters(choices: readonly string[] | null): string {
  const n = choices?.length ?? 5;
  return 'ABCDEFGHIJ'.slice(0, Math.max(1, Math.min(10, n)));
}

/**
 * The last option letter standing on its own: "(B)", "B)", "B.", "option B", "B" as a word. A letter
 * inside a word ("Area") never counts, nor the article "A" before a lowercase word ("A careful check").
 */
export function lastOptionLetter(text: string, choices: readonly string[] | null): string | null {
  const letters = optionLetters(choices);
  const re = new RegExp(`(?<![A-Za-z0-9])\\(?([${letters}])\\)?(?![A-Za-z0-9])`, 'g');
  let found: string | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const letter = m[1] ?? '';
    const after = text.slice(m.index + m[0].length);
    const wrapped = m[0].startsWith('(') && m[0].endsWith(')');
    // "A" (or "I") followed by a lowercase word is an article or a pronoun, not an option.
    if (!wrapped && /^\s+[a-z]/.test(after) && !/^\s+(?:is|was|seems|looks|would|should)\b/.test(after))
      continue;
    found = letter;
  }
  return found;
}

/** The choice whose text appears last in the text (the longest one when several end at the same place). */
export function lastOptionText(text: string, choices: readonly string[] | null): string | null {
  if (!choices?.length) return null;
  const hay = text.toLowerCase();
  let best: { at: number; len: number; choice: string } | null = null;
  for (const c of choices) {
    const needle = c.trim().toLowerCase();
    // Letters are read as letters, and numbers as numbers (a "10" in "10 / 2 = 5" names no option).
    if (needle.length < 2 || /^[a-j]$/.test(needle) || parseNumber(needle)) continue;
    const at = hay.lastIndexOf(needle);
    if (at < 0) continue;
    const before = hay[at - 1] ?? ' ';
    const after = hay[at + needle.length] ?? ' ';
    if (/[a-z0-9]/.test(before) || /[a-z0-9]/.test(after)) continue;
    const end = at + needle.length;
    if (!best || end > best.at + best.len || (end === best.at + best.len && needle.length > best.len))
      best = { at, len: needle.length, choice: c };
  }
  return best?.choice ?? null;
}

const NUMBER_RE =
  /\\[dt]?frac\s*\{[^{}]+\}\s*\{[^{}]+\}|(?<![A-Za-z\d.])[-−]?(?:\d+\s*\\sqrt\s*\{\d+\}|\\sqrt\s*\{\d+\}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)?|\.\d+)(?:\s*(?:\\%|%))?/g;

/** The last number written in the text (fractions, roots, percentages and thousands separators included). */
export function lastNumber(text: string): string | null {
  let found: string | null = null;
  NUMBER_RE.lastIndex = 0;
  for (let m = NUMBER_RE.exec(text); m; m = NUMBER_RE.exec(text)) found = m[0].trim();
  return found;
}

/** The part of a thinker's output after its reasoning (`</think>`), when there is one. */
function afterThinking(text: string): string {
  const end = text.toLowerCase().lastIndexOf('</think>');
  const tail = end >= 0 ? text.slice(end + '</think>'.length).trim() : '';
  return tail || text;
}

function byType(region: string, target: ExtractTarget): Extraction {
  if (target.answer_type === 'multiple_choice') {
    const letter = lastOptionLetter(region, target.choices);
    const option = lastOptionText(region, target.choices);
    // Whichever of the two was written last is the model's final word.
    if (letter && option) {
      const letterAt = region.lastIndexOf(letter);
      const optionAt = region.toLowerCase().lastIndexOf(option.toLowerCase());
      return optionAt > letterAt
        ? { value: option, method: 'option-text' }
        : { value: letter, method: 'option-letter' };
    }
    if (letter) return { value: letter, method: 'option-letter' };
    if (option) return { value: option, method: 'option-text' };
    const n = lastNumber(region);
    return n ? { value: n, method: 'last-number' } : NONE;
  }
  if (target.answer_type === 'integer' || target.answer_type === 'float') {
    const n = lastNumber(region);
    return n ? { value: n, method: 'last-number' } : NONE;
  }
  const lines = region
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  return last ? { value: last, method: 'whole-text' } : NONE;
}

/**
 * A numeric item's phrase that is more than a number ("7, which is taller than 5") stands for the
 * first number in it: the phrase starts with the answer.
 */
function numericPart(phrase: string, target: ExtractTarget): string {
  if (target.answer_type !== 'integer' && target.answer_type !== 'float') return phrase;
  if (parseNumber(phrase)) return phrase;
  NUMBER_RE.lastIndex = 0;
  return NUMBER_RE.exec(phrase)?.[0].trim() ?? phrase;
}

/** The model's final answer in `text` for an item of this type, and how it was found. */
export function extractAnswer(text: string, target: ExtractTarget): Extraction {
  const tagged = answerTag(text);
  if (tagged) {
    const inner = lastBoxed(tagged) ?? answerPhrase(tagged) ?? tagged;
    return { value: inner.trim(), method: 'answer-tag' };
  }
  const region = afterThinking(text);
  const boxed = lastBoxed(region);
  if (boxed) return { value: boxed, method: 'boxed' };
  const phrase = answerPhrase(region);
  if (phrase) return { value: numericPart(phrase, target), method: 'answer-phrase' };
  return byType(region, target);
}
