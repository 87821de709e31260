import { useEffect, useState } from 'react';
import { applyAppUpdate, onAppUpdate } from '../client/model-cache';
import { useApp } from '../state/store';

/**
 * A new version of the app was deployed while this page was open: its service worker waits, and the
 * page says so. Reloading is the user's choice, and is held back while a model load, a run or an
 * evaluation is going (a reload would cut it short); runs, settings and the question are kept across
 * it, and the models load again from browser storage.
 */
export function AppUpdateNotice() {
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busy = useApp(
    (s) => s.load.status === 'loading' || s.run.status !== 'idle' || s.eval.status !== 'idle',
  );
  useEffect(() => onAppUpdate(() => setReady(true)), []);
  if (!ready) return null;
  const apply = () => {
    applyAppUpdate().catch((e: unknown) => setError(`The update failed: ${String(e)}`));
  };
  return (
    <div className="app-update" role="region" aria-label="App update">
      <p>
        A new version of the app is ready.{' '}
        {busy
          ? 'Reload when this finishes: a reload now would cut it short.'
          : 'Reloading keeps your runs, settings and question; the models load again from browser storage.'}
      </p>
      <button type="button" onClick={apply} disabled={busy}>
        Reload to update
      </button>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
