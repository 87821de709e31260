import { showView } from '../state/evalActions';
import { useApp } from '../state/store';

/** The main area: one run at a time, or an evaluation over a set. */
export function ViewTabs() {
  const view = useApp((s) => s.ui.view);
  const evalRunning = useApp((s) => s.eval.status !== 'idle');
  const tab = (id: 'run' | 'evaluate', label: string) => (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={view === id}
      aria-controls={view === id ? `view-${id}` : undefined}
      className={`view-tab${view === id ? ' view-tab--active' : ''}`}
      onClick={() => showView(id)}
    >
      {label}
      {id === 'evaluate' && evalRunning && <span className="view-tab__dot" aria-label="(running)" />}
    </button>
  );
  return (
    <div className="view-tabs" role="tablist" aria-label="View">
      {tab('run', 'Run')}
      {tab('evaluate', 'Evaluate')}
    </div>
  );
}
