import type { PlacementSetting } from '../state/store';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

const PLACEMENTS: { value: PlacementSetting; label: string; title: string }[] = [
  { value: 'auto', label: 'Auto', title: 'The engine chooses: one worker on WASM with few cores, else a worker per model' },
  { value: 'workers', label: 'Worker each', title: 'A worker per model: they can step at the same time, and a crash stops only its model' },
  { value: 'one-worker', label: 'One worker', title: 'The three models in one worker with every core, one after another; a crash stops all three' },
];

/** Where the next load puts the models (see Placement in src/core/protocol.ts). */
export function PlacementPicker() {
  const placement = useApp((s) => s.settings.placement);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <fieldset className="segmented" disabled={locked}>
      <legend>Placement</legend>
      {PLACEMENTS.map((p) => (
        <label key={p.value} title={p.title}>
          <input type="radio" name="placement" value={p.value} checked={placement === p.value} onChange={() => setSetting('placement', p.value)} />
          <span>{p.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
