/**
 * `npm run eval`: arguments, re-scoring and imports without models, and real runs of the tiny trio in
 * headless Chromium — the demo set, and a set with broken rows that is interrupted (Ctrl-C), killed
 * (SIGKILL) and resumed until it is done, with no item done twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSet } from '../../src/core/eval/dataset';
import { summarize } from '../../src/core/eval/summary';
import type { ItemRecord } from '../../src/core/eval/types';
import { UsageError } from '../cli/args';
import { ROOT } from '../cli/runner';
import { parseEvalArgs, type EvalRunOptions } from './args';
import type { SummaryDoc } from './results';
import { parsePredictions, scorePredictions } from './score';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = join(ROOT, 'scripts/eval/main.ts');
const DEMO = join(ROOT, 'public/eval/demo/demo.jsonl');
const tmp = mkdtempSync(join(tmpdir(), 'proxythinker-eval-'));

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI in its own process group (so a kill reaches its browser too). */
function start(args: string[]): { child: ChildProcess; done: Promise<Ran> } {
  const child = spawn(process.execPath, [TSX, MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 240_000);
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

const evalCli = (args: string[]) => start(args).done;
const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
const records = (dir: string): ItemRecord[] =>
  lines(join(dir, 'items.jsonl')).map((l) => JSON.parse(l) as ItemRecord);
const summaryOf = (dir: string): SummaryDoc =>
  JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryDoc;

/** Resolves once items.jsonl has at least n lines. */
async function waitForLines(file: string, n: number, run: Promise<Ran>): Promise<void> {
  let exited = false;
  void run.then(() => (exited = true));
  while (lines(file).length < n) {
    if (exited) throw new Error(`the run ended before ${file} had ${n} lines`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The summary's per-mode counts must be exactly those of the per-item file. */
function expectSummaryMatchesItems(dir: string): void {
  const recount = summarize(records(dir)).results.map(({ mode, alpha, n, correct, accuracy }) => ({
    mode,
    alpha,
    n,
    correct,
    accuracy,
  }));
  const written = summaryOf(dir).summary.results.map(({ mode, alpha, n, correct, accuracy }) => ({
    mode,
    alpha,
    n,
    correct,
    accuracy,
  }));
  expect(written).toEqual(recount);
  expect(summaryOf(dir).items.done).toBe(records(dir).length);
}

describe('parseEvalArgs', () => {
  const run = (args: string[]) => parseEvalArgs(args) as EvalRunOptions;
  it('reads a run with defaults', () => {
    expect(run(['--data', 'set.jsonl', '--trio', 'tiny'])).toMatchObject({
      command: 'run',
      alphas: [0.5],
      base: true,
      limit: null,
      resolution: 'full',
      maxNewTokens: 512,
      out: 'eval-results',
      fresh: false,
      backend: 'wasm',
    });
    expect(
      run([
        'run',
        '--data',
        's',
        '--trio',
        'tiny',
        '--alphas',
        '0, 0.25,1',
        '--no-base',
        '--limit',
        '3',
        '--resolution',
        'smart',
      ]),
    ).toMatchObject({
      alphas: [0, 0.25, 1],
      base: false,
      limit: 3,
      resolution: 'smart',
    });
    expect(parseEvalArgs(['score', '--data', 's', '--predictions', 'p.jsonl'])).toEqual({
      command: 'score',
      data: 's',
      predictions: 'p.jsonl',
      out: null,
      json: false,
    });
  });
  it('refuses bad command lines with a message naming the flag', () => {
    const bad = (args: string[], msg: RegExp) => expect(() => parseEvalArgs(args)).toThrow(msg);
    bad(['--trio', 'tiny'], /missing --data/);
    bad(['--data', 's'], /missing models/);
    bad(['--data', 's', '--trio', 'tiny', '--alphas', '0,x'], /--alphas: α values: 'x' is not a number/);
    bad(['--data', 's', '--trio', 'tiny', '--alphas', '1,1'], /must differ/);
    bad(['--data', 's', '--trio', 'tiny', '--alphas', '1,2,3,4,5,6,7,8,9'], /at most 8/);
    bad(['--data', 's', '--trio', 'tiny', '--alphas', '', '--no-base'], /nothing to run/);
    bad(['score', '--data', 's'], /missing --predictions/);
    bad(['score', '--data', 's', '--predictions', 'p', '--trio', 'tiny'], /--trio does not apply to 'score'/);
    bad(['frobnicate'], /unknown command 'frobnicate'/);
    expect(() => parseEvalArgs(['--data', 's', '--trio', 'nope'])).toThrow(UsageError);
  });
});

describe('score and import without models', () => {
  const set = parseSet(readFileSync(DEMO, 'utf8'));
  const right: Record<string, string> = {
    'bars-height': 'The bar C reaches 7 on the axis. The answer is 7.',
    'bars-tallest': '<think>plums is 8</think><answer>C</answer>',
    'dots-red': 'I count \\boxed{5} red dots.',
    'circle-circumference': 'C = 2πr = 4π ≈ 12.57, so \\boxed{12.6}',
    'shaded-fraction': 'One quarter: \\boxed{\\frac{1}{4}}',
    'largest-colour': 'Answer: Green',
  };

  it('scores {"id", "text"} lines; unknown ids, repeats and bad lines are reported, not fatal', () => {
    const preds = [
      ...set.items.map((it) => JSON.stringify({ id: it.id, text: right[it.id] ?? 'Answer: 0' })),
      JSON.stringify({ id: 'nope', text: '1' }),
      JSON.stringify({ id: 'bars-height', text: 'again' }),
      '{not json',
      JSON.stringify({ id: 'dots-red', mode: 'guided', alpha: 0.5, text: 'Answer: 4' }),
    ].join('\n');
    const parsed = parsePredictions(preds);
    expect(parsed.problems).toEqual(['line 15: not valid JSON']);
    const scored = scorePredictions(set.items, parsed.predictions);
    expect(scored.problems).toEqual([
      "line 13: id 'nope' is not in the set",
      "line 14: a second prediction for id 'bars-height' (prediction); the first is kept",
    ]);
    const s = summarize(scored.records);
    expect(s.results.map(({ mode, alpha, n, correct }) => ({ mode, alpha, n, correct }))).toEqual([
      { mode: 'guided', alpha: 0.5, n: 1, correct: 0 },
      { mode: 'prediction', alpha: null, n: 12, correct: 6 },
    ]);
  });

  it('through the entry point: prints per-item verdicts and the table, writes the files', async () => {
    const dir = join(tmp, 'score');
    mkdirSync(dir, { recursive: true });
    const predFile = join(dir, 'preds.jsonl');
    writeFileSync(
      predFile,
      set.items.map((it) => JSON.stringify({ id: it.id, text: right[it.id] ?? 'I cannot tell.' })).join('\n'),
    );
    const r = await evalCli(['score', '--data', DEMO, '--predictions', predFile, '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ bars-height  prediction  extracted "7" (answer-phrase)  answer "7"');
    expect(r.stdout).toContain('✗ rect-area');
    expect(r.stdout).toMatch(/prediction\s+–\s+12\s+6\s+50\.0 %/);
    const doc = summaryOf(join(dir, 'out'));
    expect(doc.kind).toBe('score');
    expect(doc.summary.results).toMatchObject([
      { mode: 'prediction', alpha: null, n: 12, correct: 6, accuracy: 0.5 },
    ]);
    for (const f of ['summary.md', 'accuracy.svg', 'items.csv', 'scored.jsonl'])
      expect(existsSync(join(dir, 'out', f)), f).toBe(true);
    const missing = await evalCli(['score', '--data', DEMO, '--predictions', join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^eval: cannot read predictions/);
  });

  it('import: a benchmark file becomes our JSONL, with image paths relative to the new file', async () => {
    const src = join(tmp, 'bench', 'mathvista', 'testmini.json');
    mkdirSync(join(tmp, 'bench', 'mathvista'), { recursive: true });
    copyFileSync(join(ROOT, 'src/core/eval/fixtures/mathvista-testmini.json'), src);
    const out = join(tmp, 'bench', 'mathvista.jsonl');
    const r = await evalCli(['import', '--data', src, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mathvista: 4 items');
    expect(r.stderr).toContain("skipped entry 5 (id 5): answer 'triangle' is neither an option letter");
    const again = parseSet(readFileSync(out, 'utf8'));
    expect(again.format).toBe('proxythinker');
    expect(again.problems).toEqual([]);
    expect(again.items.map((i) => [i.id, i.answer_type, i.answerIndex, i.image])).toEqual([
      ['1', 'float', null, 'mathvista/images/1.jpg'],
      ['2', 'integer', null, 'mathvista/images/2.jpg'],
      ['3', 'multiple_choice', 0, 'mathvista/images/3.jpg'],
      ['4', 'text', null, 'mathvista/images/4.jpg'],
    ]);
    expect(again.items[0]).toMatchObject({
      precision: 1,
      extra: { question_type: 'free_form', metadata: { source: 'SciBench' } },
    });
    // Elsewhere the images would sit outside the new set's folder.
    const outside = await evalCli([
      'import',
      '--data',
      src,
      '--out',
      join(tmp, 'bench', 'mathvista', 'sub', 'x.jsonl'),
    ]);
    expect(outside.code).toBe(3);
    expect(outside.stderr).toMatch(/--out must be in the folder of the input file or above it/);
  });
});

describe('runs of the tiny trio (WASM)', () => {
  const demoOut = join(tmp, 'demo');
  let demo: Ran;
  beforeAll(async () => {
    demo = await evalCli([
      '--data',
      DEMO,
      '--trio',
      'tiny',
      '--dtype',
      'fp32',
      '--alphas',
      '0,1',
      '--max-new-tokens',
      '8',
      '--out',
      demoOut,
    ]);
  }, 300_000);

  it('the demo set: every item with base and both α; the summary counts match the per-item file', () => {
    expect(demo.code, demo.stderr).toBe(0);
    const recs = records(demoOut);
    expect(recs.map((r) => r.id)).toEqual(parseSet(readFileSync(DEMO, 'utf8')).items.map((i) => i.id));
    for (const r of recs) {
      expect(r.results.map((s) => [s.mode, s.alpha])).toEqual([
        ['base', null],
        ['guided', 0],
        ['guided', 1],
      ]);
      // α = 0 merges nothing: its tokens are the base stream's.
      expect(r.results[1]?.token_ids).toEqual(r.results[0]?.token_ids);
      for (const s of r.results) expect(s.tokens).toBe(s.token_ids?.length);
    }
    expect(
      recs.some((r) => JSON.stringify(r.results[2]?.token_ids) !== JSON.stringify(r.results[0]?.token_ids)),
    ).toBe(true);
    expectSummaryMatchesItems(demoOut);
    const doc = summaryOf(demoOut);
    expect(doc).toMatchObject({
      kind: 'run',
      complete: true,
      items: { rows: 12, valid: 12, skipped: 0, done: 12, failed: 0, pending: 0 },
    });
    expect(doc.note).toMatch(/random weights/);
    expect(lines(join(demoOut, 'items.csv'))).toHaveLength(1 + 36);
    expect(readFileSync(join(demoOut, 'accuracy.svg'), 'utf8').match(/data-series="guided" /g)).toHaveLength(
      2,
    );
    expect(demo.stdout).toMatch(/base\s+–\s+12/);
  });

  it('re-scoring the run’s items.jsonl gives the same summary', async () => {
    const r = await evalCli([
      'score',
      '--data',
      DEMO,
      '--predictions',
      join(demoOut, 'items.jsonl'),
      '--out',
      join(tmp, 'rescored'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as SummaryDoc;
    expect(doc.summary.results).toEqual(summaryOf(demoOut).summary.results);
  });

  it('a rerun with other settings is refused; the same settings find nothing left to do', async () => {
    const other = await evalCli([
      '--data',
      DEMO,
      '--trio',
      'tiny',
      '--dtype',
      'fp32',
      '--alphas',
      '0.5',
      '--max-new-tokens',
      '8',
      '--out',
      demoOut,
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds a run with other settings \(alphas \[0,1\] → \[0\.5\]\)/);
    const same = await evalCli([
      '--data',
      DEMO,
      '--trio',
      'tiny',
      '--dtype',
      'fp32',
      '--alphas',
      '0,1',
      '--max-new-tokens',
      '8',
      '--out',
      demoOut,
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('all 12 items are done');
    expect(records(demoOut)).toHaveLength(12);
  });

  it('a set with broken rows: Ctrl-C, then a kill, then a rerun finish it with no item done twice', async () => {
    const dir = join(tmp, 'broken');
    mkdirSync(join(dir, 'img'), { recursive: true });
    const ids = ['bars-height', 'dots-red', 'rect-area', 'triangle-angle', 'largest-colour'];
    for (const id of ids)
      copyFileSync(join(ROOT, 'public/eval/demo/images', `${id}.png`), join(dir, 'img', `${id}.png`));
    writeFileSync(join(dir, 'img', 'notes.png'), 'not an image\n');
    const row = (id: string, over: Record<string, unknown> = {}) =>
      JSON.stringify({
        id,
        image: `img/${id}.png`,
        question: 'How many?',
        answer: '3',
        answer_type: 'integer',
        ...over,
      });
    writeFileSync(
      join(dir, 'set.jsonl'),
      [
        row('bars-height'),
        row('missing', { image: 'img/missing.png' }),
        row('dots-red'),
        row('unreadable', { image: 'img/notes.png' }),
        row('rect-area'),
        row('noq', { question: '' }),
        row('bars-height'),
        '{"id": "cut',
        row('triangle-angle'),
        row('largest-colour'),
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const args = [
      '--data',
      join(dir, 'set.jsonl'),
      '--trio',
      'tiny',
      '--dtype',
      'fp32',
      '--alphas',
      '0.5,1.5',
      '--max-new-tokens',
      '12',
      '--out',
      out,
    ];
    const itemsFile = join(out, 'items.jsonl');

    // 1. Ctrl-C after the first item: exit 130, the finished item kept, the summary says what is done.
    const first = start(args);
    await waitForLines(itemsFile, 1, first.done);
    killGroup(first.child, 'SIGINT');
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(130);
    expect(r1.stderr).toContain('SIGINT: stopping; finished items are kept');
    const after1 = lines(itemsFile).length;
    expect(after1).toBeGreaterThanOrEqual(1);
    expect(after1).toBeLessThan(5);
    expect(summaryOf(out)).toMatchObject({ complete: false, items: { done: after1, valid: 5 } });
    expectSummaryMatchesItems(out);

    // 2. SIGKILL (no handler runs) once one more item is written.
    const second = start(args);
    await waitForLines(itemsFile, after1 + 1, second.done);
    killGroup(second.child, 'SIGKILL');
    const r2 = await second.done;
    expect(r2.signal).toBe('SIGKILL');
    expect(r2.stderr).toContain(`resuming: ${after1} of 5 items already done`);
    const after2 = lines(itemsFile).length;
    expect(after2).toBeGreaterThan(after1);

    // 3. The rerun does only what is left.
    const r3 = await evalCli(args);
    expect(r3.code, r3.stderr).toBe(0);
    if (after2 < 5) expect(r3.stderr).toContain(`resuming: ${after2} of 5 items already done`);
    const done = records(out).map((r) => r.id);
    expect(done).toHaveLength(5);
    expect(new Set(done)).toEqual(new Set(ids));
    expectSummaryMatchesItems(out);
    const doc = summaryOf(out);
    expect(doc).toMatchObject({
      complete: true,
      items: { rows: 10, valid: 5, skipped: 5, done: 5, pending: 0 },
    });
    expect(doc.skipped.map((p) => [p.line, p.field])).toEqual([
      [2, 'image'],
      [4, 'image'],
      [6, 'question'],
      [7, 'id'],
      [8, null],
    ]);
    expect(doc.skipped[0]?.message).toBe("image 'img/missing.png' not found");
    expect(doc.skipped[1]?.message).toBe(
      "image 'img/notes.png' is not an image (expected PNG, JPEG, GIF, WebP or BMP)",
    );
    for (const r of [r1, r3]) expect(r.stderr).toContain('skipped line 2 (id missing): image');
  }, 600_000);
});
