import type { TrioSchedule } from '../core/protocol';
import { MODEL_ROLES } from '../core/presets';
import { useApp } from '../state/store';

/** Where the loaded trio's models run and how it steps them per token, and why (the machine, timings at load or during runs, or as asked). */
export function ScheduleNote() {
  const schedule = useApp((s) => MODEL_ROLES.map((r) => s.load.models[r].info?.schedule).find(Boolean));
  const tuned = useApp((s) => s.run.view.loop?.stepping ?? null);
  if (!schedule) return null;
  const kindName = tuned?.kind === 'sideBySide' ? 'side-by-side' : 'guided';
  return (
    <p className="hint" aria-label="Stepping schedule">
      Placement: <strong>{schedule.placement.placement}</strong>
      <span className="reason"> · {schedule.placement.why}</span>
      <br />
      Stepping: guided <strong>{schedule.guided.stepping}</strong>, side-by-side{' '}
      <strong>{schedule.sideBySide.stepping}</strong>
      <span className="reason"> · {describe(schedule)}</span>
      {tuned ? (
        <span className="reason" aria-label="Stepping during runs">
          {' '}
          · during the last run ({kindName}): <strong>{tuned.stepping}</strong>
          {tuned.switches > 0 ? ` — ${tuned.why}` : `, kept after ${tuned.probes} probe${tuned.probes === 1 ? '' : 's'} of other orders`}
        </span>
      ) : null}
    </p>
  );
}

function describe(s: TrioSchedule): string {
  return s.guided.why === s.sideBySide.why ? s.guided.why : `${s.guided.why}; ${s.sideBySide.why}`;
}
