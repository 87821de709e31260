import type { CustomTrio } from './trio-store';

export interface SavedTrioSelectProps {
  saved: CustomTrio[];
  /** The picked trio's id, '' for none. */
  savedId: string;
  /** A trio was picked (`trio` undefined for the empty choice). */
  onPick: (id: string, trio: CustomTrio | undefined) => void;
  onDelete: () => void;
}

/** The saved custom trios to pick from, and deleting the picked one. */
export function SavedTrioSelect({ saved, savedId, onPick, onDelete }: SavedTrioSelectProps) {
  return (
    <div className="ptm-row">
      <label className="ptm-field">
        <span>Saved trios</span>
        <select
          value={savedId}
          onChange={(e) =>
            onPick(
              e.target.value,
              saved.find((s) => s.id === e.target.value),
            )
          }
        >
          <option value="">—</option>
          {saved.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {savedId && (
        <button type="button" className="button button--small button--danger-quiet" onClick={onDelete}>
          Delete saved trio
        </button>
      )}
    </div>
  );
}
