import { MODE_LABELS, RUN_MODES } from '../core/history';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

export function ModeSelect() {
  const mode = useApp((s) => s.settings.mode);
  const running = useApp((s) => s.run.status !== 'idle');
  return (
    <div className="field">
      <label htmlFor="mode">Mode</label>
      <select
        id="mode"
        value={mode}
        disabled={running}
        onChange={(e) => {
          const next = RUN_MODES.find((m) => m === e.target.value);
          if (next) setSetting('mode', next);
        }}
      >
        {RUN_MODES.map((m) => (
          <option key={m} value={m}>
            {MODE_LABELS[m]}
          </option>
        ))}
      </select>
    </div>
  );
}
