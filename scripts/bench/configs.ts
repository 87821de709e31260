/** What the bench measures each round. */
import type { RunFigures } from './measure';

/** Configurations measured each round, in order. */
export const CONFIGS = [
  'base',
  'expert',
  'amateur',
  'guided',
  'side_by_side',
  // A worker per model, when the engine's own placement is another (one worker on WASM with few cores).
  'guided_workers',
  'side_by_side_workers',
  'naive',
  'naive_same_threads',
  'guided_concurrent_1t',
  'base_q4',
  'guided_q4',
  'reference',
  'reference_plain',
  'guided_top_p',
] as const;
export type Config = (typeof CONFIGS)[number];

/** One round: each configuration's figures (a configuration whose page was unavailable is absent). */
export type Round = Partial<Record<Config, RunFigures>>;
