/** The coordinator worker: the engine over three model workers, exposed to the page over comlink. */
import * as Comlink from 'comlink';
import { Engine } from './coordinator/engine';
import { spawnModelWorker } from './coordinator/spawn-model';
import { serveRuntimeFromOwnOrigin } from './model/load';

serveRuntimeFromOwnOrigin();
Comlink.expose(new Engine(spawnModelWorker));
