/**
 * The page's typed handle on the coordinator worker. The worker lives outside React: created once,
 * reused by every render. Image pixels are transferred, callbacks are comlink proxies.
 */
import * as Comlink from 'comlink';
import type {
  CoordinatorApi,
  FaultKind,
  LoadEvent,
  LoadOptions,
  ModelInfo,
  ModelSpecifier,
  ModelStats,
  RunCheck,
  RunEvent,
  RunRequest,
} from '../core/protocol';
import type { ModelRole } from '../core/presets';
import { assertModelsReachable } from './pagePolicy';

export interface CoordinatorClient {
  loadTrio(models: ModelSpecifier[], options: LoadOptions, onEvent: (e: LoadEvent) => void): Promise<ModelInfo[]>;
  run(req: RunRequest, onEvents: (events: RunEvent[]) => void): Promise<void>;
  /** Whether the run would fit every model it needs; nothing runs. */
  checkRun(req: RunRequest): Promise<RunCheck>;
  /** Each stopped model gets a new worker loaded from the same files; the others stay. */
  reloadStopped(onEvent: (e: LoadEvent) => void): Promise<ModelInfo[]>;
  /** Diagnostics (tests): a fault in one model's worker. */
  injectFault(role: ModelRole, steps: number, kind: FaultKind): Promise<void>;
  setAlpha(alpha: number): Promise<void>;
  cancel(): Promise<void>;
  stats(): Promise<Partial<Record<ModelRole, ModelStats>>>;
  /** Ends the coordinator and its model workers (a stuck load); the next call starts a fresh one. */
  restart(): void;
}

let client: CoordinatorClient | null = null;

export function coordinator(): CoordinatorClient {
  client ??= createClient();
  return client;
}

function createClient(): CoordinatorClient {
  let worker: Worker | null = null;
  let remote: Comlink.Remote<CoordinatorApi> | null = null;
  const api = (): Comlink.Remote<CoordinatorApi> => {
    if (!remote) {
      worker = new Worker(new URL('../../workers/coordinator.worker.ts', import.meta.url), { type: 'module', name: 'coordinator' });
      remote = Comlink.wrap<CoordinatorApi>(worker);
    }
    return remote;
  };
  return {
    loadTrio: async (models, options, onEvent) => {
      // A host the page's Content-Security-Policy would block is refused here, with the reason.
      await assertModelsReachable(models);
      return api().loadTrio(models, options, Comlink.proxy(onEvent));
    },
    run: (req, onEvents) => api().run(transferred(req), Comlink.proxy(onEvents)),
    checkRun: (req) => api().checkRun(transferred(req)),
    reloadStopped: (onEvent) => api().reloadStopped(Comlink.proxy(onEvent)),
    injectFault: (role, steps, kind) => api().injectFault(role, steps, kind),
    setAlpha: (alpha) => api().setAlpha(alpha),
    cancel: () => api().cancel(),
    stats: () => api().stats(),
    restart: () => {
      worker?.terminate();
      worker = null;
      remote = null;
    },
  };
}

/** The page keeps its own copy of the pixels (thumbnails, history); the worker gets a transferred one. */
function transferred(req: RunRequest): RunRequest {
  const image = req.image ? { ...req.image, rgba: new Uint8ClampedArray(req.image.rgba) } : null;
  return Comlink.transfer({ ...req, image }, image ? [image.rgba.buffer] : []);
}
