import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CATALOG } from '../catalog';
import type { ModelSpec } from '../spec';

export const MODELS_DIR = resolve('public/models');

export function specNamed(name: string): ModelSpec {
  const s = CATALOG.find((m) => m.name === name);
  if (!s) throw new Error(`no spec ${name}`);
  return s;
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
