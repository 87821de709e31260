/** Reading sets: our JSONL, the benchmarks' published shapes, and every kind of bad row. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkImages,
  describeProblem,
  imagePathProblem,
  inferAnswerType,
  parseSet,
  resolveAnswerIndex,
} from './dataset';
import { splitChoices } from './importers';
import { buildPrompt } from './prompt';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const jsonl = (...rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
const good = (over: Record<string, unknown> = {}) => ({
  id: 'q1',
  image: 'img/1.png',
  question: 'How many bars?',
  answer: '4',
  answer_type: 'integer',
  ...over,
});

describe('our JSONL format', () => {
  it('reads valid rows, keeps extra fields and the line numbers', () => {
    const set = parseSet(
      jsonl(
        good({ source: 'demo', difficulty: 2 }),
        '',
        good({ id: 'q2', answer: '0.5', answer_type: 'float', precision: 2, unit: 'cm' }),
        good({ id: 3, answer: 'B', answer_type: 'multiple_choice', choices: ['1', '2', '3'] }),
        good({ id: 'q4', answer: 'red', answer_type: 'text', prompt: 'Name the colour.' }),
      ),
    );
    expect(set.problems).toEqual([]);
    expect(set.format).toBe('proxythinker');
    expect(set.rows).toBe(4);
    expect(set.items.map((i) => [i.id, i.line])).toEqual([
      ['q1', 1],
      ['q2', 3],
      ['3', 4],
      ['q4', 5],
    ]);
    expect(set.items[0]?.extra).toEqual({ source: 'demo', difficulty: 2 });
    expect(set.items[1]).toMatchObject({ precision: 2, unit: 'cm', answer_type: 'float' });
    expect(set.items[2]).toMatchObject({ answerIndex: 1, choices: ['1', '2', '3'] });
    expect(set.items[3]?.prompt).toBe('Name the colour.');
  });

  it('reports bad rows with their line numbers and skips only them', () => {
    const set = parseSet(
      jsonl(
        good(),
        good({ id: 'noimg', image: undefined }),
        good({ id: 'noq', question: '  ' }),
        good(), // duplicate id q1
        '{"id": "broken", ',
        good({ id: 'type', answer_type: 'number' }),
        good({ id: 'mc', answer_type: 'multiple_choice', choices: ['x', 'y'], answer: 'z' }),
        good({ id: 'nochoices', answer_type: 'multiple_choice' }),
        good({ id: 'prec', answer_type: 'float', answer: '1.5', precision: 1.5 }),
        good({ id: 'abs', image: '/etc/passwd' }),
        good({ id: 'up', image: '../../secret.png' }),
        good({ id: 'nan', answer: 'four' }),
        '[1, 2]',
        good({ id: 'ok2', answer: '5' }),
        good({ image: 'x.png', id: undefined }),
      ),
    );
    expect(set.items.map((i) => i.id)).toEqual(['q1', 'ok2']);
    expect(set.rows).toBe(15);
    const byLine = Object.fromEntries(set.problems.map((p) => [p.line, `${p.field}: ${p.message}`]));
    expect(byLine).toEqual({
      2: 'image: no image',
      3: 'question: question must be a non-empty string',
      4: "id: duplicate id 'q1' (first on line 1)",
      5: expect.stringMatching(/^null: not valid JSON/),
      6: 'answer_type: answer_type must be one of multiple_choice, integer, float, text, got "number"',
      7: "answer: answer 'z' is neither an option letter (A–B) nor the text of one of the 2 choices",
      8: 'choices: a multiple_choice item needs choices',
      9: 'precision: precision must be an integer from 0 to 12 (decimal places), got 1.5',
      10: "image: image '/etc/passwd' is an absolute path; give it relative to the set's file",
      11: "image: image '../../secret.png' leaves the set's folder ('..')",
      12: "answer: answer 'four' is not a number, but answer_type is integer",
      13: 'null: a row must be a JSON object',
      15: 'id: no id',
    });
    expect(describeProblem(set.problems[0] ?? { line: 0, id: null, field: null, message: '' })).toBe(
      'line 2 (id noimg): no image',
    );
  });

  it('an empty file or one of blank lines is an empty set, not an error', () => {
    expect(parseSet('')).toMatchObject({ items: [], problems: [], rows: 0 });
    expect(parseSet('\n\n  \n')).toMatchObject({ items: [], problems: [], rows: 0 });
  });

  it('reads a JSON array of items, numbering entries from 1', () => {
    const set = parseSet(JSON.stringify([good(), good({ id: 'q2', question: '' })], null, 2));
    expect(set.items.map((i) => i.id)).toEqual(['q1']);
    expect(set.problems).toMatchObject([{ line: 2, id: 'q2', field: 'question' }]);
  });

  it('infers the answer type when a row does not give it', () => {
    expect(inferAnswerType('12', null)).toBe('integer');
    expect(inferAnswerType('-0.5', null)).toBe('float');
    expect(inferAnswerType('red', null)).toBe('text');
    expect(inferAnswerType('B', ['x', 'y'])).toBe('multiple_choice');
    const set = parseSet(
      jsonl({ id: 'a', image: 'a.png', question: 'q?', answer: 'B', choices: ['1', '2'] }),
    );
    expect(set.items[0]).toMatchObject({ answer_type: 'multiple_choice', answerIndex: 1 });
  });

  it('resolves a multiple-choice answer by letter or text and refuses an ambiguous one', () => {
    expect(resolveAnswerIndex('C', ['a', 'b', 'c'])).toEqual({ index: 2 });
    expect(resolveAnswerIndex('(b)', ['a', 'x', 'c'])).toEqual({ index: 1 });
    expect(resolveAnswerIndex('145°', ['135°', '145°'])).toEqual({ index: 1 });
    expect(resolveAnswerIndex('E', ['A', 'B', 'C', 'D', 'E'])).toEqual({ index: 4 });
    expect(resolveAnswerIndex('A', ['B', 'A'])).toEqual({ error: expect.stringContaining('ambiguous') });
  });

  it('accepts relative paths, http(s) and data: image URLs only', () => {
    expect(imagePathProblem('images/1.jpg')).toBeNull();
    expect(imagePathProblem('https://example.org/1.png')).toBeNull();
    expect(imagePathProblem('data:image/png;base64,iVBOR')).toBeNull();
    expect(imagePathProblem('file:///etc/passwd')).toMatch(/unsupported scheme/);
    expect(imagePathProblem('C:\\data\\1.png')).toMatch(/absolute/);
  });

  it('moves items whose image is missing or unreadable to the problems', async () => {
    const set = parseSet(
      jsonl(good(), good({ id: 'q2', image: 'gone.png' }), good({ id: 'q3', image: 'text.png' })),
    );
    const checked = await checkImages(set, async (it) => {
      if (it.image === 'gone.png') return "image 'gone.png' not found";
      if (it.image === 'text.png') throw new Error('not an image');
      return null;
    });
    expect(checked.items.map((i) => i.id)).toEqual(['q1']);
    expect(checked.problems).toEqual([
      { line: 2, id: 'q2', field: 'image', message: "image 'gone.png' not found" },
      { line: 3, id: 'q3', field: 'image', message: "image 'text.png' cannot be read (not an image)" },
    ]);
  });
});

describe('importers: the benchmarks as published', () => {
  it('MathVista testmini (object keyed by pid): choices by text, float precision, unit, list answers', () => {
    const set = parseSet(fixture('mathvista-testmini.json'));
    expect(set.format).toBe('mathvista');
    expect(set.items.map((i) => [i.id, i.answer_type])).toEqual([
      ['1', 'float'],
      ['2', 'integer'],
      ['3', 'multiple_choice'],
      ['4', 'text'],
    ]);
    expect(set.items[0]).toMatchObject({ precision: 1, image: 'images/1.jpg' });
    expect(set.items[1]).toMatchObject({ unit: 'g' });
    expect(set.items[2]).toMatchObject({ answerIndex: 0, choices: ['97', '102', '107', '122'] });
    expect(set.items[0]?.extra).toMatchObject({
      question_type: 'free_form',
      metadata: { source: 'SciBench' },
    });
    expect(set.problems).toMatchObject([{ line: 5, id: '5', field: 'answer' }]);
  });

  it('MathVerse: options out of "Choices:", letter answers, vision-only rows', () => {
    const set = parseSet(fixture('mathverse-testmini.json'));
    expect(set.format).toBe('mathverse');
    expect(set.problems).toEqual([]);
    const [free, mc, vision] = set.items;
    expect(free).toMatchObject({ id: '3421', answer_type: 'integer', answer: '14' });
    expect(free?.extra).toMatchObject({ problem_version: 'Text Dominant', problem_index: '685' });
    expect(mc).toMatchObject({
      id: '12',
      answer_type: 'multiple_choice',
      choices: ['20°', '40°', '60°', '80°'],
      answerIndex: 1,
    });
    expect(mc?.question).toBe(
      'As shown in the figure, the central angle AOB is 80°, then the inscribed angle ACB is ()',
    );
    expect(vision).toMatchObject({ id: '15', answer_type: 'text', answer: 'B' });
    expect(vision?.question).toMatch(/shown in the image/);
  });

  it('MathVision: options, letter answers, <imageN> placeholders dropped, duplicate ids reported', () => {
    const set = parseSet(fixture('mathvision-testmini.jsonl'));
    expect(set.format).toBe('mathvision');
    expect(set.items.map((i) => [i.id, i.answer_type])).toEqual([
      ['4', 'integer'],
      ['27', 'multiple_choice'],
      ['59', 'text'],
      ['70', 'float'],
    ]);
    expect(set.items[0]?.question).toBe('How many different digits can you find in this picture?');
    expect(set.items[1]?.answerIndex).toBe(0);
    expect(set.items[0]?.extra).toMatchObject({ level: 1, subject: 'counting' });
    expect(set.problems).toEqual([
      { line: 4, id: '4', field: 'id', message: "duplicate id '4' (first on line 1)" },
    ]);
  });

  it('MMStar-style: "Options:" in the question or A–D columns, base64 images as data: URLs', () => {
    const set = parseSet(fixture('mmstar-val.jsonl'));
    expect(set.format).toBe('mmstar');
    const [first, second] = set.items;
    expect(first?.choices).toEqual([
      'The suitcase is on the book.',
      'The suitcase is beneath the cat.',
      'The suitcase is beneath the bed.',
      'The suitcase is beneath the book.',
    ]);
    expect(first?.question).toBe('Which option describe the object relationship in the image correctly?');
    expect(first?.image).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(first?.extra).toMatchObject({ category: 'coarse perception', meta_info: { source: 'MMBench' } });
    expect(second).toMatchObject({
      choices: ['red', 'green', 'blue', 'yellow'],
      answerIndex: 0,
      image: 'images/1.png',
    });
    expect(set.problems).toMatchObject([{ line: 3, field: 'question' }]);
  });

  it('splitChoices keeps a question whose list does not run A, B, C…', () => {
    expect(splitChoices('Pick one\nChoices:\nA: x\nC: y', /\n?Choices:\s*/).choices).toBeNull();
    expect(splitChoices('Pick one\nChoices:\n(A) x\n(B) y', /\n?Choices:\s*/)).toEqual({
      question: 'Pick one',
      choices: ['x', 'y'],
    });
  });
});

describe('prompts', () => {
  it('lists the options and asks for the answer in the right form', () => {
    const [mc, flt] = parseSet(
      jsonl(
        good({ answer: 'B', answer_type: 'multiple_choice', choices: ['3', '4'] }),
        good({ id: 'f', answer: '1.5', answer_type: 'float', precision: 1, unit: 'cm' }),
      ),
    ).items;
    expect(mc && buildPrompt(mc)).toBe(
      "How many bars?\nChoices:\n(A) 3\n(B) 4\nThink step by step, then give the final answer as the correct option's letter in \\boxed{}.",
    );
    expect(flt && buildPrompt(flt)).toMatch(/a number with 1 decimal place \(in cm\) in \\boxed\{\}\.$/);
    expect(
      buildPrompt({
        question: 'q',
        choices: null,
        answer_type: 'text',
        precision: null,
        unit: null,
        prompt: 'Own prompt',
      }),
    ).toBe('Own prompt');
  });
});
