/** Runs the cases on each backend and collects one record per case. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { SurveyCase } from './case';
import { openBrowserRunner, type BrowserRunner } from './browser-runner';
import { runOnNode } from './node-runner';
import { parseSessionLog } from './ort-log';
import type { PageRun } from './page-protocol';
import {
  accuracyOf,
  cpuFallback,
  graphRecord,
  pairedRatio,
  verdictOf,
  type Backend,
  type BackendRecord,
} from './results';
import type { GraphRun, Timing } from './run-graph';
import { fromBase64, wireData, type WireTensor } from './wire';

export interface SurveyMeta {
  date: string;
  versions: { onnxruntimeNode: string; onnxruntimeWeb: string; chromium: string | null };
  machine: { cpu: string; cores: number; loadStart: number[]; loadEnd: number[] };
  threads: number;
  timing: Timing;
  backends: Backend[];
}

export interface SurveyRecord {
  id: string;
  group: string;
  op: string;
  variant: string;
  dtype: string;
  tolerance: number;
  note?: string;
  backends: Partial<Record<Backend, BackendRecord>>;
}

export interface SurveyOptions {
  backends: Backend[];
  threads: number;
  timing: Timing;
  port: number;
  scratch: string;
  root: string;
  caseTimeoutMs: number;
  log: (line: string) => void;
  /** Called after each case (to write partial results). */
  onRecord?: (records: SurveyRecord[], meta: SurveyMeta) => void;
}

function versionOf(root: string, pkg: string): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8'));
    if (parsed && typeof parsed === 'object' && 'version' in parsed && typeof parsed.version === 'string')
      return parsed.version;
  } catch {
    // reported as unknown
  }
  return 'unknown';
}

/** Op types present after optimization that the graph did not have (only for a readable optimized graph). */
function added(original: string[], optimized: string[]): string[] {
  return optimized.length ? optimized.filter((op) => !original.includes(op)) : [];
}

const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

function fromPage(run: PageRun): GraphRun {
  if (!run.ok) return run;
  const outputs: WireTensor[] = run.outputs.map((t) => ({
    name: t.name,
    type: t.type,
    dims: t.dims,
    data: wireData(t.type, fromBase64(t.b64)),
  }));
  return { ok: true, createMs: run.createMs, runMs: run.runMs, outputs };
}

function backendRecord(
  kase: SurveyCase,
  cand: GraphRun,
  base: GraphRun,
  oracle: WireTensor[] | null,
  extra: { cand?: Partial<BackendRecord['candidate']>; base?: Partial<BackendRecord['baseline']> },
): BackendRecord {
  const candidate = graphRecord(cand, extra.cand ?? {});
  const baseline = graphRecord(base, extra.base ?? {});
  const accuracy = {
    candidate: cand.ok && oracle ? accuracyOf(cand.outputs, oracle, kase.outputs) : null,
    baseline: base.ok && oracle ? accuracyOf(base.outputs, oracle, kase.outputs) : null,
  };
  const timeRatio = cand.ok && base.ok ? pairedRatio(cand.runMs, base.runMs) : null;
  return {
    candidate,
    baseline,
    accuracy,
    verdict: verdictOf(candidate, accuracy.candidate, kase.tolerance),
    timeRatio,
  };
}

export async function runSurvey(
  cases: SurveyCase[],
  opts: SurveyOptions,
): Promise<{ meta: SurveyMeta; records: SurveyRecord[] }> {
  const meta: SurveyMeta = {
    date: new Date().toISOString(),
    versions: {
      onnxruntimeNode: versionOf(opts.root, 'onnxruntime-node'),
      onnxruntimeWeb: versionOf(opts.root, 'onnxruntime-web'),
      chromium: null,
    },
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadStart: load(), loadEnd: [] },
    threads: opts.threads,
    timing: opts.timing,
    backends: opts.backends,
  };
  const web = opts.backends.filter((b): b is 'wasm' | 'webgpu' => b !== 'node');
  let browser: BrowserRunner | null = null;
  if (web.length) {
    browser = await openBrowserRunner({
      scratch: opts.scratch,
      port: opts.port,
      threads: opts.threads,
      timing: opts.timing,
      caseTimeoutMs: opts.caseTimeoutMs,
      log: opts.log,
    });
    meta.versions.chromium = browser.chromiumVersion;
  }
  const records: SurveyRecord[] = [];
  try {
    for (const [i, kase] of cases.entries()) {
      const t0 = performance.now();
      const record: SurveyRecord = {
        id: kase.id,
        group: kase.group,
        op: kase.op,
        variant: kase.variant,
        dtype: kase.dtype,
        tolerance: kase.tolerance,
        ...(kase.note ? { note: kase.note } : {}),
        backends: {},
      };
      // The oracle always runs on Node: the baseline itself for fp32 cases, its float32 twin for fp16 ones.
      const nodeKinds = [
        ...(opts.backends.includes('node') ? (['candidate', 'baseline'] as const) : (['baseline'] as const)),
      ];
      const needOracle = kase.dtype !== 'float' || kase.baselineCompute !== undefined;
      const node = await runOnNode(kase, needOracle ? [...nodeKinds, 'oracle'] : [...nodeKinds], {
        threads: opts.threads,
        timing: opts.timing,
        scratch: join(opts.scratch, 'node'),
      });
      const oracleRun = node.find((r) => r.kind === (needOracle ? 'oracle' : 'baseline'))?.run;
      const oracle = oracleRun?.ok ? oracleRun.outputs : null;
      if (!oracle)
        opts.log(
          `${kase.id}: the oracle failed (${oracleRun && !oracleRun.ok ? oracleRun.error : 'not run'})`,
        );
      if (opts.backends.includes('node')) {
        const cand = node.find((r) => r.kind === 'candidate');
        const base = node.find((r) => r.kind === 'baseline');
        if (cand && base)
          record.backends.node = backendRecord(kase, cand.run, base.run, oracle, {
            cand: { optimizedOps: cand.optimizedOps, addedOps: added(cand.originalOps, cand.optimizedOps) },
            base: { optimizedOps: base.optimizedOps, addedOps: added(base.originalOps, base.optimizedOps) },
          });
      }
      for (const backend of web) {
        if (!browser) break;
        const res = await browser.run(kase, backend);
        const cand = res.find((r) => r.kind === 'candidate');
        const base = res.find((r) => r.kind === 'baseline');
        if (!cand || !base) continue;
        const candLog = parseSessionLog(cand.log);
        const rec = backendRecord(kase, fromPage(cand.run), fromPage(base.run), oracle, {
          cand: { log: candLog },
          base: { log: parseSessionLog(base.log) },
        });
        if (backend === 'webgpu') {
          const fb = cpuFallback(candLog);
          if (fb.length) rec.cpuFallback = fb;
        }
        record.backends[backend] = rec;
      }
      records.push(record);
      const summary = opts.backends.map((b) => `${b} ${record.backends[b]?.verdict ?? '-'}`).join(', ');
      opts.log(
        `[${i + 1}/${cases.length}] ${kase.id}: ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      meta.machine.loadEnd = load();
      opts.onRecord?.(records, meta);
    }
  } finally {
    await browser?.close();
  }
  meta.machine.loadEnd = load();
  return { meta, records };
}
