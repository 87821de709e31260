import type { PlacementSetting } from '../state/store';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';
import { Segmented, type SegmentOption } from './Segmented';

const PLACEMENTS: readonly SegmentOption<PlacementSetting>[] = [
  { value: 'auto', label: 'Auto', title: 'The engine chooses: one worker on WASM with few cores, else a worker per model' },
  { value: 'workers', label: 'Worker each', title: 'A worker per model: they can step at the same time, and a crash stops only its model' },
  { value: 'one-worker', label: 'One worker', title: 'The three models in one worker with every core, one after another; a crash stops all three' },
];

/** Where the next load puts the models (see Placement in src/core/protocol.ts). */
export function PlacementPicker() {
  const placement = useApp((s) => s.settings.placement);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return <Segmented legend="Placement" name="placement" options={PLACEMENTS} value={placement} disabled={locked} onChange={(p) => setSetting('placement', p)} />;
}
