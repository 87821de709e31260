/**
 * Counters for the reasoning behaviours the ProxyThinker paper tracks in generated text:
 * verification, backtracking and subgoal setting. Matching is case-insensitive on whole
 * words; these lists are the exact definition, so results are comparable between runs.
 */

export interface BehaviourCounts {
  verification: number;
  backtracking: number;
  subgoals: number;
}

/** "double-check" counts once, not also as "check". */
export const VERIFICATION_TERMS = [
  'double-check',
  'verify',
  'verifying',
  'check',
  'checking',
  'confirm',
] as const;

/** "let me re-" matches any hyphenated re- word ("let me re-examine"); see BACKTRACKING_RE_WORDS for the unhyphenated ones. */
export const BACKTRACKING_TERMS = [
  'wait',
  'however',
  'let me re-',
  'but actually',
  'on second thought',
] as const;

/**
 * Unhyphenated words that count after "let me" ("let me reconsider"). A closed list, because
 * "let me re…" also starts "let me read" / "let me restate", which are not backtracking.
 */
export const BACKTRACKING_RE_WORDS = [
  'reconsider',
  'reexamine',
  'reevaluate',
  'reassess',
  'recheck',
  'recalculate',
  'recompute',
  'recount',
  'redo',
  'rethink',
  'revisit',
  'retry',
] as const;

export const SUBGOAL_TERMS = ['first', 'next', 'step', 'then', 'finally'] as const;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Multi-word phrases match across any whitespace run. */
const phrase = (s: string): string => escape(s).replace(/ /g, '\\s+');
/** Longest first, so "double-check" is consumed before "check" can match inside it. */
const alternation = (terms: readonly string[]): string =>
  [...terms]
    .sort((a, b) => b.length - a.length)
    .map(phrase)
    .join('|');

const VERIFICATION_RE = new RegExp(`\\b(?:${alternation(VERIFICATION_TERMS)})\\b`, 'gi');
const BACKTRACKING_RE = new RegExp(
  `\\b(?:${alternation(BACKTRACKING_TERMS.filter((t) => t !== 'let me re-'))})\\b` +
    `|\\blet\\s+me\\s+(?:re-[a-z]+|${alternation(BACKTRACKING_RE_WORDS)})\\b`,
  'gi',
);
const SUBGOAL_RE = new RegExp(`\\b(?:${alternation(SUBGOAL_TERMS)})\\b`, 'gi');

function count(re: RegExp, text: string): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

export function countBehaviours(text: string): BehaviourCounts {
  return {
    verification: count(VERIFICATION_RE, text),
    backtracking: count(BACKTRACKING_RE, text),
    subgoals: count(SUBGOAL_RE, text),
  };
}
