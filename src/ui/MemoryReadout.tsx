import { measureMemory } from '../state/modelActions';
import { useApp } from '../state/store';
import { formatBytes } from './format';

/** Memory used, as far as the browser reports it. */
export function MemoryReadout() {
  const memory = useApp((s) => s.load.memory);
  const loaded = useApp((s) => s.load.status === 'loaded');
  if (!loaded || !memory) return null;
  const rows: [string, number][] = [];
  if (memory.totalBytes !== null) rows.push(['Page + workers', memory.totalBytes]);
  for (const b of memory.breakdown) rows.push([`· ${b.label}`, b.bytes]);
  if (memory.pageHeapBytes !== null) rows.push(['Page JS heap', memory.pageHeapBytes]);
  return (
    <div className="memory">
      <h3>Memory</h3>
      {rows.length > 0 && (
        <dl className="facts">
          {rows.map(([label, bytes]) => (
            <div key={label} className="facts__row">
              <dt>{label}</dt>
              <dd>{formatBytes(bytes)}</dd>
            </div>
          ))}
        </dl>
      )}
      {memory.measuring && (
        <p className="hint">Measuring page and workers (the browser waits for a garbage collection)…</p>
      )}
      {memory.unsupported && <p className="hint">Not available: {memory.unsupported}.</p>}
      {!memory.measuring && (
        <button type="button" className="button button--small" onClick={() => void measureMemory()}>
          Measure again
        </button>
      )}
    </div>
  );
}
