/**
 * Answer extraction and scoring on outputs written the way VLMs and RL-tuned thinkers write them:
 * each case is a model's text, the item it answers, what must be extracted and whether it is right.
 */
import { describe, expect, it } from 'vitest';
import { scoreText } from './compare';
import type { AnswerType, EvalItem } from './types';

type Case = {
  name: string;
  type: AnswerType;
  answer: string;
  text: string;
  /** Expected extraction (omit to check only correctness). */
  extracted?: string | null;
  correct: boolean;
  choices?: string[];
  answerIndex?: number;
  precision?: number;
  unit?: string;
};

function item(
  c: Case,
): Pick<EvalItem, 'answer' | 'answer_type' | 'choices' | 'answerIndex' | 'precision' | 'unit'> {
  return {
    answer: c.answer,
    answer_type: c.type,
    choices: c.choices ?? null,
    answerIndex: c.answerIndex ?? null,
    precision: c.precision ?? null,
    unit: c.unit ?? null,
  };
}

const MC4 = ['135°', '140°', '145°', '150°'];
const SIDES = ['6cm', '7cm', '4cm', '5cm'];

const CASES: Case[] = [
  // ── RL thinkers: <think> … </think> <answer> … </answer>
  {
    name: 'thinker: answer tag with a letter',
    type: 'multiple_choice',
    choices: MC4,
    answerIndex: 2,
    answer: '145°',
    text: '<think>The two bisectors meet at O. ∠BOC = 90° + ½∠A = 90° + 55° = 145°. Wait, let me verify: 110/2 = 55, 90 + 55 = 145. Yes.</think>\n<answer>C</answer>',
    extracted: 'C',
    correct: true,
  },
  {
    name: 'thinker: answer tag with the option text',
    type: 'multiple_choice',
    choices: MC4,
    answerIndex: 2,
    answer: '145°',
    text: '<think>∠BOC = 180° − (35° + 0°)… hmm, no. 90 + 110/2 = 145.</think><answer>145°</answer>',
    extracted: '145°',
    correct: true,
  },
  {
    name: 'thinker: wrong letter in the tag although the reasoning names the right value',
    type: 'multiple_choice',
    choices: MC4,
    answerIndex: 2,
    answer: '145°',
    text: '<think>90 + 55 = 145, that is option C… but maybe they want 140.</think>\n<answer>B</answer>',
    extracted: 'B',
    correct: false,
  },
  {
    name: 'thinker: boxed inside the answer tag',
    type: 'integer',
    answer: '4',
    text: '<think>There are 6 objects. Remove the large rubber sphere (1) and the big shiny cylinder (1): 6 − 2 = 4.</think> <answer>\\boxed{4}</answer>',
    extracted: '4',
    correct: true,
  },
  {
    name: 'thinker: answer tag with a sentence',
    type: 'integer',
    answer: '1000',
    text: '<think>The scale reads up to 1000.</think><answer>The answer is 1,000 g.</answer>',
    extracted: '1,000 g',
    correct: true,
  },
  {
    name: 'thinker: unclosed answer tag (cut off by max tokens)',
    type: 'float',
    answer: '1.2',
    precision: 1,
    text: '<think>d = v·sqrt(m/k) = 0.5 · sqrt(0.4/750) = 0.01155 m = 1.2 cm</think><answer>1.2',
    extracted: '1.2',
    correct: true,
  },
  {
    name: 'thinker: several numbers in the reasoning, one in the tag',
    type: 'integer',
    answer: '19',
    text: '<think>Ladybirds have 3, 5, 4 and 7 dots: 3 + 5 = 8, 8 + 4 = 12, 12 + 7 = 19. Check: 19.</think>\n<answer>19</answer>',
    extracted: '19',
    correct: true,
  },
  {
    name: 'thinker: empty answer tag falls back to the text after thinking',
    type: 'integer',
    answer: '6',
    text: '<think>Count the digits: 1, 2, 3, 4, 5, 6.</think>\nSo there are 6 different digits.<answer></answer>',
    correct: true,
  },
  // ── \boxed{}
  {
    name: 'boxed integer',
    type: 'integer',
    answer: '14',
    text: 'L² = 13² + 6² = 205, so L = √205 ≈ 14.32. Rounding down, the straw is \\boxed{14} cm long.',
    extracted: '14',
    correct: true,
  },
  {
    name: 'trap: \\frac{1}{2} vs 0.5',
    type: 'float',
    answer: '0.5',
    precision: 1,
    text: 'The probability of landing on the shaded part is $\\boxed{\\frac{1}{2}}$.',
    extracted: '\\frac{1}{2}',
    correct: true,
  },
  {
    name: 'trap: \\dfrac{3}{4} vs 0.75 at two decimals',
    type: 'float',
    answer: '0.75',
    text: 'Hence the ratio is \\(\\boxed{\\dfrac{3}{4}}\\).',
    correct: true,
  },
  {
    name: 'boxed with nested braces (\\frac inside \\text)',
    type: 'float',
    answer: '2.5',
    precision: 1,
    text: 'Final: \\boxed{\\frac{5}{2}\\text{ m}}',
    extracted: '\\frac{5}{2}\\text{ m}',
    correct: true,
  },
  {
    name: 'the last of several boxed answers counts',
    type: 'integer',
    answer: '8',
    text: 'First attempt: \\boxed{6}. Wait, I miscounted the squares on the right. Recount: \\boxed{8}',
    extracted: '8',
    correct: true,
  },
  {
    name: 'boxed option letter',
    type: 'multiple_choice',
    choices: SIDES,
    answerIndex: 0,
    answer: '6cm',
    text: 'Since D is the midpoint, AD = DC = DB − CB = 3, so AC = 6 cm. \\boxed{A}',
    extracted: 'A',
    correct: true,
  },
  {
    name: 'boxed percentage vs plain gold',
    type: 'integer',
    answer: '25',
    text: 'Blue takes a quarter of the pie: $\\boxed{25\\%}$',
    correct: true,
  },
  {
    name: 'boxed 2\\sqrt{3} at two decimals',
    type: 'float',
    answer: '3.46',
    precision: 2,
    text: 'The height is $h = \\sqrt{4^2 - 2^2} = \\boxed{2\\sqrt{3}}$.',
    correct: true,
  },
  {
    name: 'boxed 4π vs 12.57',
    type: 'float',
    answer: '12.57',
    precision: 2,
    text: 'Area = πr² = π·2² = \\boxed{4\\pi}',
    correct: true,
  },
  {
    name: 'boxed degrees',
    type: 'integer',
    answer: '97',
    text: 'Angles of a quadrilateral add up to 360°, so m∠H = \\boxed{97^\\circ}.',
    correct: true,
  },
  // ── "the answer is" / "Answer:"
  {
    name: 'answer phrase at the end',
    type: 'integer',
    answer: '5',
    text: 'Red things: 2 cubes. Tiny matte balls: 1. Total 8 objects, 8 − 3 = 5.\nThe answer is 5.',
    extracted: '5',
    correct: true,
  },
  {
    name: 'trap: several numbers, the answer phrase wins',
    type: 'integer',
    answer: '7',
    text: 'The bars are 3, 5 and 7 tall. The answer is 7, which is taller than 5 and 3.',
    extracted: '7',
    correct: true,
  },
  {
    name: 'trap: several numbers, "Answer:" line',
    type: 'integer',
    answer: '7',
    text: 'The bars are 3, 5 and 7 tall; the difference between the tallest and shortest is 4.\nAnswer: 7',
    extracted: '7',
    correct: true,
  },
  {
    name: 'Final answer with bold markdown',
    type: 'integer',
    answer: '61',
    text: 'Each daisy doubles and subtracts 3: 5 → 7 → 11 → 19 → 35 → 61.\n\n**Final answer:** 61',
    extracted: '61',
    correct: true,
  },
  {
    name: 'decimal point is not the end of the sentence',
    type: 'float',
    answer: '1.25',
    text: 'So the slope is 5/4. The answer is 1.25. This matches the graph.',
    extracted: '1.25',
    correct: true,
  },
  {
    name: 'answer phrase with a letter in parentheses',
    type: 'multiple_choice',
    choices: ['Yes', 'No'],
    answerIndex: 0,
    answer: 'Yes',
    text: 'There are 2 gray bicycles on the left and only 1 thing left of the green one. The correct option is (A).',
    extracted: '(A)',
    correct: true,
  },
  {
    name: 'answer phrase naming the option text',
    type: 'multiple_choice',
    choices: ['Tilapia', 'Common water flea', 'Great diving beetle', 'Tadpole'],
    answerIndex: 1,
    answer: 'Common water flea',
    text: 'Algae are eaten by the water flea. So the answer is: common water flea',
    correct: true,
  },
  {
    name: 'answer phrase: option letter followed by its text',
    type: 'multiple_choice',
    choices: MC4,
    answerIndex: 2,
    answer: '145°',
    text: 'Answer: C. 145°',
    extracted: 'C',
    correct: true,
  },
  {
    name: 'trap: ≈ before the value',
    type: 'float',
    answer: '14.3',
    precision: 1,
    text: 'L = √205, so the answer is ≈ 14.32 cm',
    correct: true,
  },
  {
    name: 'trap: ≈ in LaTeX',
    type: 'float',
    answer: '3.14',
    text: 'Answer: $\\approx 3.14$',
    correct: true,
  },
  {
    name: 'value with "=" inside the answer',
    type: 'integer',
    answer: '14',
    text: 'Therefore the final answer is L = 14 cm.',
    correct: true,
  },
  {
    name: 'thousands separator',
    type: 'integer',
    answer: '36006',
    text: '51 × 706 = 36,006. The answer is 36,006.',
    correct: true,
  },
  {
    name: 'negative number with unicode minus',
    type: 'integer',
    answer: '-3',
    text: 'The y-intercept is below the axis. Answer: −3',
    correct: true,
  },
  {
    name: 'percentage answer vs fractional gold',
    type: 'float',
    answer: '0.35',
    text: 'The share of apples is 35%. The answer is 35%.',
    correct: true,
  },
  {
    name: 'currency sign',
    type: 'float',
    answer: '4.5',
    precision: 1,
    text: 'Two sandwiches at $2.25 each cost $4.50. Answer: $4.50',
    correct: true,
  },
  {
    name: 'scientific notation',
    type: 'integer',
    answer: '1200',
    text: 'The answer is $1.2 \\times 10^{3}$.',
    correct: true,
  },
  {
    name: 'Chinese answer phrase',
    type: 'integer',
    answer: '8',
    text: '由勾股定理，正方形C的面积为5+3=8。答案是 8',
    correct: true,
  },
  // ── numeric precision
  {
    name: 'float: more decimals than the precision round to it',
    type: 'float',
    answer: '1.2',
    precision: 1,
    text: 'The spring is compressed by \\boxed{1.23} cm.',
    correct: true,
  },
  {
    name: 'float: wrong at the precision',
    type: 'float',
    answer: '1.2',
    precision: 1,
    text: 'The spring is compressed by \\boxed{1.26} cm.',
    correct: false,
  },
  {
    name: 'float: precision from the answer itself (1.20 ≠ 1.3)',
    type: 'float',
    answer: '1.20',
    text: 'Answer: 1.3',
    correct: false,
  },
  {
    name: 'float: trailing zeros do not matter',
    type: 'float',
    answer: '2.50',
    text: 'Answer: 2.5',
    correct: true,
  },
  {
    name: 'integer: 4.0 is 4',
    type: 'integer',
    answer: '4',
    text: 'Answer: 4.0',
    correct: true,
  },
  {
    name: 'integer: 3.9 is not 4',
    type: 'integer',
    answer: '4',
    text: 'Answer: 3.9',
    correct: false,
  },
  {
    name: 'integer with the unit from the item',
    type: 'integer',
    answer: '1000',
    unit: 'g',
    text: 'The measuring cup holds \\boxed{1000g}',
    correct: true,
  },
  // ── fall back to the last number
  {
    name: 'last number: no answer phrase',
    type: 'integer',
    answer: '9',
    text: 'Grey squares: 17. White squares: 8. So there are 17 − 8 = 9 more grey squares',
    extracted: '9',
    correct: true,
  },
  {
    name: 'last number: a later number makes it wrong',
    type: 'integer',
    answer: '9',
    text: 'So there are 9 more grey squares, out of 25 in total',
    extracted: '25',
    correct: false,
  },
  {
    name: 'last number: a fraction written with a slash',
    type: 'float',
    answer: '0.25',
    text: 'one of the four equal parts is shaded, so 1/4',
    extracted: '1/4',
    correct: true,
  },
  {
    name: 'last number: digits inside a label are not numbers',
    type: 'integer',
    answer: '24',
    text: 'The tallest bar is 24, in Q4',
    extracted: '24',
    correct: true,
  },
  {
    name: 'no number at all',
    type: 'integer',
    answer: '3',
    text: 'I cannot tell from the picture.',
    extracted: null,
    correct: false,
  },
  {
    name: 'empty output',
    type: 'integer',
    answer: '3',
    text: '',
    extracted: null,
    correct: false,
  },
  // ── multiple choice fallbacks and traps
  {
    name: 'trap: a letter inside a word is not an option',
    type: 'multiple_choice',
    choices: ['circle', 'square', 'triangle', 'pentagon'],
    answerIndex: 1,
    answer: 'B',
    text: 'Area matters here: the Biggest shape has four sides, so option B',
    extracted: 'B',
    correct: true,
  },
  {
    name: 'trap: the article "A" is not option A',
    type: 'multiple_choice',
    choices: ['5', '6', '8', '10'],
    answerIndex: 0,
    answer: '5',
    text: 'CD is the median to the hypotenuse, half of AB. I pick (A). A quick check: 10 / 2 = 5.',
    extracted: 'A',
    correct: true,
  },
  {
    name: 'trap: only the article "A" and a wrong letter',
    type: 'multiple_choice',
    choices: ['5', '6', '8', '10'],
    answerIndex: 0,
    answer: '5',
    text: 'A right triangle… I think D',
    extracted: 'D',
    correct: false,
  },
  {
    name: 'letter with a closing parenthesis',
    type: 'multiple_choice',
    choices: ['A', 'B', 'C', 'D', 'E'],
    answerIndex: 4,
    answer: 'E',
    text: 'The pattern rotates 90° each step, so the next one is E)',
    extracted: 'E',
    correct: true,
  },
  {
    name: 'option text with no letter',
    type: 'multiple_choice',
    choices: ['half', 'quarter', "o'clock", 'quarter to', 'quarter past'],
    answerIndex: 1,
    answer: 'quarter',
    text: 'The long hand points at 3 and the short hand just after 8: it is quarter past eight',
    extracted: 'quarter past',
    correct: false,
  },
  {
    name: 'option value without letter or exact text',
    type: 'multiple_choice',
    choices: ['97', '102', '107', '122'],
    answerIndex: 0,
    answer: '97',
    text: 'Sum of angles 360 − (122 + 71 + 70) gives ninety-seven, i.e. 97.0',
    correct: true,
  },
  {
    name: 'option text in the answer phrase with different case and trailing period',
    type: 'multiple_choice',
    choices: ['larger than', 'equal to', 'smaller than'],
    answerIndex: 1,
    answer: 'equal to',
    text: "f'(2) and f'(5) are both 0 since the curve is flat there. The answer is Equal to.",
    correct: true,
  },
  {
    name: 'option letter out of range is ignored',
    type: 'multiple_choice',
    choices: ['Yes', 'No'],
    answerIndex: 1,
    answer: 'No',
    text: 'Looking at shape E… no, there are fewer. Answer: No',
    correct: true,
  },
  {
    name: 'multiple choice by number when the options are numbers',
    type: 'multiple_choice',
    choices: ['15', '13', '11', '8'],
    answerIndex: 3,
    answer: '8',
    text: '<answer>8</answer>',
    correct: true,
  },
  {
    name: 'MathVerse style "Choices" with the option text in the tag',
    type: 'multiple_choice',
    choices: ['20°', '40°', '60°', '80°'],
    answerIndex: 1,
    answer: 'B',
    text: '<think>Inscribed angle is half of the central angle 80°.</think><answer>40°</answer>',
    correct: true,
  },
  // ── free text
  {
    name: 'text: one word',
    type: 'text',
    answer: 'red',
    text: 'The largest circle is \\boxed{Red}.',
    correct: true,
  },
  {
    name: 'text: closing sentence that ends with the answer',
    type: 'text',
    answer: 'red',
    text: 'I compare the three circles.\nThe colour of the largest circle is red.',
    correct: true,
  },
  {
    name: 'text: a different colour',
    type: 'text',
    answer: 'red',
    text: 'Answer: blue',
    correct: false,
  },
  {
    name: 'text: a negation does not end with the answer',
    type: 'text',
    answer: 'red',
    text: 'Answer: red is not the largest',
    correct: false,
  },
  {
    name: 'text: list answer',
    type: 'text',
    answer: '[2, 5]',
    text: 'The two solutions are \\boxed{2, 5}',
    correct: true,
  },
  {
    name: 'text: list in the wrong order',
    type: 'text',
    answer: '[2, 5]',
    text: 'Answer: 5, 2',
    correct: false,
  },
  {
    name: 'text: numeric gold compared as a number',
    type: 'text',
    answer: '12',
    text: 'Answer: 12.0',
    correct: true,
  },
  {
    name: 'text: article and quotes are ignored',
    type: 'text',
    answer: 'sedan',
    text: 'The answer is "the sedan".',
    correct: true,
  },
  // ── random-weight gibberish (what the tiny test models write)
  {
    name: 'gibberish with no answer',
    type: 'integer',
    answer: '4',
    text: ' verify Wait check However coat ing al rat',
    extracted: null,
    correct: false,
  },
  {
    name: 'gibberish that happens to contain the number',
    type: 'integer',
    answer: '4',
    text: 'Wait 4 check ing',
    extracted: '4',
    correct: true,
  },
];

describe('answer extraction and scoring', () => {
  it('has at least 60 realistic cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
  for (const c of CASES) {
    it(c.name, () => {
      const got = scoreText(item(c), c.text);
      if (c.extracted !== undefined) expect(got.extracted).toBe(c.extracted);
      expect(got.correct, `extracted ${JSON.stringify(got.extracted)} by ${got.method}`).toBe(c.correct);
    });
  }
});
