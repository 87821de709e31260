/**
 * Sharing one image's preprocessing across the trio: the image processor runs once, in one model
 * worker, and the models whose processors have the same settings take its pixels. What they still
 * do themselves is the processor's text side: each `<|image_pad|>` becomes one pad per merged patch.
 */
import type { ModelRole } from './presets';

export const IMAGE_PAD = '<|image_pad|>';

/**
 * The prompt text as Qwen2-VL's processor makes it once it knows each image's grid: the n-th
 * `<|image_pad|>` repeated t·h·w / merge² times for the n-th grid.
 */
export function expandImagePads(
  text: string,
  grids: readonly (readonly number[])[],
  mergeSize: number,
): string {
  const parts = text.split(IMAGE_PAD);
  if (parts.length - 1 !== grids.length) {
    throw new Error(`the prompt has ${parts.length - 1} image placeholders for ${grids.length} images`);
  }
  const merge = mergeSize * mergeSize;
  return parts.reduce((out, part, i) => {
    const grid = grids[i - 1];
    if (!grid) return out + part;
    const tokens = Math.floor(grid.reduce((a, b) => a * b, 1) / merge);
    return out + IMAGE_PAD.repeat(tokens) + part;
  });
}

/** JSON with keys sorted at every level, so equal settings give equal strings whatever their order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Which model preprocesses for whom: roles grouped by processor key, in the order given. A group of
 * one (or a model without a key) processes its own images.
 */
export function preprocessPlan(
  models: readonly { role: ModelRole; processorKey: string | null }[],
): { maker: ModelRole; takers: ModelRole[]; processorKey: string }[] {
  const groups = new Map<string, ModelRole[]>();
  for (const m of models) {
    if (m.processorKey === null) continue;
    const g = groups.get(m.processorKey) ?? [];
    g.push(m.role);
    groups.set(m.processorKey, g);
  }
  return [...groups.entries()].flatMap(([processorKey, [maker, ...takers]]) =>
    maker !== undefined && takers.length > 0 ? [{ maker, takers, processorKey }] : [],
  );
}
