/** The published JSON Schema (docs/eval-item.schema.json) says what the validator does. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSet } from './dataset';
import { ANSWER_TYPES, ITEM_FIELDS } from './types';

interface Schema {
  required: string[];
  properties: Record<
    string,
    { enum?: string[]; maximum?: number; minimum?: number; minItems?: number; maxItems?: number }
  >;
  additionalProperties: boolean;
}
const schema = JSON.parse(
  readFileSync(new URL('../../../docs/eval-item.schema.json', import.meta.url), 'utf8'),
) as Schema;

describe('eval item JSON Schema', () => {
  it('names exactly the fields the validator reads, with the same enums and limits', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...ITEM_FIELDS].sort());
    expect(schema.properties.answer_type?.enum).toEqual([...ANSWER_TYPES]);
    expect(schema.properties.precision).toMatchObject({ minimum: 0, maximum: 12 });
    expect(schema.properties.choices).toMatchObject({ minItems: 2, maxItems: 10 });
    expect(schema.additionalProperties).toBe(true);
  });

  it('its required fields are the ones whose absence the validator reports', () => {
    const full = { id: 'x', image: 'a.png', question: 'q?', answer: '1' };
    expect(parseSet(JSON.stringify(full)).items).toHaveLength(1);
    for (const field of schema.required) {
      const { [field]: _gone, ...row } = full as Record<string, string>;
      const set = parseSet(JSON.stringify(row));
      expect(set.items, field).toHaveLength(0);
      expect(set.problems[0]?.field, field).toBe(field);
    }
    expect([...schema.required].sort()).toEqual(['answer', 'id', 'image', 'question']);
  });

  it('the shipped demo set is valid', () => {
    const demo = parseSet(
      readFileSync(new URL('../../../public/eval/demo/demo.jsonl', import.meta.url), 'utf8'),
    );
    expect(demo.problems).toEqual([]);
    expect(demo.items).toHaveLength(12);
    expect(new Set(demo.items.map((i) => i.answer_type))).toEqual(new Set(ANSWER_TYPES));
  });
});
