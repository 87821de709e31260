import { RESOLUTION_HINTS, RESOLUTIONS } from '../core/runVision';
import type { Resolution } from '../core/protocol';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

const SHORT: Record<Resolution, string> = { full: 'Full', smart: 'Smart', low: 'Low only' };

/** VisionThink's resolution setting, each choice with its one-line explanation. */
export function ResolutionControl() {
  const resolution = useApp((s) => s.settings.resolution);
  const running = useApp((s) => s.run.status !== 'idle');
  return (
    <fieldset className="stack choices" disabled={running}>
      <legend>Resolution</legend>
      {RESOLUTIONS.map((r) => (
        <div className="choice" key={r}>
          <input
            type="radio"
            id={`resolution-${r}`}
            name="resolution"
            value={r}
            checked={resolution === r}
            aria-describedby={`resolution-${r}-hint`}
            onChange={() => setSetting('resolution', r)}
          />
          <label htmlFor={`resolution-${r}`}>{SHORT[r]}</label>
          <p className="hint choice__hint" id={`resolution-${r}-hint`}>
            {RESOLUTION_HINTS[r]}
          </p>
        </div>
      ))}
      <p className="hint">Applies to runs with an image.</p>
    </fieldset>
  );
}
