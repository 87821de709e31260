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
  paths: Record<'bad-config' | 'other-tokenizer' | 'missing-file' | 'hostile-template', string>;
  remove(): void;
}

/**
 * What the hostile chat template says when it refuses a chat: markup and script, as a published
 * template's raise_exception('…') could carry, which the page must show as text.
 */
export const HOSTILE_TEMPLATE_MESSAGE =
  '<img src=x onerror="self.pwned=1"><script>self.pwned=2</script> [link](javascript:alert(1)) roles must alternate';

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

  // A template that tries to reach JavaScript through the template engine, then refuses the chat
  // with markup in its message.
  const hostile = copy('hostile-template');
  const template = `{% set f = ''.constructor %}{{ f }}{{ raise_exception('${HOSTILE_TEMPLATE_MESSAGE}') }}`;
  writeFileSync(join(hostile, 'chat_template.json'), JSON.stringify({ chat_template: template }));
  const tc = JSON.parse(readFileSync(join(hostile, 'tokenizer_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(join(hostile, 'tokenizer_config.json'), JSON.stringify({ ...tc, chat_template: template }));
  return {
    dir,
    paths: {
      'bad-config': badConfig,
      'other-tokenizer': otherTokenizer,
      'missing-file': missing,
      'hostile-template': hostile,
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
