import { setDownloadPlan } from '../state/modelActions';
import { setSetting } from '../state/settingsActions';
import { useApp, type Settings } from '../state/store';
import { Segmented, type SegmentOption } from './Segmented';

const SOURCES: readonly SegmentOption<Settings['trioSource']>[] = [
  { value: 'preset', label: 'Preset' },
  { value: 'custom', label: 'Custom' },
];

/** A preset trio, or one put together from hub repos and folders. */
export function TrioSourceToggle() {
  const source = useApp((s) => s.settings.trioSource);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <Segmented
      legend="Trio"
      name="trio-source"
      options={SOURCES}
      value={source}
      disabled={locked}
      onChange={(o) => {
        setSetting('trioSource', o);
        setDownloadPlan(null);
      }}
    />
  );
}
