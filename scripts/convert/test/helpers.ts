import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/convert/from-checkpoint';
import type { ConvertOptions } from '../../../src/convert/convert';
import { nodeInputFolder, nodeOutputFolder } from '../node-io';
import { writeSyntheticCheckpoint, type SyntheticSpec } from '../synthetic';
import { syntheticNamed } from '../synthetic-catalog';

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Writes a synthetic checkpoint (by catalog name, optionally changed) into a fresh folder. */
export async function checkpoint(name: string, change: Partial<SyntheticSpec> = {}): Promise<string> {
  const dir = join(tmp('ptw-ck-'), name);
  await writeSyntheticCheckpoint({ ...syntheticNamed(name), ...change }, dir);
  return dir;
}

export async function convert(from: string, to: string, opts: Partial<ConvertOptions> & { name?: string } = {}) {
  return convertCheckpoint(nodeInputFolder(from), nodeOutputFolder(to), { formats: ['fp32'], ...opts });
}
