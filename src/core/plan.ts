/**
 * Which model rows a run needs. Each stream (the text shown in one pane) reads logits from one row
 * of each model it merges, and each row is fed the tokens of exactly one stream. In side-by-side
 * mode the base model runs the base-only and the guided stream as one batch of two.
 */
import type { GuidanceMode } from './merge';
import type { ModelRole } from './presets';
import type { RunMode, StreamName } from './protocol';

export interface StreamFeed {
  stream: StreamName;
  mode: GuidanceMode;
  /** Row of each model whose logits this stream merges (absent: not used). */
  rows: Partial<Record<ModelRole, number>>;
  /** α sweep: this stream's own fixed α (the live α does not move it) and its index in the sweep. */
  alpha?: number;
  sweep?: number;
}

export interface RunPlan {
  streams: StreamFeed[];
  /** Batch size of each model; 0 = the model sits this run out. */
  batch: Record<ModelRole, number>;
}

const ROLES: readonly ModelRole[] = ['base', 'expert', 'amateur'];

export function planRun(mode: RunMode): RunPlan {
  const streams: StreamFeed[] =
    mode === 'side-by-side'
      ? [
          { stream: 'base', mode: 'base', rows: { base: 0 } },
          { stream: 'guided', mode: 'guided', rows: { base: 1, expert: 0, amateur: 0 } },
        ]
      : mode === 'guided'
        ? [{ stream: 'guided', mode, rows: { base: 0, expert: 0, amateur: 0 } }]
        : mode === 'base+expert'
          ? [{ stream: 'guided', mode, rows: { base: 0, expert: 0 } }]
          : mode === 'base'
            ? [{ stream: 'base', mode, rows: { base: 0 } }]
            : [{ stream: 'expert', mode, rows: { expert: 0 } }];
  const batch: Record<ModelRole, number> = { base: 0, expert: 0, amateur: 0 };
  for (const s of streams) {
    for (const role of ROLES) {
      const r = s.rows[role];
      if (r !== undefined) batch[role] = Math.max(batch[role], r + 1);
    }
  }
  return { streams, batch };
}

/** The stream whose tokens feed row `row` of `role`. */
export function ownerOfRow(plan: RunPlan, role: ModelRole, row: number): number {
  const i = plan.streams.findIndex((s) => s.rows[role] === row);
  if (i < 0) throw new Error(`no stream feeds ${role} row ${row}`);
  return i;
}

/** The models whose logits a stream of this mode merges. */
export function rolesOfStream(mode: RunMode, stream: StreamName): ModelRole[] {
  const feed = planRun(mode).streams.find((s) => s.stream === stream);
  return feed ? ROLES.filter((r) => feed.rows[r] !== undefined) : [];
}

/** The most α values one sweep decodes together (the base model's batch is one more). */
export const MAX_SWEEP = 8;

/** The α values of a sweep, checked: 1…MAX_SWEEP finite, distinct numbers. */
export function validateSweep(alphas: readonly number[]): number[] {
  if (!Array.isArray(alphas) || alphas.length === 0) throw new RangeError('an α sweep needs at least one α');
  if (alphas.length > MAX_SWEEP) throw new RangeError(`an α sweep takes at most ${MAX_SWEEP} values, got ${alphas.length}`);
  for (const a of alphas) if (!Number.isFinite(a)) throw new RangeError(`α must be a finite number, got ${a}`);
  if (new Set(alphas).size !== alphas.length) throw new RangeError(`the α values of a sweep must differ (${alphas.join(', ')})`);
  return [...alphas];
}

/**
 * An α sweep: one guided stream per α, each with its own row in every model's batch, so the k values
 * cost one batched forward per model and token instead of k runs. With `withBase` the base-only
 * stream rides along as the base model's row 0 (the guided rows follow it).
 */
export function planSweep(alphas: readonly number[], withBase: boolean): RunPlan {
  const values = validateSweep(alphas);
  const first = withBase ? 1 : 0;
  const streams: StreamFeed[] = [
    ...(withBase ? [{ stream: 'base' as const, mode: 'base' as const, rows: { base: 0 } }] : []),
    ...values.map((alpha, i) => ({
      stream: 'guided' as const,
      mode: 'guided' as const,
      rows: { base: first + i, expert: i, amateur: i },
      alpha,
      sweep: i,
    })),
  ];
  return { streams, batch: { base: first + values.length, expert: values.length, amateur: values.length } };
}
