/** One VLM per worker: the model host exposed over comlink to the coordinator. */
import * as Comlink from 'comlink';
import type { ModelWorkerApi } from '../src/core/protocol';
import { ModelHost } from './model/host';

const host = new ModelHost();
let crashIn = -1;

const api: ModelWorkerApi = {
  load: (spec, options, onProgress) => host.load(spec, options, onProgress),
  prefill: (req) => host.prefill(req),
  step: (tokens) => {
    if (crashIn > 0 && --crashIn === 0) {
      // A real crash: an uncaught error ends up as the Worker's 'error' event in the coordinator.
      setTimeout(() => {
        throw new Error('injected fault: the model worker crashed');
      });
      return new Promise(() => undefined);
    }
    return host.step(tokens);
  },
  extend: (req) => host.extend(req),
  prefillRaw: (req) => host.prefillRaw(req),
  reset: () => host.reset(),
  stats: () => host.stats(),
  decode: (ids) => host.decode(ids),
  dispose: () => host.dispose(),
  injectFault: async (steps) => {
    crashIn = steps;
  },
};

Comlink.expose(api);
