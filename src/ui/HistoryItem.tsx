import { MODE_LABELS, STREAM_ORDER, streamTitle, type HistoryEntry } from '../core/history';
import { RESOLUTION_LABELS } from '../core/runVision';
import { exportEntry, openEntry, removeEntry } from '../state/historyActions';
import { useApp } from '../state/store';
import { formatAlpha, formatDate } from './format';

/** One saved run: thumbnail, question, settings, and what can be done with it. */
export function HistoryItem({ entry }: { entry: HistoryEntry }) {
  const active = useApp((s) => s.run.source.kind === 'history' && s.run.source.entry.id === entry.id);
  const running = useApp((s) => s.run.status !== 'idle');
  const streams = STREAM_ORDER.filter((n) => entry.outputs[n]);
  return (
    <li className={`history-item${active ? ' history-item--active' : ''}`} data-entry-id={entry.id}>
      {entry.image ? (
        <img
          className="history-item__thumb"
          src={entry.image.thumbnail}
          alt={`Input image ${entry.image.name}`}
        />
      ) : (
        <span className="history-item__thumb history-item__thumb--none">no image</span>
      )}
      <div className="history-item__body">
        <p className="history-item__question">{entry.question || '(no question)'}</p>
        <p className="hint">
          {formatDate(entry.createdAt)} · {MODE_LABELS[entry.settings.mode]} · α{' '}
          {formatAlpha(entry.settings.alpha)}
          {entry.alphaChanges.length > 0 && ' (changed live)'} ·{' '}
          {RESOLUTION_LABELS[entry.settings.resolution]}
          {entry.vision?.escalation && ' (escalated)'} ·{' '}
          {streams
            .map((n) => `${streamTitle(n, entry.settings.mode)} ${entry.outputs[n]?.tokenCount ?? 0} tokens`)
            .join(', ')}
        </p>
      </div>
      <div className="history-item__actions">
        <button
          type="button"
          className="button button--small"
          disabled={running}
          onClick={() => void openEntry(entry.id)}
        >
          Open
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={() => void exportEntry(entry.id, 'json')}
        >
          Export JSON
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={() => void exportEntry(entry.id, 'md')}
        >
          Export Markdown
        </button>
        <button
          type="button"
          className="button button--small button--danger-quiet"
          onClick={() => void removeEntry(entry.id)}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
