/** Accuracy per mode and α, its interval, and the three report formats. */
import { describe, expect, it } from 'vitest';
import { decimalsOf, evaluate, parseNumber } from './normalize';
import { accuracyPlotSvg, niceTicks, recordsCsv, summaryMarkdown } from './report';
import { summarize, wilson } from './summary';
import type { ItemRecord, StreamScore } from './types';

const stream = (
  mode: string,
  alpha: number | null,
  correct: boolean,
  over: Partial<StreamScore> = {},
): StreamScore => ({
  mode,
  alpha,
  text: 't',
  extracted: correct ? '4' : '5',
  method: 'boxed',
  correct,
  tokens: 8,
  ms: 100,
  reason: 'max_tokens',
  error: null,
  ...over,
});

const record = (id: string, results: StreamScore[]): ItemRecord => ({
  id,
  line: 1,
  question: 'q',
  answer: '4',
  answer_type: 'integer',
  results,
  ms: 300,
});

describe('summary', () => {
  const records = [
    record('a', [stream('base', null, true), stream('guided', 0.5, true), stream('guided', 1, false)]),
    record('b', [
      stream('base', null, false),
      stream('guided', 0.5, true),
      stream('guided', 1, false, { error: { name: 'E', message: 'boom' } }),
    ]),
    record('c', [stream('base', null, false), stream('guided', 0.5, false), stream('guided', 1, true)]),
  ];

  it('counts n, correct and accuracy per mode and α, base first then α ascending', () => {
    const s = summarize(records);
    expect(
      s.results.map(({ mode, alpha, n, correct, accuracy, errors }) => ({
        mode,
        alpha,
        n,
        correct,
        accuracy,
        errors,
      })),
    ).toEqual([
      { mode: 'base', alpha: null, n: 3, correct: 1, accuracy: 0.3333, errors: 0 },
      { mode: 'guided', alpha: 0.5, n: 3, correct: 2, accuracy: 0.6667, errors: 0 },
      { mode: 'guided', alpha: 1, n: 3, correct: 1, accuracy: 0.3333, errors: 1 },
    ]);
    expect(s.best_alpha).toBe(0.5);
    expect(s.best_gain).toBeCloseTo(0.3333, 4);
  });

  it('Wilson interval: known values, bounds, n = 0', () => {
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.4902, 3);
    expect(hi).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 5)[0]).toBe(0);
    expect(wilson(5, 5)[1]).toBe(1);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it('an empty run summarises to no rows', () => {
    expect(summarize([])).toEqual({ results: [], best_alpha: null, best_gain: null });
  });
});

describe('reports', () => {
  const records = [
    record('a,1', [stream('base', null, true), stream('guided', 0.25, false, { extracted: 'say "5"' })]),
    record('b', [stream('base', null, false), stream('guided', 0.25, true)]),
  ];
  const summary = summarize(records);

  it('CSV: one row per item and output, quoted where needed', () => {
    const csv = recordsCsv(records).trimEnd().split('\r\n');
    expect(csv[0]).toBe('id,mode,alpha,correct,extracted,method,answer,answer_type,tokens,ms,reason,error');
    expect(csv).toHaveLength(5);
    expect(csv[2]).toBe('"a,1",guided,0.25,0,"say ""5""",boxed,4,integer,8,100,max_tokens,');
  });

  it('Markdown: a table row per mode and α, and the best α', () => {
    const md = summaryMarkdown(summary, { title: 'Demo', lines: ['set: demo.jsonl'] });
    expect(md).toContain('| base | – | 2 | 1 | 50.0 % |');
    expect(md).toContain('| guided | 0.25 | 2 | 1 | 50.0 % |');
    expect(md).toContain('Best α: 0.25 (+0.0 points over base).');
  });

  it('SVG plot: one point per α with its interval, the base line and band', () => {
    const svg = accuracyPlotSvg(
      summarize([
        record('a', [
          stream('base', null, true),
          stream('guided', 0, true),
          stream('guided', 0.5, false),
          stream('guided', 1, true),
        ]),
      ]),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/data-series="guided" /g)).toHaveLength(3);
    expect(svg.match(/data-series="guided-ci"/g)).toHaveLength(3);
    expect(svg).toContain('data-series="base"');
    expect(svg).toContain('data-series="base-ci"');
    expect(svg).toContain('data-alpha="0.5" data-accuracy="0"');
    expect(accuracyPlotSvg(summarize([]))).toContain('no scored items yet');
  });

  it('axis ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-1, 2)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5, 2]);
  });
});

describe('numbers in answers', () => {
  const cases: [string, number | null][] = [
    ['1,234.5', 1234.5],
    ['1,2', null],
    ['\\frac{1}{2}', 0.5],
    ['\\frac12', 0.5],
    ['-\\frac{3}{4}', -0.75],
    ['3/4', 0.75],
    ['2\\sqrt{3}', 2 * Math.sqrt(3)],
    ['\\sqrt{2}/2', Math.SQRT1_2],
    ['4\\pi', 4 * Math.PI],
    ['1.2e3', 1200],
    ['12 cm^2', 12],
    ['$5', 5],
    ['x = 7', 7],
    ['45^\\circ', 45],
    ['seven', null],
    ['B', null],
  ];
  for (const [raw, want] of cases) {
    it(`${raw} → ${want}`, () => {
      const got = parseNumber(raw);
      if (want === null) expect(got).toBeNull();
      else expect(got?.value).toBeCloseTo(want, 9);
    });
  }
  it('percent is flagged, decimals are counted, junk does not evaluate', () => {
    expect(parseNumber('12.5%')).toEqual({ value: 12.5, percent: true });
    expect(decimalsOf('1.20')).toBe(2);
    expect(decimalsOf('7')).toBe(0);
    expect(evaluate('2+*3')).toBeNull();
    expect(evaluate('(1+2')).toBeNull();
  });
});
