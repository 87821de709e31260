/**
 * `npm run cli -- generate …`: the ProxyThinker engine from the command line (headless Chromium).
 * stdout carries only the result (JSON with --json); messages go to stderr, one line per error.
 */
import { EXIT, parseArgs, USAGE } from './args';
import { generate, summary } from './generate';

function exitCodeOf(e: unknown): number {
  if (e && typeof e === 'object' && 'exitCode' in e && typeof e.exitCode === 'number') return e.exitCode;
  return EXIT.FAILURE;
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' | ').trim();
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`proxythinker: ${oneLine(e)}\n`);
    return exitCodeOf(e);
  }
  if (parsed.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const opts = parsed;
  const t0 = performance.now();
  const log = (line: string) => {
    if (opts.verbose)
      process.stderr.write(`· ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`);
  };
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`proxythinker: ${sig}, stopping\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const out = await generate(opts, log);
    process.stdout.write(opts.json ? `${JSON.stringify(out)}\n` : `${summary(out)}\n`);
    const failed = Object.entries(out.streams).find(([, s]) => s?.error);
    if (failed) {
      process.stderr.write(
        `proxythinker: stream ${failed[0]} failed: ${failed[1]?.error?.name}: ${failed[1]?.error?.message}\n`,
      );
      return EXIT.FAILURE;
    }
    return EXIT.OK;
  } catch (e) {
    process.stderr.write(`proxythinker: ${oneLine(e)}\n`);
    return exitCodeOf(e);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let stdout drain before exiting (a pipe may be slower than us).
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`proxythinker: ${oneLine(e)}\n`);
    process.exit(EXIT.FAILURE);
  },
);
