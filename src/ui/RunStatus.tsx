import { useApp } from '../state/store';
import { formatMs } from './format';

/** What the run is doing, for everyone (a polite live region). */
export function RunStatus() {
  const status = useApp((s) => s.run.status);
  const source = useApp((s) => s.run.source.kind);
  const totalMs = useApp((s) => s.run.view.totalMs);
  const prefillMs = useApp((s) => s.run.view.prefillMs);
  const reused = useApp((s) => s.run.view.prefillReused);
  const started = useApp((s) => s.run.view.streams.length > 0);
  const visual = useApp((s) => s.run.view.visualTokens?.base ?? s.run.view.visualTokens?.expert ?? null);
  const loaded = useApp((s) => s.load.status === 'loaded');
  const vision = visual !== null && visual > 0 ? ` · ${visual} visual tokens` : '';
  let text = loaded ? '' : 'Load the models to run (Models panel).';
  if (status === 'checking') text = 'Checking that the models can hold this run…';
  else if (status === 'running') text = started ? 'Generating…' : 'Encoding the image and prompt…';
  else if (status === 'stopping') text = 'Stopping…';
  else if (source === 'live' && (totalMs !== null || prefillMs !== null))
    text = `Finished${totalMs !== null ? ` in ${formatMs(totalMs)}` : ''} · prefill ${formatMs(prefillMs)}${reused ? ' (reused)' : ''}${vision}`;
  return (
    <p className="run-status" role="status">
      {status !== 'idle' && <span className="spinner" aria-hidden="true" />}
      {text}
      {status === 'running' && started && prefillMs !== null && (
        <span className="hint-inline">
          {' '}
          · prefill {formatMs(prefillMs)}
          {reused ? ' (reused)' : ''}
          {vision}
        </span>
      )}
    </p>
  );
}
