import { streamTitle } from '../core/history';
import type { StreamName } from '../core/protocol';
import { useApp } from '../state/store';
import { AlphaTimeline } from './AlphaTimeline';
import { BehaviourCounters } from './BehaviourCounters';
import { MarkdownView } from './MarkdownView';
import { PaneStats } from './PaneStats';
import { PaneVision } from './PaneVision';
import { PaneViewToggle } from './PaneViewToggle';
import { StrengthToggle } from './StrengthToggle';
import { TokenView } from './TokenView';
import { useStickToBottom } from './useStickToBottom';

/** One stream's output: figures, behaviour counters, and its text as Markdown or as tokens. */
export function OutputPane({ stream }: { stream: StreamName }) {
  const s = useApp((st) => st.run.view.byName[stream]);
  const mode = useApp((st) => st.run.viewMode ?? st.settings.mode);
  const view = useApp((st) => st.ui.paneView[stream]);
  const running = useApp((st) => st.run.status !== 'idle');
  const title = streamTitle(stream, mode);
  const text = s?.text ?? '';
  const count = s?.tokens.length ?? 0;
  const body = useStickToBottom(view === 'text' ? text.length : count);
  const empty = !s || (text === '' && count === 0);
  return (
    <section
      className={`pane pane--${stream}`}
      aria-labelledby={`pane-title-${stream}`}
      data-testid={`pane-${stream}`}
      data-reason={s?.reason ?? ''}
    >
      <header className="pane__head">
        <h2 id={`pane-title-${stream}`}>{title}</h2>
        <PaneViewToggle stream={stream} title={title} />
      </header>
      <PaneStats stream={stream} />
      <PaneVision stream={stream} />
      <BehaviourCounters text={text} />
      {stream === 'guided' && <AlphaTimeline />}
      {s?.error && (
        <p className="message message--error" role="alert">
          {s.error.name}: {s.error.message}
        </p>
      )}
      {s && s.notes.length > 0 && (
        <ul className="pane__notes">
          {s.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {view === 'tokens' && stream === 'guided' && <StrengthToggle />}
      <div
        className="pane__body"
        ref={body}
        {...(view === 'text' ? { tabIndex: 0, role: 'region', 'aria-label': `${title} text` } : {})}
      >
        {empty ? (
          <p className="pane__empty">
            {running ? 'Waiting for the first token…' : 'The output will stream here.'}
          </p>
        ) : view === 'text' ? (
          <MarkdownView text={text} />
        ) : (
          <TokenView stream={stream} label={title} />
        )}
      </div>
    </section>
  );
}
