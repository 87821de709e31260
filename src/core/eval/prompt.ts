/**
 * The question as the models read it: the item's own prompt when it has one, else its question,
 * its options as "(A) …" lines, and what form the answer should take. The instruction asks for a
 * boxed final answer; RL-tuned thinkers may answer in <answer> tags instead, which extract.ts reads too.
 */
import type { EvalItem } from './types';

const LETTERS = 'ABCDEFGHIJ';

export function buildPrompt(
  item: Pick<EvalItem, 'question' | 'choices' | 'answer_type' | 'precision' | 'unit' | 'prompt'>,
): string {
  if (item.prompt) return item.prompt;
  const lines = [item.question.trim()];
  if (item.answer_type === 'multiple_choice' && item.choices) {
    lines.push('Choices:', ...item.choices.map((c, i) => `(${LETTERS[i]}) ${c}`));
  }
  const unit = item.unit ? ` (in ${item.unit})` : '';
  const form =
    item.answer_type === 'multiple_choice'
      ? "the correct option's letter"
      : item.answer_type === 'integer'
        ? `an integer${unit}`
        : item.answer_type === 'float'
          ? `a number with ${item.precision ?? 'the needed'} decimal place${item.precision === 1 ? '' : 's'}${unit}`
          : 'a short word or phrase';
  lines.push(`Think step by step, then give the final answer as ${form} in \\boxed{}.`);
  return lines.join('\n');
}
