import { useMemo } from 'react';
import { rolesOfStream } from '../core/plan';
import type { StreamName } from '../core/protocol';
import { RESOLUTION_LABELS, visionSummary } from '../core/runVision';
import { useApp } from '../state/store';

/** The image size(s) and visual tokens this pane's stream saw, e.g. "112×112 → 224×224, 16 + 64 visual tokens". */
export function PaneVision({ stream }: { stream: StreamName }) {
  const resolution = useApp((s) => s.run.view.resolution);
  const image = useApp((s) => s.run.view.imageSize);
  const visualTokens = useApp((s) => s.run.view.visualTokens);
  const escalation = useApp((s) => s.run.view.escalation);
  const mode = useApp((s) => s.run.viewMode ?? s.settings.mode);
  const text = useMemo(
    () =>
      resolution === null
        ? null
        : visionSummary(
            { resolution, image, visualTokens: visualTokens ?? {}, escalation },
            stream,
            rolesOfStream(mode, stream),
          ),
    [resolution, image, visualTokens, escalation, mode, stream],
  );
  if (resolution === null || text === null) return null;
  return (
    <p className="pane__vision hint" data-testid={`vision-${stream}`} data-resolution={resolution}>
      {RESOLUTION_LABELS[resolution]}: {text}
    </p>
  );
}
