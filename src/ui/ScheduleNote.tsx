import type { TrioSchedule } from '../core/protocol';
import { MODEL_ROLES } from '../core/presets';
import { useApp } from '../state/store';

/** How the loaded trio steps its models per token, and why (timed at load, or as asked). */
export function ScheduleNote() {
  const schedule = useApp((s) => MODEL_ROLES.map((r) => s.load.models[r].info?.schedule).find(Boolean));
  if (!schedule) return null;
  return (
    <p className="hint" aria-label="Stepping schedule">
      Stepping: guided <strong>{schedule.guided.stepping}</strong>, side-by-side{' '}
      <strong>{schedule.sideBySide.stepping}</strong>
      <span className="reason"> · {describe(schedule)}</span>
    </p>
  );
}

function describe(s: TrioSchedule): string {
  return s.guided.why === s.sideBySide.why ? s.guided.why : `${s.guided.why}; ${s.sideBySide.why}`;
}
