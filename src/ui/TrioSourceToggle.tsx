import { setDownloadPlan } from '../state/modelActions';
import { setSetting } from '../state/settingsActions';
import { useApp, type Settings } from '../state/store';

const SOURCES: { value: Settings['trioSource']; label: string }[] = [
  { value: 'preset', label: 'Preset' },
  { value: 'custom', label: 'Custom' },
];

/** A preset trio, or one put together from hub repos and folders. */
export function TrioSourceToggle() {
  const source = useApp((s) => s.settings.trioSource);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <fieldset className="segmented" disabled={locked}>
      <legend>Trio</legend>
      {SOURCES.map((o) => (
        <label key={o.value}>
          <input
            type="radio"
            name="trio-source"
            value={o.value}
            checked={source === o.value}
            onChange={() => {
              setSetting('trioSource', o.value);
              setDownloadPlan(null);
            }}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
