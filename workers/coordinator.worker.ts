/** The coordinator worker: the engine over its model workers, exposed to the page over comlink. */
import * as Comlink from 'comlink';
import { Engine } from './coordinator/engine';
import { oneWorkerSpawner, spawnModelWorker } from './coordinator/spawn-model';
import { serveRuntimeFromOwnOrigin } from '../src/models/load';
import { ModelHost } from './model/host';

serveRuntimeFromOwnOrigin();
const oneWorker = oneWorkerSpawner();
Comlink.expose(
  new Engine((role, options) => {
    switch (options.placement ?? 'workers') {
      case 'workers':
        return spawnModelWorker(role, options);
      case 'one-worker':
        return oneWorker(role);
      case 'single-thread': {
        // Every model inside this worker: the naive baseline of the benchmark.
        const host = new ModelHost();
        return { api: host, terminate: () => void host.dispose() };
      }
    }
  }),
);
