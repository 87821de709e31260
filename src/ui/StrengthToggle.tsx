import { STRENGTH_LEVELS } from '../core/guidance';
import { setColourByStrength } from '../state/inspectorActions';
import { useApp } from '../state/store';

/** Colours every guided token by how far guidance moved its probability; explains the marks. */
export function StrengthToggle() {
  const on = useApp((s) => s.ui.colourByStrength);
  return (
    <div className="legend">
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => setColourByStrength(e.target.checked)} />
        Colour by guidance strength
      </label>
      <span className="legend__item">
        <span className="tok tok--flipped legend__swatch">ab</span> guidance changed the base model&rsquo;s
        top choice
      </span>
      {on && (
        <span
          className="legend__item"
          aria-label="strength scale: |p merged − p base| of the chosen token, 0 to 1"
        >
          |p<sub>merged</sub> − p<sub>base</sub>| 0
          {Array.from({ length: STRENGTH_LEVELS }, (_, i) => (
            <span key={i} className={`legend__step tok--s${i}`} aria-hidden="true" />
          ))}
          1
        </span>
      )}
    </div>
  );
}
