/**
 * Broken copies of the tiny expert for the fault suite, made in a temporary folder from the
 * generated model: a config.json that does not parse, a tokenizer with one token more than the
 * trio's, a folder without one of its files. (A decoder with fewer logits than its tokenizer has ids
 * comes from the factory: tiny-expert-narrow.)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from './models-helpers';

export interface BrokenModels {
  dir: string;
  /** Folder name → path. */
  paths: Record<'bad-config' | 'other-tokenizer' | 'missing-file', string>;
  remove(): void;
}

/** The file the 'missing-file' copy lacks. */
export const MISSING_FILE = 'preprocessor_config.json';

export function makeBrokenModels(): BrokenModels {
  const dir = mkdtempSync(join(tmpdir(), 'pt-broken-'));
  const source = join(MODELS_DIR, 'tiny-expert');
  const copy = (name: string) => {
    const to = join(dir, name);
    cpSync(source, to, { recursive: true });
    return to;
  };
  const badConfig = copy('bad-config');
  // Cut off mid-object, as a download that stopped or a hand edit gone wrong would leave it.
  const config = readFileSync(join(badConfig, 'config.json'), 'utf8');
  writeFileSync(join(badConfig, 'config.json'), config.slice(0, Math.floor(config.length / 2)));

  const otherTokenizer = copy('other-tokenizer');
  const tj = JSON.parse(readFileSync(join(otherTokenizer, 'tokenizer.json'), 'utf8')) as {
    added_tokens: { id: number; content: string }[];
  };
  const next = Math.max(...tj.added_tokens.map((t) => t.id)) + 1;
  tj.added_tokens.push({
    ...(tj.added_tokens.at(-1) ?? { id: 0, content: '' }),
    id: next,
    content: '<|extra|>',
  });
  writeFileSync(join(otherTokenizer, 'tokenizer.json'), JSON.stringify(tj));

  const missing = copy('missing-file');
  rmSync(join(missing, MISSING_FILE));
  return {
    dir,
    paths: { 'bad-config': badConfig, 'other-tokenizer': otherTokenizer, 'missing-file': missing },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
