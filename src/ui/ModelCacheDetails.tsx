import { useState } from 'react';
import { useApp } from '../state/store';
import { CacheManager } from './models';

/** The models kept in browser storage, their sizes, delete, quota — read only while it is open. */
export function ModelCacheDetails() {
  const [open, setOpen] = useState(false);
  const loading = useApp((s) => s.load.status === 'loading');
  // A finished load changes what is stored: re-read the list then.
  const loadedKey = useApp((s) => `${s.load.status}:${s.load.loaded?.label ?? ''}`);
  return (
    <details className="cache-details" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Models in browser storage</summary>
      {open && <CacheManager refreshKey={loadedKey} busy={loading} />}
    </details>
  );
}
