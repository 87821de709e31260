import { changeAlpha } from '../state/runActions';
import { ALPHA_MAX, ALPHA_MIN, useApp } from '../state/store';
import { formatAlpha } from './format';

/** α, the guidance strength. Live: moving it during a run changes the guided stream from the next token. */
export function AlphaSlider() {
  const alpha = useApp((s) => s.settings.alpha);
  const running = useApp((s) => s.run.status !== 'idle');
  const mode = useApp((s) => s.settings.mode);
  const unused = mode === 'base' || mode === 'expert';
  return (
    <div className="alpha">
      <label htmlFor="alpha">
        α <span className="hint-inline">guidance</span>
      </label>
      <input
        id="alpha"
        type="range"
        min={ALPHA_MIN}
        max={ALPHA_MAX}
        step={0.05}
        value={alpha}
        aria-valuetext={`${formatAlpha(alpha)}${running ? ', live' : ''}`}
        aria-describedby="alpha-hint"
        onChange={(e) => changeAlpha(Number(e.target.value))}
      />
      <output htmlFor="alpha" className="alpha__value">
        {formatAlpha(alpha)}
      </output>
      <span id="alpha-hint" className={`alpha__hint${running && !unused ? ' alpha__hint--live' : ''}`}>
        {unused ? 'not used in this mode' : running ? 'live' : `${ALPHA_MIN}–${ALPHA_MAX}`}
      </span>
    </div>
  );
}
