import { setSetting } from '../state/settingsActions';
import { useApp, type Settings } from '../state/store';

type NumberKey = 'temperature' | 'topK' | 'topP' | 'seed';

const FIELDS: { key: NumberKey; label: string; step: string; min: string; max?: string; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', step: '0.05', min: '0', hint: '> 0' },
  { key: 'topK', label: 'Top-k', step: '1', min: '0', hint: '0 = off' },
  { key: 'topP', label: 'Top-p', step: '0.01', min: '0', max: '1', hint: '1 = off' },
  { key: 'seed', label: 'Seed', step: '1', min: '0', hint: 'integer' },
];

/** Greedy (the default) or sampling with temperature, top-k, top-p and a seed. */
export function SamplingControls() {
  const decoding = useApp((s) => s.settings.decoding);
  const running = useApp((s) => s.run.status !== 'idle');
  const values = {
    temperature: useApp((s) => s.settings.temperature),
    topK: useApp((s) => s.settings.topK),
    topP: useApp((s) => s.settings.topP),
    seed: useApp((s) => s.settings.seed),
  };
  return (
    <fieldset className="stack sampling" disabled={running}>
      <legend>Sampling</legend>
      <div className="segmented segmented--inline">
        {(['greedy', 'sample'] as Settings['decoding'][]).map((d) => (
          <label key={d}>
            <input
              type="radio"
              name="decoding"
              value={d}
              checked={decoding === d}
              onChange={() => setSetting('decoding', d)}
            />
            <span>{d === 'greedy' ? 'Greedy' : 'Sample'}</span>
          </label>
        ))}
      </div>
      {decoding === 'sample' && (
        <div className="grid-2">
          {FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`sampling-${f.key}`}>
                {f.label} <span className="hint-inline">({f.hint})</span>
              </label>
              <input
                id={`sampling-${f.key}`}
                type="number"
                inputMode="decimal"
                step={f.step}
                min={f.min}
                max={f.max}
                value={values[f.key]}
                onChange={(e) => setSetting(f.key, e.target.value)}
              />
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
