import { useMemo } from 'react';
import { MODEL_ROLES, type ModelRole } from '../core/presets';
import { loadEventsOf } from '../state/loadView';
import { retryLoad } from '../state/modelActions';
import { useApp } from '../state/store';
import { LoadProgress } from './models';

/** The shared load progress (bytes per file and overall, failures by file, Retry) over the store's load. */
export function ModelLoadProgress() {
  const status = useApp((s) => s.load.status);
  const models = useApp((s) => s.load.models);
  const plan = useApp((s) => s.load.plan);
  const error = useApp((s) => s.load.error);
  const request = useApp((s) => s.load.request);
  const events = useMemo(() => loadEventsOf(models), [models]);
  const names = useMemo(() => {
    const out: Partial<Record<ModelRole, string>> = {};
    for (const r of MODEL_ROLES) {
      const m = request?.models.find((x) => x.role === r);
      if (m) out[r] = m.name;
    }
    return out;
  }, [request]);
  if (status === 'idle' || !request) return null;
  return (
    <LoadProgress
      events={events}
      plan={plan}
      names={names}
      error={status === 'error' ? error : null}
      {...(status === 'error' ? { onRetry: () => void retryLoad() } : {})}
    />
  );
}
