/**
 * `npm run bench`: the real engine in headless Chromium, per backend (WASM and WebGPU):
 * per-token decode time of each model alone, guided, side-by-side, the naive single-thread loop and
 * transformers.js generate(); coordinator cost, time to first token, memory and heap growth. Writes
 * bench/results.json and bench/chart.svg and prints the ratio table (H, the bounds, G2…G6b). Not part of `npm test`.
 *
 * Every configuration runs in the same round, one after another, so a change of machine load hits
 * all of them alike; each ratio is the median over rounds of that round's ratio.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { findPreset } from '../../src/core/presets';
import { CATALOG } from '../models/catalog';
import { makeModels } from '../models/make';
import { ensureBuild, MODELS, openSession, ROOT } from '../cli/runner';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from './args';
import { benchBackend } from './backend';
import { writeImage } from './image';
import { say } from './log';
import { IMAGE_URL } from './measure';
import { Cdp } from './memory';
import { printSummary, writeResults } from './report';
import { benchMemoryPlan } from './memory-plan';
import { benchSweep } from './sweep';
import { G5_IMAGE_URL, maxSide, writeDetailedImage } from './visionthink';

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseBenchArgs(process.argv.slice(2), cpus().length);
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof BenchUsageError ? 2 : 1;
  }
  if (opts === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const outDir = resolve(ROOT, opts.out);
  mkdirSync(outDir, { recursive: true });
  const imagePath = join(outDir, '.bench-image.png');
  writeImage(imagePath);
  // G5's images: the largest square each trio's processor keeps (max_pixels), and half its side.
  const g5Mounts = [...new Set(opts.plans.map((p) => p.trio))].flatMap((trio) => {
    const side = maxSide(join(MODELS, findPreset(trio).models.base.name));
    return [
      { name: trio, side },
      { name: `half-${trio}`, side: Math.max(56, Math.floor(side / 56) * 28) },
    ].map(({ name, side: px }) => {
      const file = join(outDir, `.bench-image-max-${name}.png`);
      writeDetailedImage(file, px);
      return { urlPath: `${G5_IMAGE_URL}-${name}`, file, contentType: 'image/png' };
    });
  });
  // The base models' plain-op twins, for the graph comparison (made once, kept up to date).
  const plainNames = [...new Set(opts.plans.map((p) => `${findPreset(p.trio).models.base.name}-plain`))];
  await makeModels(CATALOG.filter((s) => plainNames.includes(s.name)), MODELS, false, say);
  await ensureBuild('auto', say, say);
  const loadStart = loadavg();
  const session = await openSession({
    mounts: [{ urlPath: IMAGE_URL, file: imagePath, contentType: 'image/png' }, ...g5Mounts],
    chromium: opts.chromium,
    // Precise performance.memory; measureUserAgentSpecificMemory() without waiting for a natural GC.
    extraArgs: ['--enable-precise-memory-info', '--enable-blink-features=ForceEagerMeasureMemory'],
    log: say,
  });
  const cdp = await Cdp.open(session.browser);
  const chromiumVersion = session.browser.version();
  const results: Record<string, Record<string, unknown>> = {};
  const failures: Record<string, string> = {};
  let sweep: Record<string, unknown> | null = null;
  let memoryEstimate: Record<string, unknown> | null = null;
  const write = () =>
    writeResults({
      outDir,
      quick: opts.quick,
      planned: opts.plans.length,
      chromium: chromiumVersion,
      loadStart,
      results,
      sweep,
      memoryEstimate,
      mergeMemoryOnly: opts.onlyMemory,
      failures,
    });
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: writing what was measured so far`);
    write();
    void session.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const hasReference = await session.page.evaluate(
      () => typeof window.proxyThinker.referenceGenerate === 'function',
    );
    if (!hasReference)
      throw new Error('dist/ has no window.proxyThinker.referenceGenerate: rebuild the app (vite build)');
    for (const plan of opts.onlySweep || opts.onlyMemory ? [] : opts.plans) {
      try {
        results[plan.backend] = await benchBackend(session, cdp, plan, opts);
      } catch (e) {
        const msg = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
        failures[plan.backend] = msg;
        say(`${plan.backend} failed: ${msg}`);
      }
      write();
    }
    if (opts.sweep.rounds > 0 && !opts.onlyMemory) {
      const s = opts.sweep;
      sweep = await benchSweep(session.page, { trio: s.trio, backend: 'wasm', dtype: opts.plans.find((p) => p.backend === 'wasm')?.dtype ?? null, tokens: s.tokens, rounds: s.rounds, ks: [1, 3, 5], imageUrl: IMAGE_URL }, say).catch((e: unknown) => ({
        error: e instanceof Error ? e.message : String(e),
      }));
      write();
    }
    if (opts.memory.prompts.length > 0 && !opts.onlySweep) {
      const contextId = await Cdp.contextIdOf(session.page);
      memoryEstimate = await benchMemoryPlan(session.page, cdp, contextId, { trio: opts.memory.trio, prompts: opts.memory.prompts }, say).catch(
        (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
      );
      write();
    }
  } finally {
    await cdp.close();
    await session.close();
    write();
    say(`wrote ${join(opts.out, 'results.json')} and ${join(opts.out, 'chart.svg')}`);
    printSummary(results);
  }
  return Object.keys(failures).length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
