import type { BackendChoice } from '../core/protocol';
import { setDownloadPlan } from '../state/modelActions';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

const BACKENDS: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WASM' },
];

/** The backend every load uses, preset or custom. */
export function BackendPicker() {
  const backend = useApp((s) => s.settings.backend);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <fieldset className="segmented" disabled={locked}>
      <legend>Backend</legend>
      {BACKENDS.map((b) => (
        <label key={b.value}>
          <input
            type="radio"
            name="backend"
            value={b.value}
            checked={backend === b.value}
            onChange={() => {
              setSetting('backend', b.value);
              setDownloadPlan(null); // fp16 or fp32 files: the sizes depend on the backend
            }}
          />
          <span>{b.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
