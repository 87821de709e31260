import { MODE_LABELS } from '../core/history';
import type { RunMode } from '../core/protocol';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

const MODES: RunMode[] = ['side-by-side', 'guided', 'base', 'expert', 'base+expert'];

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
        onChange={(e) => setSetting('mode', e.target.value as RunMode)}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {MODE_LABELS[m]}
          </option>
        ))}
      </select>
    </div>
  );
}
