import type { StreamName } from '../core/protocol';
import { setPaneView } from '../state/inspectorActions';
import { useApp, type PaneView } from '../state/store';

const VIEWS: { value: PaneView; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'tokens', label: 'Tokens' },
];

/** Rendered Markdown, or one span per token for the inspector. */
export function PaneViewToggle({ stream, title }: { stream: StreamName; title: string }) {
  const view = useApp((s) => s.ui.paneView[stream]);
  return (
    <div className="toggle" role="group" aria-label={`${title} view`}>
      {VIEWS.map((v) => (
        <button
          key={v.value}
          type="button"
          aria-pressed={view === v.value}
          onClick={() => setPaneView(stream, v.value)}
        >
          {v.label}
        </button>
      ))}
    </div>
  );
}
