import { MODE_LABELS } from '../core/history';
import { RESOLUTION_LABELS } from '../core/runVision';
import { useApp } from '../state/store';
import { formatAlpha, formatDate } from './format';

/** Says that the panes show a saved run, and what it asked. */
export function SavedRunBanner() {
  const source = useApp((s) => s.run.source);
  if (source.kind !== 'history') return null;
  const e = source.entry;
  return (
    <div className="saved-banner" role="note" aria-label="Saved run">
      {e.image && (
        <img src={e.image.thumbnail} alt={`Input image ${e.image.name}`} className="saved-banner__thumb" />
      )}
      <div>
        <p className="saved-banner__title">Saved run from {formatDate(e.createdAt)}</p>
        <p className="saved-banner__question">{e.question}</p>
        <p className="hint">
          {MODE_LABELS[e.settings.mode]} · α {formatAlpha(e.settings.alpha)} ·{' '}
          <span data-testid="saved-resolution">{RESOLUTION_LABELS[e.settings.resolution]}</span> ·{' '}
          {e.settings.trioLabel || e.settings.presetId}
          {e.settings.backend && ` · ${e.settings.backend}`}
        </p>
      </div>
    </div>
  );
}
