/**
 * `npm run eval -- …`: evaluation sets through the real engine (headless Chromium), re-scoring of
 * saved outputs, and benchmark imports. Results and tables on stdout, progress and messages on stderr.
 */
import { EXIT } from '../cli/args';
import { EVAL_USAGE, parseEvalArgs, type EvalCommand } from './args';
import { FILES } from './results';
import { resultTable, runEval } from './run';
import { runImport, runScore } from './score';

function exitCodeOf(e: unknown): number {
  if (e && typeof e === 'object' && 'exitCode' in e && typeof e.exitCode === 'number') return e.exitCode;
  return EXIT.FAILURE;
}

const oneLine = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' | ').trim();
const err = (line: string) => process.stderr.write(`eval: ${line}\n`);

async function main(argv: string[]): Promise<number> {
  let cmd: EvalCommand;
  try {
    cmd = parseEvalArgs(argv);
  } catch (e) {
    err(oneLine(e));
    return exitCodeOf(e);
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return EXIT.OK;
  }
  try {
    if (cmd.command === 'import') {
      const r = await runImport(cmd, err);
      process.stdout.write(`${r.format}: ${r.written} items → ${r.out}\n`);
      return EXIT.OK;
    }
    if (cmd.command === 'score') {
      const doc = await runScore(cmd, (l) => !cmd.json && process.stdout.write(`${l}\n`), err);
      process.stdout.write(cmd.json ? `${JSON.stringify(doc)}\n` : `\n${resultTable(doc)}\n`);
      return EXIT.OK;
    }
    const opts = cmd;
    const t0 = performance.now();
    const log = (line: string) => {
      if (opts.verbose)
        process.stderr.write(`· ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`);
    };
    // Ctrl-C: the finished items are on disk already; stop, close the browser, write the summary.
    const abort = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      if (abort.signal.aborted) process.exit(130);
      err(`${sig}: stopping; finished items are kept in ${opts.out}/${FILES.items} (rerun to resume)`);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const out = await runEval(opts, log, abort.signal);
    process.stdout.write(
      `${resultTable(out.summary)}\n\n${out.done} of ${out.summary.items.selected} items done${out.failed ? `, ${out.failed} failed (see ${opts.out}/${FILES.errors})` : ''}; results in ${opts.out}/\n`,
    );
    return out.failed ? EXIT.FAILURE : EXIT.OK;
  } catch (e) {
    err(oneLine(e));
    return exitCodeOf(e);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e: unknown) => {
    err(oneLine(e));
    process.exit(EXIT.FAILURE);
  },
);
