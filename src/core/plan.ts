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
