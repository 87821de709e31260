/** A checkpoint folder → convertModel's input: config, weights, side files, fingerprint, checks. */
import { readText, type InputFolder, type OutputFolder } from './io';
import { openCheckpoint, type Checkpoint } from './checkpoint/checkpoint';
import { CheckpointError, READABLE_DTYPES } from './checkpoint/safetensors';
import { convertModel, OPTIONAL_SIDE_FILES, REQUIRED_SIDE_FILES, type ConvertOptions, type ConvertResult } from './convert';
import { expectedTensors } from './tensors';

export interface CheckpointConversion extends ConvertResult {
  checkpoint: Pick<Checkpoint, 'desc' | 'naming' | 'files' | 'weightBytes'>;
  /** Checkpoint tensors the graphs do not use (reported, not fatal). */
  unused: string[];
}

export async function convertCheckpoint(
  input: InputFolder,
  out: OutputFolder,
  opts: ConvertOptions & { name?: string },
): Promise<CheckpointConversion> {
  const name = opts.name ?? 'checkpoint';
  const ck = await openCheckpoint(input, name);
  const unused = checkTensors(ck);
  const present = await input.list();
  const sideFiles = new Map<string, string>();
  for (const f of [...REQUIRED_SIDE_FILES, ...OPTIONAL_SIDE_FILES, 'config.json']) {
    if (present.includes(f)) sideFiles.set(f, await readText(await input.open(f)));
  }
  for (const f of REQUIRED_SIDE_FILES) {
    if (!sideFiles.has(f)) throw new CheckpointError(`${name}: ${f} is missing (the app needs the tokenizer and processor files)`);
  }
  const result = await convertModel(
    { desc: ck.desc, config: ck.config, weights: ck, sideFiles, fingerprint: fingerprint(ck, sideFiles.get('config.json') ?? ''), name },
    out,
    opts,
  );
  return { ...result, checkpoint: { desc: ck.desc, naming: ck.naming, files: ck.files, weightBytes: ck.weightBytes }, unused };
}

/** Every tensor the graphs need is present with a readable dtype; returns the ones left unused. */
function checkTensors(ck: Checkpoint): string[] {
  const used = new Set<string>();
  for (const t of expectedTensors(ck.desc)) {
    const real = ck.resolve(t.name);
    const e = ck.entries.get(real);
    if (!e) throw new CheckpointError(`tensor ${real} is missing from the checkpoint (needed for ${ck.desc.family})`);
    if (!(READABLE_DTYPES as readonly string[]).includes(e.dtype)) {
      throw new CheckpointError(`${e.file}: tensor ${real} has dtype ${e.dtype}, which cannot be read as weights (readable: ${READABLE_DTYPES.join(', ')})`);
    }
    used.add(real);
  }
  if (ck.desc.text.tied && ck.entries.has('lm_head.weight')) used.add('lm_head.weight');
  return [...ck.entries.keys()].filter((n) => !used.has(n));
}

/** FNV-1a over config.json and the tensor table: the same checkpoint gives the same fingerprint. */
function fingerprint(ck: Checkpoint, configText: string): string {
  let h = 0x811c9dc5;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(configText);
  for (const [n, e] of [...ck.entries].sort(([a], [b]) => (a < b ? -1 : 1))) feed(`${n}:${e.dtype}:${e.shape.join('x')}:${e.end - e.begin}`);
  return h.toString(16).padStart(8, '0');
}
