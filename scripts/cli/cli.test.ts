/**
 * The CLI: argument checks (in-process and through the real entry point, with exit codes) and two
 * real runs of the tiny trio in headless Chromium on WASM (a preset, and the same models as folders).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError, parseArgs, UsageError, type GenerateOptions } from './args';
import { checkImage, checkModelDir, presetDirs, sniffImageType } from './inputs';
import type { CliOutput } from './generate';
import { ROOT } from './runner';
import { cli, writePng as writeTestPng } from './spawn-cli';

const tmp = mkdtempSync(join(tmpdir(), 'proxythinker-cli-'));

function writePng(path: string, w = 96, h = 64): void {
  writeTestPng(path, w, h, (x, y) => [(x * 3) % 256, (y * 5) % 256, ((x + y) * 7) % 256]);
}

const IMAGE = join(tmp, 'chart.png');
/** 224×224 is the tiny models' max_pixels: 64 visual tokens at full size, 16 at half size. */
const SQUARE = join(tmp, 'square.png');
writePng(SQUARE, 224, 224);
const NOT_IMAGE = join(tmp, 'notes.png');
writePng(IMAGE);
writeFileSync(NOT_IMAGE, 'this is text with a .png name\n');

const BASE_ARGS = ['generate', '--trio', 'tiny', '--question', 'What is shown?'];

describe('parseArgs', () => {
  const ok = (args: string[]) => parseArgs(args) as GenerateOptions;
  const usage = (args: string[]) => expect(() => parseArgs(args)).toThrow(UsageError);

  it('reads every option, with defaults', () => {
    const o = ok([
      ...BASE_ARGS,
      '--image',
      'a.png',
      '--alpha',
      '-0.5',
      '--mode=side-by-side',
      '--max-new-tokens',
      '8',
      '--backend',
      'webgpu',
      '--dtype',
      'fp32',
      '--temperature',
      '0.7',
      '--top-k',
      '40',
      '--top-p',
      '0.9',
      '--seed',
      '7',
      '--stop',
      'END',
      '--stop',
      '\n\n',
      '--json',
    ]);
    expect(o).toMatchObject({
      trio: 'tiny',
      dirs: null,
      image: 'a.png',
      alpha: -0.5,
      mode: 'side-by-side',
      maxNewTokens: 8,
      backend: 'webgpu',
      dtype: 'fp32',
      temperature: 0.7,
      topK: 40,
      topP: 0.9,
      seed: 7,
      stop: ['END', '\n\n'],
      json: true,
    });
    expect(ok(BASE_ARGS)).toMatchObject({
      mode: 'guided',
      alpha: 0.5,
      maxNewTokens: 64,
      backend: 'wasm',
      dtype: null,
      temperature: 0,
      topK: 0,
      topP: 1,
      seed: 0,
      stop: [],
      json: false,
      image: null,
    });
    expect(
      ok(['generate', '--base', 'b', '--expert', 'e', '--amateur', 'a', '--question', 'q']).dirs,
    ).toEqual({ base: 'b', expert: 'e', amateur: 'a' });
    expect(parseArgs(['--help'])).toEqual({ command: 'help' });
    expect(ok(BASE_ARGS).resolution).toBe('full');
    expect(ok([...BASE_ARGS, '--resolution', 'smart']).resolution).toBe('smart');
    expect(ok([...BASE_ARGS, '--resolution=low']).resolution).toBe('low');
  });

  it('rejects bad command lines', () => {
    usage([]);
    usage(['run', '--trio', 'tiny', '--question', 'q']);
    usage([...BASE_ARGS, '--bogus']);
    usage([...BASE_ARGS, '-x']);
    usage([...BASE_ARGS, 'extra']);
    usage([...BASE_ARGS, '--alpha']);
    for (const a of ['nan', 'NaN', 'Infinity', '1e999', '', 'abc', '0x10', ' 1'])
      usage([...BASE_ARGS, '--alpha', a]);
    usage([...BASE_ARGS, '--alpha', '1', '--alpha', '2']);
    usage([...BASE_ARGS, '--mode', 'fast']);
    usage([...BASE_ARGS, '--backend', 'cuda']);
    usage([...BASE_ARGS, '--resolution', 'half']);
    usage([...BASE_ARGS, '--resolution']);
    usage([...BASE_ARGS, '--dtype', 'fp16']);
    for (const n of ['0', '-1', '2.5', '5000']) usage([...BASE_ARGS, '--max-new-tokens', n]);
    usage([...BASE_ARGS, '--temperature', '-1']);
    usage([...BASE_ARGS, '--top-k', '1.5']);
    for (const p of ['0', '1.5', '-0.1']) usage([...BASE_ARGS, '--top-p', p]);
    usage([...BASE_ARGS, '--seed', '-1']);
    usage([...BASE_ARGS, '--stop', '']);
    usage([...BASE_ARGS, '--json=yes']);
    usage(['generate', '--trio', 'nope', '--question', 'q']);
    usage(['generate', '--trio', 'qwen3-vl', '--question', 'q']);
    usage(['generate', '--question', 'q']);
    usage(['generate', '--trio', 'tiny', '--base', 'b', '--question', 'q']);
    usage(['generate', '--base', 'b', '--expert', 'e', '--question', 'q']);
    usage(['generate', '--trio', 'tiny']);
    usage(['generate', '--trio', 'tiny', '--question', '  ']);
  });

  it('recognises image files by their bytes', () => {
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      'image/png',
    );
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(new TextEncoder().encode('{"a": 1}'))).toBeNull();
  });
});

describe('input checks (exit status 3)', () => {
  const input = async (p: Promise<unknown>, message: RegExp) => {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(3);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).not.toContain('\n');
  };

  it('rejects missing, unreadable and non-image files', async () => {
    await input(checkImage(join(tmp, 'missing.png')), /cannot read image .*no such file/);
    await input(checkImage(NOT_IMAGE), /is not an image/);
    await input(checkImage(tmp), /is a directory/);
    await expect(checkImage(IMAGE)).resolves.toMatchObject({ contentType: 'image/png' });
  });

  it('rejects missing or incomplete model folders', async () => {
    await input(
      checkModelDir(join(tmp, 'nowhere'), 'q4', 'base model'),
      /base model: model folder .* not found/,
    );
    await input(checkModelDir(tmp, 'q4', 'expert model'), /has no config\.json/);
    await input(presetDirs('bench', join(ROOT, 'public/models'), 'fp32'), /no fp32 export/);
    await expect(
      checkModelDir(join(ROOT, 'public/models/tiny-base'), 'fp32', 'base model'),
    ).resolves.toContain('tiny-base');
  });
});

describe('exit codes and messages of the entry point', () => {
  it('fails fast with one line on stderr', async () => {
    const cases: [string[], number, RegExp][] = [
      [[...BASE_ARGS, '--bogus'], 2, /unknown option '--bogus'/],
      [[...BASE_ARGS, '--alpha', 'inf'], 2, /--alpha/],
      [[...BASE_ARGS, '--image', NOT_IMAGE], 3, /is not an image/],
      [
        ['generate', '--base', join(tmp, 'nowhere'), '--expert', tmp, '--amateur', tmp, '--question', 'q'],
        3,
        /base model: model folder .* not found/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args, 60_000)));
    runs.forEach((r, i) => {
      const [args, code, message] = cases[i] ?? [[], 0, /./];
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout, args.join(' ')).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^proxythinker: /);
      expect(lines[0]).toMatch(message);
    });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run cli -- generate/);
  }, 120_000);
});

describe('real runs of the tiny trio (headless Chromium, WASM)', () => {
  let preset: CliOutput;
  let folders: CliOutput;

  const run = async (args: string[]): Promise<CliOutput> => {
    const r = await cli(args);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    expect(lines, 'exactly one JSON object on stdout').toHaveLength(1);
    return JSON.parse(lines[0] ?? '') as CliOutput;
  };

  beforeAll(async () => {
    const common = [
      '--image',
      IMAGE,
      '--question',
      'What does the chart show?',
      '--mode',
      'side-by-side',
      '--max-new-tokens',
      '8',
      '--backend',
      'wasm',
      '--dtype',
      'fp32',
      '--json',
    ];
    preset = await run(['generate', '--trio', 'tiny', '--alpha', '1', ...common]);
    const dir = (n: string) => join(ROOT, 'public/models', n);
    folders = await run([
      'generate',
      '--base',
      dir('tiny-base'),
      '--expert',
      dir('tiny-expert'),
      '--amateur',
      dir('tiny-amateur'),
      '--alpha',
      '0',
      ...common,
    ]);
  }, 300_000);

  const checkStreams = (o: CliOutput, alpha: number) => {
    expect(Object.keys(o.streams).sort()).toEqual(['base', 'guided']);
    for (const name of ['base', 'guided'] as const) {
      const s = o.streams[name];
      expect(s, name).toBeDefined();
      if (!s) continue;
      expect(s.error).toBeNull();
      if (s.reason === 'eos') expect(s.token_ids.length).toBeLessThanOrEqual(8);
      else {
        expect(s.reason).toBe('max_tokens');
        expect(s.token_ids).toHaveLength(8);
      }
      expect(s.token_ids.length).toBeGreaterThan(0);
      for (const id of s.token_ids) expect(Number.isInteger(id) && id >= 0).toBe(true);
      expect(s.alpha).toHaveLength(s.token_ids.length);
      for (const a of s.alpha) expect(a).toBe(alpha);
      expect(typeof s.text).toBe('string');
    }
    for (const role of ['base', 'expert', 'amateur'] as const) {
      expect(o.backend[role]).toBe('wasm');
      expect(o.prompt_ids[role]?.length, role).toBeGreaterThan(10);
    }
    expect(o.timings.load_ms).toBeGreaterThan(0);
    expect(o.timings.prefill_ms).toBeGreaterThan(0);
    expect(o.timings.total_ms).toBeGreaterThan(0);
    expect(o.timings.step_ms_median.base).not.toBeUndefined();
    expect(o.timings.merge).toBe('wasm-simd');
    expect(Object.keys(o.timings.messaging_ms).sort()).toEqual(['amateur', 'base', 'expert']);
  };

  it('generate --trio tiny: both streams, α per token, prompt ids of all three models', () => {
    checkStreams(preset, 1);
    expect(preset.resolution?.mode).toBe('full');
    expect(preset.resolution?.escalated_at_token).toBeNull();
    for (const role of ['base', 'expert', 'amateur'] as const) {
      expect(preset.resolution?.visual_tokens[role]?.low).toBe(0);
      expect(preset.resolution?.visual_tokens[role]?.full).toBeGreaterThan(0);
    }
    expect(preset.models.map((m) => [m.role, m.name])).toEqual([
      ['base', 'tiny-base'],
      ['expert', 'tiny-expert'],
      ['amateur', 'tiny-amateur'],
    ]);
  });

  it('generate --base/--expert/--amateur DIR loads the same models from folders', () => {
    checkStreams(folders, 0);
    expect(folders.models.map((m) => m.url)).toEqual([
      '/local-models/tiny-base/',
      '/local-models/tiny-expert/',
      '/local-models/tiny-amateur/',
    ]);
    expect(folders.prompt_ids).toEqual(preset.prompt_ids);
    // The base stream does not depend on α: same models, same prompt, same greedy tokens.
    expect(folders.streams.base?.token_ids).toEqual(preset.streams.base?.token_ids);
  });

  it('α = 0: the guided stream equals the base stream (and at α = 1 it does not)', () => {
    expect(
      preset.streams.guided?.token_ids,
      'α = 1 should steer the tiny trio away from base (else the α = 0 check proves nothing)',
    ).not.toEqual(preset.streams.base?.token_ids);
    expect(folders.streams.guided?.token_ids).toEqual(folders.streams.base?.token_ids);
    expect(folders.streams.guided?.text).toBe(folders.streams.base?.text);
  });
});

describe('VisionThink from the CLI: --resolution and the JSON resolution field (tiny trios, WASM)', () => {
  const run = async (trio: string, resolution: string, alpha: string): Promise<CliOutput> => {
    const r = await cli([
      'generate',
      '--trio',
      trio,
      '--image',
      SQUARE,
      '--question',
      'What is the area of the triangle?',
      '--resolution',
      resolution,
      '--alpha',
      alpha,
      '--max-new-tokens',
      '16',
      '--dtype',
      'fp32',
      '--json',
    ]);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim()) as CliOutput;
  };
  let asked: CliOutput;
  let quiet: CliOutput;
  beforeAll(async () => {
    asked = await run('tiny-escalate', 'smart', '1');
    quiet = await run('tiny', 'smart', '0.5');
  }, 300_000);

  it('smart with the escalating expert: one escalation, low and full visual tokens per model', () => {
    const res = asked.resolution;
    expect(res?.mode).toBe('smart');
    expect(res?.escalated_at_token).toEqual(expect.any(Number));
    for (const role of ['base', 'expert', 'amateur'] as const)
      expect(res?.visual_tokens[role]).toEqual({ low: 16, full: 64 });
    expect(res?.image).toEqual({ low: [112, 112], full: [224, 224] });
    // The guided text holds the call; tokens went on after it.
    expect(asked.streams.guided?.text).toContain('resize_image');
    expect(asked.streams.guided?.token_ids.length).toBeGreaterThan((res?.escalated_at_token ?? 99) + 1);
  });

  it('smart without a call: only the low-resolution tokens are used', () => {
    const res = quiet.resolution;
    expect(res?.mode).toBe('smart');
    expect(res?.escalated_at_token).toBeNull();
    for (const role of ['base', 'expert', 'amateur'] as const)
      expect(res?.visual_tokens[role]).toEqual({ low: 16, full: 0 });
    expect(res?.image).toEqual({ low: [112, 112], full: null });
  });
});
