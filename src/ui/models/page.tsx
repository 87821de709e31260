/**
 * The model manager as a page of its own (/src/ui/models/page.html): load a trio from any sources,
 * watch it download, manage stored models. `window.proxyThinker` drives the same coordinator, so
 * a trio loaded here can be run from the console or a test.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { automation } from '../../client/automation';
import { registerServiceWorker } from '../../client/model-cache';
import { ModelsPanel } from './ModelsPanel';
import '../styles/base.css';
import './models.css';

window.proxyThinker = automation;
registerServiceWorker();

const root = document.getElementById('root');
if (!root) throw new Error('page.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <main className="ptm-page">
      <h1>Models</h1>
      <p className="ptm-hint">
        Models come from a hub repo (or a mirror of the hub), a folder on this server, or a folder on your
        computer (read in the browser, never uploaded). Downloads stay in browser storage and work offline.{' '}
        <a href="/">Back to the app</a>
      </p>
      <ModelsPanel />
    </main>
  </StrictMode>,
);
