/** What the bench leaves: results.json and chart.svg, and the ratio table and summary on stdout. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Ratio } from './analysis';
import { renderChart } from './chart';
import { CONFIGS } from './configs';
import { r2, T0 } from './log';

export interface BenchState {
  outDir: string;
  quick: boolean;
  /** How many backends were planned. */
  planned: number;
  chromium: string;
  loadStart: number[];
  results: Record<string, Record<string, unknown>>;
  failures: Record<string, string>;
  /** The α-sweep section (issue #14), when measured. */
  sweep?: Record<string, unknown> | null;
  /** The memory-estimate section (issue #18), when measured. */
  memoryEstimate?: Record<string, unknown> | null;
  /** Only the memory-estimate section ran: the other sections of an existing results.json are kept. */
  mergeMemoryOnly?: boolean;
}

const MB = (b: number) => Math.round((b / 1048576) * 10) / 10;

/** results.json and chart.svg as they stand (after each backend, at the end, on Ctrl-C). */
export function writeResults(run: BenchState): void {
  const file = join(run.outDir, 'results.json');
  if (run.mergeMemoryOnly && existsSync(file)) {
    const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof doc === 'object' && doc !== null) {
      writeFileSync(file, `${JSON.stringify({ ...doc, memory_estimate: run.memoryEstimate ?? null }, null, 2)}\n`);
      return;
    }
  }
  const cpu = cpus();
  const doc = {
    schema: 'proxythinker-bench@1',
    date: new Date().toISOString(),
    duration_s: Math.round((performance.now() - T0) / 1000),
    quick: run.quick,
    complete: Object.keys(run.results).length + Object.keys(run.failures).length === run.planned,
    machine: {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memory_bytes: totalmem(),
      os: `${platform()} ${release()}`,
      node: process.version,
      chromium: run.chromium,
      loadavg_start: run.loadStart.map((x) => r2(x)),
      loadavg_end: loadavg().map((x) => r2(x)),
    },
    definitions: {
      per_token_ms:
        'decode wall time per token after the first: (loop.stepWaitMs + loop.coordinatorMs) / (loop.steps − 1) for the engine, (total − first token) / (tokens − 1) for generate(); per configuration the median over runs',
      ratios:
        'median over rounds of the ratio within each round (every configuration runs once per round, back to back)',
      memory:
        'measureUserAgentSpecificMemory() per worker (JS + WebAssembly memory) after a forced GC of every worker and the page; model workers share a script URL and are told apart by size (base = largest)',
    },
    backends: run.results,
    sweep: run.sweep ?? null,
    memory_estimate: run.memoryEstimate ?? null,
    failures: run.failures,
  };
  writeFileSync(join(run.outDir, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(run.outDir, 'chart.svg'), renderChart(doc));
}

/** The ratio table, then per backend its ms/token per configuration and memory per model. */
export function printSummary(results: Record<string, Record<string, unknown>>): void {
  if (Object.keys(results).length) process.stdout.write(`\n${table(results)}\n\n`);
  for (const [b, r] of Object.entries(results)) {
    const tt = (r as { per_token_ms: Record<string, { median: number | null }> }).per_token_ms;
    const cells = CONFIGS.map((c) => `${c} ${r2(tt[c]?.median, 1) ?? '—'}`).join(' · ');
    process.stdout.write(`${b} ms/token: ${cells}\n`);
    const mem = (
      r as {
        memory: { per_model: { role: string; resident_bytes: number | null; weights_bytes: number }[] };
      }
    ).memory;
    process.stdout.write(
      `${b} memory: ${mem.per_model.map((m) => `${m.role} ${m.resident_bytes === null ? '—' : MB(m.resident_bytes)} MB (weights ${MB(m.weights_bytes)} MB)`).join(' · ')}\n`,
    );
    const g = (
      r as {
        graphs?: {
          fused_ms_per_token: { median: number | null };
          plain_ms_per_token: { median: number | null };
          fused_over_plain: number | null;
          same_tokens: boolean;
        };
      }
    ).graphs;
    if (g)
      process.stdout.write(
        `${b} graphs (generate(), base model): fused ${r2(g.fused_ms_per_token.median, 1) ?? '—'} ms/token · plain ops ${r2(g.plain_ms_per_token.median, 1) ?? '—'} ms/token · fused/plain ${g.fused_over_plain ?? '—'} · same tokens ${g.same_tokens ? 'yes' : 'NO'}\n`,
      );
  }
}

function table(results: Record<string, Record<string, unknown>>): string {
  const backends = Object.keys(results);
  const rows = ['H', 'guided_over_bound', 'side_by_side_over_bound', 'memory_over_weights_kv', 'G2', 'G3', 'G4b', 'G5', 'G6', 'G6b'];
  const ratiosOf = (b: string) => (results[b] as { ratios?: Record<string, Ratio | null> } | undefined)?.ratios ?? {};
  const lines: string[] = [];
  const head = ['ratio', 'what'.padEnd(62), 'target', ...backends.map((b) => b.padStart(12))];
  lines.push(head.join('  '));
  for (const id of rows) {
    const any = backends.map((b) => ratiosOf(b)[id]).find(Boolean);
    const what = any?.what ?? '';
    const cells = backends.map((b) => {
      const r = ratiosOf(b)[id];
      if (!r || r.value === null) return '—'.padStart(12);
      const ok = r.value <= r.target;
      return `${r.value.toFixed(3)} ${ok ? 'ok  ' : 'MISS'}`.padStart(12);
    });
    lines.push(
      [
        id.padEnd(23),
        what.slice(0, 62).padEnd(62),
        any ? `≤ ${any.target.toFixed(2)}` : '      ',
        ...cells,
      ].join('  '),
    );
  }
  return lines.join('\n');
}
