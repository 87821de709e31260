/**
 * The survey page (served transpiled, as an ES module): loads onnxruntime-web's WebGPU build from /ort/
 * (the build the app runs, which also has the WASM EP) and runs one case's graphs when Node asks.
 * Console output is captured so onnxruntime's verbose session log can be returned with each graph.
 */
import type { PageGraphResult, PageRequest, PageRun } from './page-protocol';
import { runGraphs, type Ort } from './run-graph';
import { toBase64, wireBytes, wireData, type WireTensor } from './wire';

const captured: string[] = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    captured.push(args.map(String).join(' '));
    original(...args);
  };
}

let ortPromise: Promise<Ort> | null = null;

async function loadOrt(threads: number): Promise<Ort> {
  const ort: Ort = await import(/* @vite-ignore */ `${location.origin}/ort/ort.webgpu.min.mjs`);
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'verbose';
  return ort;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function runCase(req: PageRequest): Promise<PageGraphResult[]> {
  ortPromise ??= loadOrt(req.threads);
  const ort = await ortPromise;
  const feeds: WireTensor[] = await Promise.all(
    req.inputs.map(async (i) => ({
      name: i.name,
      type: i.type,
      dims: i.dims,
      data: wireData(i.type, await fetchBytes(i.url)),
    })),
  );
  const models = await Promise.all(req.graphs.map((g) => fetchBytes(g.url)));
  captured.length = 0;
  const logs: string[][] = req.graphs.map(() => []);
  const runs = await runGraphs(
    ort,
    models.map((model) => ({ model })),
    feeds,
    req.outputs,
    {
      executionProviders: [req.backend],
      sessionOptions: { logSeverityLevel: 0, logVerbosityLevel: 0 },
      runOptions: { logSeverityLevel: 3 },
      timing: req.timing,
      afterCreate: (i) => {
        logs[i] = captured
          .splice(0)
          .filter(
            (l) =>
              /placed on|VerifyEachNodeIsAssignedToAnEp|GraphTransformer .* modified: 1|^\s+\w/.test(l) ||
              l.includes('\n'),
          );
      },
    },
  );
  const results: PageGraphResult[] = req.graphs.map((g, i) => {
    const run = runs[i] ?? { ok: false, stage: 'run', error: 'not run' };
    const out: PageRun = run.ok
      ? {
          ...run,
          outputs: run.outputs.map((t) => ({
            name: t.name,
            type: t.type,
            dims: t.dims,
            b64: toBase64(wireBytes(t)),
          })),
        }
      : run;
    return { kind: g.kind, run: out, log: logs[i] ?? [] };
  });
  captured.length = 0;
  return results;
}

declare global {
  interface Window {
    opsSurvey?: { runCase: (req: PageRequest) => Promise<PageGraphResult[]> };
  }
}

window.opsSurvey = { runCase };
