import './styles/base.css';
import { refreshHistory } from '../state/historyActions';
import { HistoryPanel } from './HistoryPanel';
import { OutputPanes } from './OutputPanes';
import { RunToolbar } from './RunToolbar';
import { SavedRunBanner } from './SavedRunBanner';
import { Sidebar } from './Sidebar';
import { TokenInspector } from './TokenInspector';
import { TopBar } from './TopBar';
import { useKeyboardShortcuts, usePasteAndDropImages } from './useGlobalInput';
import { useApp } from '../state/store';
import { refreshSavedEvals } from '../state/evalActions';
import { EvalView } from './eval/EvalView';
import { ViewTabs } from './ViewTabs';

// The saved runs and evaluations are read once, when the page starts.
void refreshHistory();
void refreshSavedEvals();

export function App() {
  useKeyboardShortcuts();
  usePasteAndDropImages();
  const view = useApp((s) => s.ui.view);
  return (
    <div className="app">
      <a className="skip-link" href="#output">
        Skip to the output
      </a>
      <TopBar />
      <div className="workspace">
        <Sidebar />
        <main className="main" id="output" tabIndex={-1}>
          <ViewTabs />
          {view === 'run' ? (
            <div className="run-view" id="view-run" role="tabpanel" aria-labelledby="tab-run">
              <RunToolbar />
              <SavedRunBanner />
              <OutputPanes />
              <TokenInspector />
              <HistoryPanel />
            </div>
          ) : (
            <EvalView />
          )}
        </main>
      </div>
    </div>
  );
}
