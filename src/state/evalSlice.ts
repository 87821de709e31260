/** The Evaluate view's part of the store: the set, the form, the run shown and the saved runs. */
import type { EvalItem, ItemRecord, RowProblem, SetFormat } from '../core/eval/types';
import type { EvalRunMeta, SetOrigin } from '../core/eval/saved';
import type { Resolution } from '../core/protocol';

export interface LoadedEvalSet {
  /** The set file's name. */
  name: string;
  origin: SetOrigin;
  items: EvalItem[];
  problems: RowProblem[];
  rows: number;
  format: SetFormat;
  unit: 'line' | 'entry';
  /** Each item's image by item id: a URL (same origin, self-hosted, data:) or a file of the picked folder. */
  images: Record<string, string | Blob>;
}

/** The form as typed; parsed when a run starts. */
export interface EvalForm {
  base: boolean;
  alphas: string;
  maxNewTokens: string;
  resolution: Resolution;
  /** Empty: every item. */
  limit: string;
  /** A set on this server (or a self-hosted URL), e.g. /eval/demo/demo.jsonl. */
  url: string;
}

export interface EvalProgress {
  total: number;
  done: number;
  /** The item in flight. */
  itemId: string | null;
  /** Seconds of each item finished in this session, for the ETA. */
  itemSeconds: number[];
}

export interface EvalSlice {
  set: LoadedEvalSet | null;
  setStatus: 'idle' | 'loading' | 'error';
  setError: string | null;
  /** Several set files in a picked folder: the user chooses one. */
  setChoices: string[];
  form: EvalForm;
  formError: string | null;
  status: 'idle' | 'running' | 'stopping';
  /** The run shown (live or saved). */
  current: { meta: EvalRunMeta; records: ItemRecord[] } | null;
  progress: EvalProgress | null;
  saved: EvalRunMeta[];
  savedStatus: 'loading' | 'ready' | 'error';
  /** Storage, export and drill-down problems. */
  error: string | null;
  /** The item whose outputs are shown in full. */
  openItem: string | null;
}

export const DEMO_SET_URL = '/eval/demo/demo.jsonl';

export function emptyEvalSlice(): EvalSlice {
  return {
    set: null,
    setStatus: 'idle',
    setError: null,
    setChoices: [],
    form: {
      base: true,
      alphas: '0, 0.5, 1',
      maxNewTokens: '256',
      resolution: 'full',
      limit: '',
      url: DEMO_SET_URL,
    },
    formError: null,
    status: 'idle',
    current: null,
    progress: null,
    saved: [],
    savedStatus: 'loading',
    error: null,
    openItem: null,
  };
}
