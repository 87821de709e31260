/**
 * Answers as numbers and as comparable text: LaTeX wrappers, units, thousands separators,
 * fractions (\frac{1}{2}, 3/4), roots and π, percentages, "≈", unicode minus.
 */

/** A number read from an answer; `percent` when it was written with a % sign. */
export interface ParsedNumber {
  value: number;
  percent: boolean;
}

/** LaTeX and typography that never changes a value: $…$, \text{}, \left, spacing, degree signs. */
export function stripLatex(s: string): string {
  let t = s;
  // \text{cm}, \mathrm{~kg}, \textbf{B} → their content
  for (let i = 0; i < 4; i++)
    t = t.replace(/\\(?:text|mathrm|mathbf|textbf|operatorname|mbox)\s*\{([^{}]*)\}/g, '$1');
  t = t
    .replace(/\\[,;:!> ]/g, ' ')
    .replace(/\\(?:left|right|displaystyle)/g, '')
    .replace(/\\(?:quad|qquad)/g, ' ')
    .replace(/\^\s*\{?\s*\\circ\s*\}?/g, '°')
    .replace(/\\circ/g, '°')
    .replace(/\\degree/g, '°')
    .replace(/\\%/g, '%')
    .replace(/\\\$/g, '')
    .replace(/\$/g, '')
    .replace(/~/g, ' ')
    .replace(/[−–]/g, '-')
    .replace(/\\approx|≈|≃|∼/g, ' ')
    .replace(/\\(?:times|cdot)/g, '×');
  return t.trim();
}

const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)`;

/** Reads a braced group at `i` (which must be '{'), returns its content and the index after it. */
export function braced(s: string, i: number): { content: string; end: number } | null {
  if (s[i] !== '{') return null;
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}') {
      depth--;
      if (depth === 0) return { content: s.slice(i + 1, j), end: j + 1 };
    }
  }
  return null;
}

/** \frac{a}{b} (and \dfrac, \tfrac, \frac12) → (a)/(b), so the arithmetic below can read it. */
function fractionsToSlash(s: string): string {
  let out = s;
  for (let guard = 0; guard < 8; guard++) {
    const m = /\\[dt]?frac\s*/.exec(out);
    if (!m) break;
    const at = m.index + m[0].length;
    let num: { content: string; end: number } | null = braced(out, at);
    if (!num && /\d/.test(out[at] ?? '')) num = { content: out[at] ?? '', end: at + 1 };
    if (!num) break;
    let j = num.end;
    while (out[j] === ' ') j++;
    let den: { content: string; end: number } | null = braced(out, j);
    if (!den && /\d/.test(out[j] ?? '')) den = { content: out[j] ?? '', end: j + 1 };
    if (!den) break;
    out = `${out.slice(0, m.index)}(${num.content})/(${den.content})${out.slice(den.end)}`;
  }
  return out;
}

/**
 * A tiny evaluator for what answers contain: numbers, + − × · / ^, parentheses, √ / \sqrt{}, π and
 * implicit multiplication (2\sqrt{3}, 4π). Returns null for anything else (letters, units left over).
 */
export function evaluate(expr: string): number | null {
  const src = expr
    .replace(/\\sqrt\s*\{/g, '√(')
    .replace(/\\sqrt\s*(\d+)/g, '√$1')
    .replace(/\\pi|π/g, 'π')
    .replace(/[{[]/g, '(')
    .replace(/[}\]]/g, ')')
    .replace(/\*\*/g, '^')
    .replace(/[×·*]/g, '*')
    .replace(/\s+/g, '');
  if (!src || !/^[-+0-9.()*/^√π]+$/.test(src)) return null;
  let i = 0;
  const peek = () => src[i];
  const expr0 = (): number | null => {
    let v = term();
    while (v !== null && (peek() === '+' || peek() === '-')) {
      const op = src[i++];
      const r = term();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const term = (): number | null => {
    let v = power();
    for (;;) {
      if (v === null) return null;
      const c = peek();
      if (c === '*' || c === '/') {
        i++;
        const r = power();
        if (r === null) return null;
        v = c === '*' ? v * r : v / r;
      } else if (
        c === '(' ||
        c === '√' ||
        c === 'π' ||
        (c !== undefined && /[0-9.]/.test(c) && /[)π]/.test(src[i - 1] ?? ''))
      ) {
        const r = power(); // implicit multiplication: 2√3, 4π, (1)(2)
        if (r === null) return null;
        v = v * r;
      } else return v;
    }
  };
  const power = (): number | null => {
    const b = unary();
    if (b === null) return null;
    if (peek() === '^') {
      i++;
      const e = power();
      return e === null ? null : b ** e;
    }
    return b;
  };
  const unary = (): number | null => {
    if (peek() === '-') {
      i++;
      const v = unary();
      return v === null ? null : -v;
    }
    if (peek() === '+') {
      i++;
      return unary();
    }
    return atom();
  };
  const atom = (): number | null => {
    const c = peek();
    if (c === '(') {
      i++;
      const v = expr0();
      if (peek() !== ')') return null;
      i++;
      return v;
    }
    if (c === '√') {
      i++;
      const v = atom();
      return v === null || v < 0 ? null : Math.sqrt(v);
    }
    if (c === 'π') {
      i++;
      return Math.PI;
    }
    const m = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(src.slice(i));
    if (!m) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const v = expr0();
  return v !== null && i === src.length && Number.isFinite(v) ? v : null;
}

/** Words and symbols that may trail a number without changing it (units, degree signs). */
const UNIT_TAIL =
  /\s*(?:°|degrees?|deg|units?|square units|sq\.?\s*units|cm|mm|km|m|kg|g|mg|s|sec|seconds?|minutes?|min|hours?|h|ml|l|liters?|litres?|dollars?|cents?|usd|feet|foot|ft|inches|inch|in|yards?|miles?|meters?|metres?|grams?|kilograms?|years?|people|points?|pounds?|lbs?|items?|objects?|times)(?:\s*(?:\^?\s*\{?\s*[23]\s*\}?|²|³))?\.?$/i;

/**
 * The number an answer string stands for, or null. Accepts "1,234.5", "−3", "25%", "\frac{1}{2}",
 * "3/4", "2\sqrt{3}", "4π", "1.2 × 10^3", "1.2e3", "12 cm", "$5", "x = 7", "≈ 14.3".
 */
export function parseNumber(raw: string): ParsedNumber | null {
  let s = stripLatex(raw)
    .replace(/[.。;,]+$/, '')
    .trim();
  // "x = 7", "L = 14 cm": the value after the last '='
  const eq = s.lastIndexOf('=');
  if (eq >= 0) s = s.slice(eq + 1).trim();
  s = s.replace(/^[$€£]\s*/, '').replace(/\s*[$€£]$/, '');
  let percent = false;
  if (/%\s*$/.test(s) || /\s*percent$/i.test(s)) {
    percent = true;
    s = s.replace(/\s*(?:%|percent)\s*$/i, '');
  }
  for (let i = 0; i < 2; i++) s = s.replace(UNIT_TAIL, '').trim();
  s = s.replace(/°$/, '').trim();
  // Thousands separators only in their exact shape (1,234,567.8); "1,2" stays a list.
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  // 1.2 × 10^3, 1.2 \times 10^{3}, 1.2e3
  const sci = new RegExp(`^(${NUM})\\s*×\\s*10\\s*\\^\\s*\\{?\\s*([-+]?\\d+)\\s*\\}?$`).exec(s);
  if (sci) return { value: Number(sci[1]) * 10 ** Number(sci[2]), percent };
  if (new RegExp(`^${NUM}(?:[eE][-+]?\\d+)?$`).test(s)) return { value: Number(s), percent };
  const v = evaluate(fractionsToSlash(s));
  return v === null ? null : { value: v, percent };
}

/** Decimal places written in a number ("1.20" → 2, "3" → 0). */
export function decimalsOf(raw: string): number {
  const m = /\.(\d+)/.exec(stripLatex(raw));
  return m?.[1]?.length ?? 0;
}

/**
 * Text compared loosely: case, surrounding punctuation and spaces, LaTeX wrappers, a leading
 * article and a trailing unit-less period do not count.
 */
export function normalizeText(raw: string): string {
  return stripLatex(raw)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^\s*(?:the|a|an)\s+/, '')
    .replace(/["'“”‘’`*_]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:!?()[\]]+|[\s.,;:!?()[\]]+$/g, '')
    .trim();
}

/** "[1, 2, 3]", "(1, 2)", "1, 2 and 3" → ["1", "2", "3"] (null when not a list of two or more). */
export function parseList(raw: string): string[] | null {
  const s = stripLatex(raw)
    .trim()
    .replace(/^[[(]|[\])]$/g, '');
  if (!/[,;]/.test(s)) return null;
  const parts = s
    .split(/\s*[,;]\s*|\s+and\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length >= 2 ? parts : null;
}
