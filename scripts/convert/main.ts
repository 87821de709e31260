/**
 * `npm run convert -- --from <checkpoint folder> --to <output folder> [--dtype q4,q4f16,q8,fp16,fp32]
 *  [--name N] [--force] [--external-above MB] [--chunk MB] [--json]`
 * Converts a Hugging Face Qwen2-VL / Qwen2.5-VL checkpoint into the folder layout the app loads.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_EXTERNAL_ABOVE } from '../../src/convert/convert';
import { convertCheckpoint } from '../../src/convert/from-checkpoint';
import { WEIGHT_FORMATS, type WeightFormat } from '../../src/convert/model-desc';
import { nodeInputFolder, nodeOutputFolder } from './node-io';
import { progressPrinter } from './progress';

const USAGE = `usage: npm run convert -- --from <checkpoint folder> --to <output folder> [--dtype q4,q4f16,q8,fp16,fp32]
       [--name NAME] [--force] [--external-above MB] [--chunk MB] [--q4-zero-points] [--json]`;

export interface ConvertArgs {
  from: string;
  to: string;
  formats: WeightFormat[];
  name: string;
  force: boolean;
  externalAbove: number;
  chunkBytes: number;
  q4ZeroPoints: boolean;
  json: boolean;
}

export function parseConvertArgs(argv: string[]): ConvertArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      dtype: { type: 'string', default: 'q4' },
      name: { type: 'string' },
      force: { type: 'boolean', default: false },
      'external-above': { type: 'string', default: String(DEFAULT_EXTERNAL_ABOVE / 1024 ** 2) },
      chunk: { type: 'string', default: '1024' },
      'q4-zero-points': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (!values.from) throw new Error(`--from is required\n${USAGE}`);
  if (!values.to) throw new Error(`--to is required\n${USAGE}`);
  const formats: WeightFormat[] = [];
  for (const d of values.dtype.split(',').map((s) => s.trim()).filter(Boolean)) {
    const f = WEIGHT_FORMATS.find((w) => w === d);
    if (!f) throw new Error(`--dtype: unknown dtype "${d}" (known: ${WEIGHT_FORMATS.join(', ')})`);
    if (!formats.includes(f)) formats.push(f);
  }
  if (formats.length === 0) throw new Error('--dtype lists no dtype');
  const mb = (v: string, flag: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${flag} must be a positive number of MB, got "${v}"`);
    return Math.round(n * 1024 * 1024);
  };
  const from = resolve(values.from);
  return {
    from,
    to: resolve(values.to),
    formats,
    name: values.name ?? from.split(/[\\/]/).pop() ?? 'model',
    force: values.force,
    externalAbove: mb(values['external-above'], 'external-above'),
    chunkBytes: mb(values.chunk, 'chunk'),
    q4ZeroPoints: values['q4-zero-points'],
    json: values.json,
  };
}

async function main(argv: string[]): Promise<void> {
  const args = parseConvertArgs(argv);
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const progress = progressPrinter(process.stderr);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted (Ctrl-C); nothing half-written was left looking like a model')));
  const r = await convertCheckpoint(nodeInputFolder(args.from), nodeOutputFolder(args.to), {
    formats: args.formats,
    force: args.force,
    externalAbove: args.externalAbove,
    chunkBytes: args.chunkBytes,
    q4ZeroPoints: args.q4ZeroPoints,
    name: args.name,
    onProgress: progress.update,
    signal: abort.signal,
  });
  progress.done();
  const secs = r.elapsedMs / 1000;
  const summary = {
    from: args.from,
    to: args.to,
    family: r.checkpoint.desc.family,
    naming: r.checkpoint.naming,
    formats: args.formats,
    checkpoint_bytes: r.checkpoint.weightBytes,
    bytes_written: r.bytesWritten,
    seconds: Number(secs.toFixed(2)),
    mb_per_s: Number((r.bytesWritten / 2 ** 20 / Math.max(secs, 1e-3)).toFixed(1)),
    peak_rss_mb: Math.round(progress.peakRss() / 2 ** 20),
    files: r.files,
    unused_tensors: r.unused,
  };
  if (args.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`converted ${args.name} (${summary.family}, ${summary.naming} naming) → ${args.to}`);
    for (const f of r.files) console.log(`  ${f.path.padEnd(44)} ${(f.bytes / 2 ** 20).toFixed(1)} MB`);
    console.log(`${(r.bytesWritten / 2 ** 20).toFixed(0)} MB of weights in ${secs.toFixed(1)} s (${summary.mb_per_s} MB/s), peak RSS ${summary.peak_rss_mb} MB`);
    if (r.unused.length) console.log(`note: ${r.unused.length} checkpoint tensor(s) not used: ${r.unused.slice(0, 5).join(', ')}${r.unused.length > 5 ? ', …' : ''}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('convert/main.ts')) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`convert: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  });
}
