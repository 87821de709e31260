/** The coordinator worker: the engine over three model workers, exposed to the page over comlink. */
import * as Comlink from 'comlink';
import { Engine } from './coordinator/engine';
import { spawnModelWorker } from './coordinator/spawn-model';
import { serveRuntimeFromOwnOrigin } from '../src/models/load';
import { ModelHost } from './model/host';

serveRuntimeFromOwnOrigin();
// 'single-thread' keeps every model inside this worker: the naive baseline of the benchmark.
Comlink.expose(
  new Engine((role, options) => {
    if (options.placement !== 'single-thread') return spawnModelWorker(role, options);
    const host = new ModelHost();
    return { api: host, terminate: () => void host.dispose() };
  }),
);
