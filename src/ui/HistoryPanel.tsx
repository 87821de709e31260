import './styles/history.css';
import { exportAll, importHistory } from '../state/historyActions';
import { useApp } from '../state/store';
import { HistoryItem } from './HistoryItem';

/** Finished runs saved in this browser (IndexedDB). */
export function HistoryPanel() {
  const status = useApp((s) => s.history.status);
  const entries = useApp((s) => s.history.entries);
  const error = useApp((s) => s.history.error);
  const notice = useApp((s) => s.history.notice);
  return (
    <section className="panel history" aria-labelledby="history-heading">
      <div className="history__head">
        <h2 id="history-heading">History</h2>
        <span className="hint">
          {entries.length} saved run{entries.length === 1 ? '' : 's'} in this browser
        </span>
        <button
          type="button"
          className="button button--small"
          disabled={entries.length === 0}
          onClick={() => void exportAll()}
        >
          Export all (JSON)
        </button>
        <label className="button button--small">
          Import (JSON)
          <input
            type="file"
            accept="application/json,.json"
            className="visually-hidden"
            aria-label="Import history file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importHistory(file);
            }}
          />
        </label>
      </div>
      {notice && (
        <p className="hint" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      {status === 'loading' ? (
        <p className="hint">Reading saved runs…</p>
      ) : entries.length === 0 ? (
        <p className="hint">
          Every finished run is saved here with its image thumbnail, question, settings and outputs.
        </p>
      ) : (
        <ul className="history__list" aria-label="Saved runs">
          {entries.map((e) => (
            <HistoryItem key={e.id} entry={e} />
          ))}
        </ul>
      )}
    </section>
  );
}
