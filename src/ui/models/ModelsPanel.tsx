import { useEffect, useRef, useState } from 'react';
import { MODEL_ROLES, type ModelRole } from '../../core/presets';
import type { BackendChoice, LoadEvent, ModelInfo, ModelSpecifier } from '../../core/protocol';
import { coordinator } from '../../client/coordinator';
import type { TrioPlan } from '../../client/model-cache';
import { CacheManager } from './CacheManager';
import { CustomTrioPicker } from './CustomTrioPicker';
import { LoadProgress } from './LoadProgress';
import { BACKEND_OPTIONS } from '../backendOptions';
import { Segmented } from '../Segmented';
import './models.css';

export interface ModelsPanelProps {
  /** Initial backend (the panel has its own switch). */
  backend?: BackendChoice;
  /** Hears each successful load. */
  onLoaded?: (infos: ModelInfo[], models: ModelSpecifier[]) => void;
}

/**
 * Everything about models in one place, loading through the page's coordinator: a custom trio from
 * any sources with its download size, load progress with retry, and the model cache. Used by the
 * standalone model page (kept for the models-*.spec.ts tests and direct links); the main page's
 * Models section mounts the same parts over the app's store (src/ui/ModelsSection.tsx).
 */
export function ModelsPanel({ backend: initialBackend = 'auto', onLoaded }: ModelsPanelProps) {
  const [backend, setBackend] = useState<BackendChoice>(initialBackend);
  const [events, setEvents] = useState<LoadEvent[]>([]);
  const [plan, setPlan] = useState<TrioPlan | null>(null);
  const [status, setStatus] = useState<'idle' | 'loading' | 'loaded' | 'error'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [infos, setInfos] = useState<ModelInfo[]>([]);
  const [last, setLast] = useState<{ models: ModelSpecifier[]; label: string } | null>(null);
  const [refresh, setRefresh] = useState(0);
  const pending = useRef<LoadEvent[]>([]);
  const frame = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const load = (models: ModelSpecifier[], label: string) => {
    setLast({ models, label });
    setEvents([]);
    setError(null);
    setInfos([]);
    setStatus('loading');
    pending.current = [];
    const flush = () => {
      frame.current = null;
      const batch = pending.current;
      pending.current = [];
      if (batch.length) setEvents((es) => [...es, ...batch]);
    };
    coordinator()
      .loadTrio(models, { backend }, (e) => {
        pending.current.push(e);
        frame.current ??= requestAnimationFrame(flush);
      })
      .then(
        (loaded) => {
          flush();
          setInfos(loaded);
          setStatus('loaded');
          onLoaded?.(loaded, models);
        },
        (e: unknown) => {
          flush();
          setError(e instanceof Error ? e.message : String(e));
          setStatus('error');
        },
      )
      .finally(() => setRefresh((n) => n + 1));
  };

  const names = Object.fromEntries((last?.models ?? []).map((m) => [m.role, m.name])) as Partial<
    Record<ModelRole, string>
  >;
  return (
    <div className="ptm">
      <section aria-labelledby="ptm-trio-heading" className="ptm">
        <h2 id="ptm-trio-heading">Load a trio</h2>
        <Segmented legend="Backend" name="ptm-backend" options={BACKEND_OPTIONS} value={backend} disabled={status === 'loading'} onChange={setBackend} />
        <CustomTrioPicker backend={backend} disabled={status === 'loading'} onLoad={load} onPlan={setPlan} />
      </section>
      {status !== 'idle' && (
        <section aria-labelledby="ptm-progress-heading" className="ptm">
          <h2 id="ptm-progress-heading">Progress</h2>
          <p role="status" data-testid="load-status" data-status={status}>
            {status === 'loading'
              ? `Loading ${last?.label ?? ''}…`
              : status === 'loaded'
                ? `Loaded ${MODEL_ROLES.map((r) => infos.find((i) => i.role === r)?.name ?? r).join(', ')} (${infos[0]?.backend ?? ''})`
                : 'The trio did not load.'}
          </p>
          <LoadProgress
            events={events}
            plan={plan}
            names={names}
            error={error}
            {...(last ? { onRetry: () => load(last.models, last.label) } : {})}
          />
        </section>
      )}
      <section aria-labelledby="ptm-cache-heading" className="ptm">
        <h2 id="ptm-cache-heading">Models in browser storage</h2>
        <CacheManager refreshKey={refresh} busy={status === 'loading'} />
      </section>
    </div>
  );
}
