/** The survey as Markdown: one table per group, op × backend, each cell verdict · error · time ratio. */
import type { SurveyMeta, SurveyRecord } from './survey';
import { BACKENDS, type BackendRecord } from './results';

const GROUP_TITLES: Record<string, string> = {
  matmul: '4-bit MatMul',
  gather: '4-bit embedding gather',
  norm: 'Normalization',
  rotary: 'Rotary embeddings',
  attention: 'Attention',
  activation: 'Activations and Softmax',
  fp16: 'float16 kernels (op in fp16 vs the fp32 op)',
  block: 'A whole decoder layer (fused vs plain)',
};

const BACKEND_TITLES: Record<string, string> = {
  node: 'onnxruntime-node CPU',
  wasm: 'web WASM',
  webgpu: 'web WebGPU (SwiftShader)',
};

function sci(x: number): string {
  if (x === 0) return '0';
  return x.toExponential(0).replace('e-', 'e−');
}

/** The part of an onnxruntime error that says what went wrong (after "Status Message:", without source locations). */
export function shortError(e: string | undefined): string {
  let text = (e ?? '').replace(/\s+/g, ' ').trim();
  const status = text.lastIndexOf('Status Message: ');
  if (status >= 0) text = text.slice(status + 'Status Message: '.length);
  text = text
    .replace(/^(Error: )+/, '')
    .replace(/^(?:failed to call OrtRun\(\)|Can't create a session)\. ERROR_CODE: \d+, ERROR_MESSAGE: /, '');
  text = text.replace(/\S+\.(?:cc|h):\d+ (?:\S+ )?/g, '');
  const core = text;
  const escaped = core.replace(/\|/g, '\\|');
  return escaped.length > 110 ? `${escaped.slice(0, 107)}…` : escaped;
}

/** float16 nodes without a float16 kernel run in float32 between Casts that onnxruntime inserts. */
function castNote(r: BackendRecord): string {
  const inserted =
    r.candidate.log?.transformers.includes('CastFloat16Transformer') ||
    r.candidate.addedOps?.includes('Cast');
  return inserted ? ' · fp16 via inserted Casts' : '';
}

export function cell(r: BackendRecord | undefined): string {
  if (!r) return '–';
  if (r.verdict === 'fails') return `✗ ${r.candidate.stage ?? ''}: ${shortError(r.candidate.error)}`;
  const acc = r.accuracy.candidate;
  const err = acc
    ? acc.shapeError
      ? `shape ${acc.shapeError}`
      : `${sci(acc.rel)}${acc.nonFinite ? ` (${acc.nonFinite} non-finite)` : ''}`
    : '?';
  const mark = r.verdict === 'exact' ? '✓' : '≠';
  const ms = r.candidate.medianMs;
  const time = ms === undefined ? '' : ` · ${ms < 1 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  const ratio =
    r.timeRatio === null ? (r.baseline.ok ? '' : ' (baseline fails)') : ` (${r.timeRatio.toFixed(2)}×)`;
  const fallback = r.cpuFallback?.length ? ` · on CPU: ${r.cpuFallback.join(', ')}` : '';
  return `${mark} ${err}${time}${ratio}${castNote(r)}${fallback}`;
}

/** One line per run that contributed results (a full run, then any --update reruns). */
function runLine(m: SurveyMeta): string {
  return `Run ${m.date} (${m.backends.join(', ')}): onnxruntime-node ${m.versions.onnxruntimeNode}, onnxruntime-web ${m.versions.onnxruntimeWeb}, Chromium ${m.versions.chromium ?? 'n/a'}; ${m.machine.cores} cores (${m.machine.cpu}), load ${m.machine.loadStart.join(' ')} → ${m.machine.loadEnd.join(' ')}; ${m.threads} thread(s) per session.`;
}

export function renderMarkdown(runs: SurveyMeta[], records: SurveyRecord[]): string {
  const lines: string[] = runs.map((m) => `- ${runLine(m)}`);
  lines.push('', 'WebGPU here is SwiftShader (a CPU implementation): its times are CPU times.');
  lines.push('');
  lines.push(
    'Cell: ✓ exact / ≠ off / ✗ fails · relative max error vs the fp32 plain-op oracle · candidate median time (candidate ÷ plain-op baseline on the same backend; below 1 = faster).',
  );
  const groups = [...new Set(records.map((r) => r.group))];
  for (const g of groups) {
    lines.push('', `### ${GROUP_TITLES[g] ?? g}`, '');
    lines.push(`| case | op · variant | ${BACKENDS.map((b) => BACKEND_TITLES[b]).join(' | ')} |`);
    lines.push(`|---|---|${BACKENDS.map(() => '---').join('|')}|`);
    for (const r of records.filter((x) => x.group === g)) {
      const variant = `**${r.op}** ${r.variant}`.replace(/\|/g, '\\|');
      lines.push(`| \`${r.id}\` | ${variant} | ${BACKENDS.map((b) => cell(r.backends[b])).join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
