import { setDownloadPlan } from '../state/modelActions';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';
import { BACKEND_OPTIONS } from './backendOptions';
import { Segmented } from './Segmented';

/** The backend every load uses, preset or custom. */
export function BackendPicker() {
  const backend = useApp((s) => s.settings.backend);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <Segmented
      legend="Backend"
      name="backend"
      options={BACKEND_OPTIONS}
      value={backend}
      disabled={locked}
      onChange={(b) => {
        setSetting('backend', b);
        setDownloadPlan(null); // fp16 or fp32 files: the sizes depend on the backend
      }}
    />
  );
}
