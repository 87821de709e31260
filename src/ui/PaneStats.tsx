import type { StreamName } from '../core/protocol';
import { timeToFirstToken, tokensPerSecond } from '../core/runRecord';
import type { StopReason } from '../core/stopping';
import { useApp } from '../state/store';
import { formatMs, formatRate } from './format';

const REASONS: Record<StopReason, string> = {
  eos: 'end of answer',
  max_tokens: 'token limit',
  stop_string: 'stop string',
  cancelled: 'stopped',
  error: 'error',
};

/** Tokens, speed, time to first token and why the stream ended. */
export function PaneStats({ stream }: { stream: StreamName }) {
  const s = useApp((st) => st.run.view.byName[stream]);
  const startedAt = useApp((st) => st.run.view.startedAt);
  const saved = useApp((st) =>
    st.run.source.kind === 'history' ? st.run.source.entry.outputs[stream] : undefined,
  );
  const count = s?.tokens.length || saved?.tokenCount || 0;
  const rate = saved
    ? saved.tokensPerSecond
    : tokensPerSecond(s?.tokens.length ?? 0, s?.firstTokenAt ?? null, s?.lastTokenAt ?? null);
  const ttft = saved ? saved.ttftMs : timeToFirstToken(startedAt, s?.firstTokenAt ?? null);
  const reason = s?.reason ?? null;
  return (
    <dl className="stats">
      <div>
        <dt>Tokens</dt>
        <dd data-testid={`tokens-${stream}`}>{count}</dd>
      </div>
      <div>
        <dt>Speed</dt>
        <dd>{formatRate(rate)}</dd>
      </div>
      <div>
        <dt>First token</dt>
        <dd>{formatMs(ttft)}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd className={reason ? `reason reason--${reason}` : 'reason'}>
          {reason ? REASONS[reason] : s ? 'streaming' : '—'}
        </dd>
      </div>
    </dl>
  );
}
