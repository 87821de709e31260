/**
 * Page-wide input: Ctrl/⌘+Enter runs, Esc stops, an image pasted or dropped anywhere becomes the
 * input. These effects only subscribe to events; the work starts in the handlers.
 */
import { useEffect } from 'react';
import { setImageFromBlob, setImageFromFiles } from '../state/imageActions';
import { startRun, stopRun } from '../state/runActions';
import { stopEval } from '../state/evalActions';
import { useApp } from '../state/store';

export function useKeyboardShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // In the Evaluate view Esc stops the evaluation; Ctrl+Enter (Run) belongs to the Run view.
      if (useApp.getState().ui.view === 'evaluate') {
        if (e.key === 'Escape' && !e.defaultPrevented) stopEval();
        return;
      }
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.repeat) {
        e.preventDefault();
        void startRun();
      } else if (e.key === 'Escape' && !e.defaultPrevented) {
        stopRun();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

export function usePasteAndDropImages(): void {
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
      if (!file) return; // plain text pastes go where they were meant to
      e.preventDefault();
      void setImageFromBlob(file, file.name || 'pasted image');
    };
    // A file dropped outside the drop zone would make the browser navigate away from the page.
    const onDragOver = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      if (e.defaultPrevented || !hasFiles(e)) return;
      e.preventDefault();
      setImageFromFiles(e.dataTransfer?.files, 'drop');
    };
    window.addEventListener('paste', onPaste);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}
