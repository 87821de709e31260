import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { automation } from './client/automation';
import { registerServiceWorker } from './client/model-cache';
import { keepSettings, restoreSettings } from './state/settingsStorage';

// The same engine the UI drives, for the CLI, the benchmark and end-to-end tests.
window.proxyThinker = automation;
// The settings and question as the user left them; changes are stored as they happen.
restoreSettings();
keepSettings();
// The PWA's service worker: after one visit the app (and its cached models) works offline.
registerServiceWorker();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
