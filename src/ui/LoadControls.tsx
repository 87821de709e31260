import { findPreset } from '../core/presets';
import { cancelLoad, loadModels, presetBlocker } from '../state/modelActions';
import { useApp } from '../state/store';

/**
 * The preset's Load button (a custom trio has its own), Cancel while loading, and what went wrong
 * before a load started (a failed load is shown by the load progress, with Retry).
 */
export function LoadControls({ showLoadButton }: { showLoadButton: boolean }) {
  const status = useApp((s) => s.load.status);
  const error = useApp((s) => s.load.error);
  const running = useApp((s) => s.run.status !== 'idle');
  const loaded = useApp((s) => s.load.loaded);
  const presetId = useApp((s) => s.settings.presetId);
  const dtype = useApp((s) => s.settings.dtype);
  const backend = useApp((s) => s.settings.backend);
  const blocked = presetBlocker(findPreset(presetId)) !== null;
  const stale =
    showLoadButton &&
    loaded !== null &&
    (loaded.presetId !== presetId ||
      loaded.backend !== backend ||
      (loaded.dtype !== 'preset' && loaded.dtype !== dtype));
  return (
    <div className="stack">
      <div className="row">
        {showLoadButton && (
          <button
            type="button"
            className="button button--primary"
            disabled={status === 'loading' || running || blocked}
            onClick={() => void loadModels()}
          >
            {status === 'loaded' ? 'Reload models' : 'Load models'}
          </button>
        )}
        {status === 'loading' && (
          <button type="button" className="button" onClick={cancelLoad}>
            Cancel loading
          </button>
        )}
      </div>
      {stale && (
        <p className="hint">
          The selection differs from the loaded trio; runs use the loaded one until you load again.
        </p>
      )}
      {error && status !== 'error' && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
