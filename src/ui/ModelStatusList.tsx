import { MODEL_ROLES } from '../core/presets';
import { useApp } from '../state/store';
import { ModelStatusCard } from './ModelStatusCard';
import { ScheduleNote } from './ScheduleNote';

export function ModelStatusList() {
  const status = useApp((s) => s.load.status);
  if (status === 'idle') return null;
  return (
    <>
      <ul className="model-list" aria-label="Model status">
        {MODEL_ROLES.map((role) => (
          <ModelStatusCard key={role} role={role} />
        ))}
      </ul>
      <ScheduleNote />
    </>
  );
}
