/**
 * The page's one store. Components read it through atomic selectors (`useApp((s) => s.run.status)`);
 * only the action modules beside this file write to it, from event handlers and from coordinator
 * callbacks (batched per animation frame), never from effects.
 */
import { create } from 'zustand';
import type { HistoryEntry, HistoryImage, HistorySettings } from '../core/history';
import type { PixelSize } from '../core/imageSize';
import { DEFAULT_LOCAL_DTYPE, type LocalDtype } from '../core/presets';
import type { TrioPlan } from '../client/model-cache';
import type {
  BackendChoice,
  ImagePayload,
  ModelSpecifier,
  Placement,
  Resolution,
  RunMode,
  RunRequest,
  StreamName,
} from '../core/protocol';
import { emptyModelsView, type ModelsView } from './loadView';
import { emptyRunView, type RunView } from './runView';
import { emptyEvalSlice, type EvalSlice } from './evalSlice';

export const DEFAULT_ALPHA = 0.5;
/** The α slider's range. */
export const ALPHA_MIN = 0;
export const ALPHA_MAX = 2;
export const INSPECT_TOP_K = 5;

/** The placement control: the engine's choice, or one the user fixed. */
export const PLACEMENT_SETTINGS = ['auto', 'workers', 'one-worker'] as const satisfies readonly ('auto' | Placement)[];
export type PlacementSetting = (typeof PLACEMENT_SETTINGS)[number];

/** What the settings controls hold. Numbers stay as typed (strings) until a run parses them. */
export interface Settings {
  /** Load a preset trio, or one made from hub repos / folders in the custom trio picker. */
  trioSource: 'preset' | 'custom';
  presetId: string;
  dtype: LocalDtype;
  backend: BackendChoice;
  /** Where the next load puts the models; 'auto': the engine's choice. */
  placement: PlacementSetting;
  mode: RunMode;
  alpha: number;
  decoding: 'greedy' | 'sample';
  temperature: string;
  topK: string;
  topP: string;
  seed: string;
  maxNewTokens: string;
  /** VisionThink: the image at full size, half size with one escalation allowed, or half size only. */
  resolution: Resolution;
}

export interface InputImage {
  name: string;
  payload: ImagePayload;
  /** blob: URL of the picked file, for the preview. */
  previewUrl: string;
  /** Small data: URL saved with the history. */
  thumbnail: string;
  /** Size in the file (before the 4096 px cap), when its header could be read. */
  original: PixelSize | null;
}

export interface ImageSlice {
  current: InputImage | null;
  decoding: boolean;
  error: string | null;
  notice: string | null;
}

export interface MemoryReport {
  /** performance.memory: this page's JS heap only (Chromium). */
  pageHeapBytes: number | null;
  /** measureUserAgentSpecificMemory(): page and workers, when cross-origin isolated. */
  totalBytes: number | null;
  breakdown: { label: string; bytes: number }[];
  measuring: boolean;
  unsupported: string | null;
}

export interface LoadedTrio {
  presetId: string;
  label: string;
  dtype: string;
  backend: BackendChoice;
  models: Record<string, string>;
}

/** The presetId of a trio from the custom trio picker. */
export const CUSTOM_TRIO_ID = 'custom';

/** What a load was asked with, kept for Retry. */
export interface LoadRequest {
  models: ModelSpecifier[];
  presetId: string;
  label: string;
  dtype: string;
  backend: BackendChoice;
  placement: PlacementSetting;
}

export interface LoadSlice {
  status: 'idle' | 'loading' | 'loaded' | 'error';
  error: string | null;
  models: ModelsView;
  loaded: LoadedTrio | null;
  memory: MemoryReport | null;
  request: LoadRequest | null;
  /** What the trio will download (from "Check download size"), and why it could not be told. */
  plan: TrioPlan | null;
  planning: boolean;
  planError: string | null;
}

/** What a run was asked with, kept for Regenerate and for the history entry. */
export interface RunRecipe {
  request: RunRequest;
  image: HistoryImage | null;
  settings: HistorySettings;
}

export type RunSource = { kind: 'live' } | { kind: 'history'; entry: HistoryEntry };

export interface RunSlice {
  /** 'checking': the models measure the prompt against their memory before anything runs. */
  status: 'idle' | 'checking' | 'running' | 'stopping';
  /** Why Run refused to start (empty question, bad sampling values…). */
  formError: string | null;
  view: RunView;
  /** The mode of the run shown (pane titles depend on it). */
  viewMode: RunMode | null;
  source: RunSource;
  last: RunRecipe | null;
}

export interface TokenRef {
  stream: StreamName;
  index: number;
}

export type PaneView = 'text' | 'tokens';

export interface UiSlice {
  /** The main area: one run's panes, or the Evaluate view. */
  view: 'run' | 'evaluate';
  paneView: Record<StreamName, PaneView>;
  colourByStrength: boolean;
  selected: TokenRef | null;
  hovered: TokenRef | null;
}

export interface HistorySlice {
  status: 'loading' | 'ready' | 'error';
  entries: HistoryEntry[];
  error: string | null;
  /** What the last import did. */
  notice: string | null;
}

export interface AppState {
  settings: Settings;
  question: string;
  image: ImageSlice;
  load: LoadSlice;
  run: RunSlice;
  ui: UiSlice;
  history: HistorySlice;
  eval: EvalSlice;
}

export function initialState(): AppState {
  return {
    settings: {
      trioSource: 'preset',
      presetId: 'tiny',
      dtype: DEFAULT_LOCAL_DTYPE,
      backend: 'auto',
      placement: 'auto',
      mode: 'side-by-side',
      alpha: DEFAULT_ALPHA,
      decoding: 'greedy',
      temperature: '0.7',
      topK: '50',
      topP: '0.95',
      seed: '0',
      maxNewTokens: '512',
      resolution: 'full',
    },
    question: '',
    image: { current: null, decoding: false, error: null, notice: null },
    load: {
      status: 'idle',
      error: null,
      models: emptyModelsView(),
      loaded: null,
      memory: null,
      request: null,
      plan: null,
      planning: false,
      planError: null,
    },
    run: {
      status: 'idle',
      formError: null,
      view: emptyRunView(DEFAULT_ALPHA),
      viewMode: null,
      source: { kind: 'live' },
      last: null,
    },
    ui: {
      view: 'run',
      paneView: { base: 'text', guided: 'text', expert: 'text' },
      colourByStrength: false,
      selected: null,
      hovered: null,
    },
    history: { status: 'loading', entries: [], error: null, notice: null },
    eval: emptyEvalSlice(),
  };
}

export const useApp = create<AppState>()(() => initialState());

/** Shallow-merges a patch into one slice. */
export function patch<K extends keyof AppState>(key: K, value: Partial<AppState[K]>): void {
  useApp.setState((s) => ({ [key]: { ...(s[key] as object), ...value } }) as Pick<AppState, K>);
}
