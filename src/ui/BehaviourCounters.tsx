import { useMemo } from 'react';
import { countBehaviours } from '../core/behaviours';

/** The reasoning behaviours the ProxyThinker paper counts, live on the pane's text. */
export function BehaviourCounters({ text }: { text: string }) {
  const c = useMemo(() => countBehaviours(text), [text]);
  return (
    <dl className="behaviours">
      <div title="verify, check, confirm, double-check">
        <dt>Verification</dt>
        <dd>{c.verification}</dd>
      </div>
      <div title="wait, however, but actually, let me re-…">
        <dt>Backtracking</dt>
        <dd>{c.backtracking}</dd>
      </div>
      <div title="first, next, step, then, finally">
        <dt>Sub-goals</dt>
        <dd>{c.subgoals}</dd>
      </div>
    </dl>
  );
}
