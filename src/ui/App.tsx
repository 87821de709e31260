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

// The saved runs are read once, when the page starts.
void refreshHistory();

export function App() {
  useKeyboardShortcuts();
  usePasteAndDropImages();
  return (
    <div className="app">
      <a className="skip-link" href="#output">
        Skip to the output
      </a>
      <TopBar />
      <div className="workspace">
        <Sidebar />
        <main className="main" id="output" tabIndex={-1}>
          <RunToolbar />
          <SavedRunBanner />
          <OutputPanes />
          <TokenInspector />
          <HistoryPanel />
        </main>
      </div>
    </div>
  );
}
