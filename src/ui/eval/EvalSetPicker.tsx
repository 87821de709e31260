import { useId } from 'react';
import { describeProblem } from '../../core/eval/dataset';
import { openFolderSet, openUrlSet, setEvalForm } from '../../state/evalActions';
import { DEMO_SET_URL } from '../../state/evalSlice';
import { useApp } from '../../state/store';

const FORMAT_LABELS: Record<string, string> = {
  proxythinker: 'JSONL',
  mathvista: 'MathVista',
  mathverse: 'MathVerse',
  mathvision: 'MathVision',
  mmstar: 'MMStar-style',
};

let lastFolder: File[] = [];

/** The demo set, a set on a server (its URL), or a folder with the JSONL and its images. */
export function EvalSetPicker() {
  const set = useApp((s) => s.eval.set);
  const status = useApp((s) => s.eval.setStatus);
  const error = useApp((s) => s.eval.setError);
  const url = useApp((s) => s.eval.form.url);
  const choices = useApp((s) => s.eval.setChoices);
  const busy = useApp((s) => s.eval.status !== 'idle') || status === 'loading';
  const id = useId();
  return (
    <div className="stack">
      <div className="row">
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => void openUrlSet(DEMO_SET_URL)}
        >
          Demo set
        </button>
        <span className="hint">
          12 generated pictures (bar charts, dots, geometry, colours) with known answers.
        </span>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void openUrlSet(url);
        }}
      >
        <label className="field eval-url">
          <span className="label">Set URL or server path</span>
          <input
            type="text"
            value={url}
            placeholder="/eval/demo/demo.jsonl"
            onChange={(e) => setEvalForm({ url: e.currentTarget.value })}
          />
        </label>
        <button type="submit" className="button" disabled={busy || !url.trim()}>
          Open URL
        </button>
      </form>
      <div className="row">
        <label className="button button--file" htmlFor={id}>
          Choose set folder…
        </label>
        <input
          id={id}
          className="visually-hidden"
          type="file"
          multiple
          aria-label="Set folder (the JSONL and its images)"
          disabled={busy}
          ref={(el) => {
            if (el) el.webkitdirectory = true;
          }}
          onChange={(e) => {
            const files = e.currentTarget.files;
            if (files && files.length) {
              lastFolder = Array.from(files);
              void openFolderSet(lastFolder);
            }
          }}
        />
        {choices.length > 1 && (
          <label className="field">
            <span className="label">Set file</span>
            <select
              value={set?.origin.kind === 'folder' ? set.origin.file : ''}
              disabled={busy}
              onChange={(e) => void openFolderSet(lastFolder, e.currentTarget.value)}
            >
              {choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="hint">Read from disk, not uploaded.</span>
      </div>
      {status === 'loading' && <p className="hint">Reading the set and checking its images…</p>}
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      {set && (
        <div className="eval-set" data-testid="eval-set">
          <p>
            <strong>{set.name}</strong> ({FORMAT_LABELS[set.format] ?? set.format}):{' '}
            <span data-testid="eval-set-valid">{set.items.length}</span> items
            {set.problems.length > 0 && (
              <>
                , <span data-testid="eval-set-skipped">{set.problems.length}</span> bad rows skipped
              </>
            )}
            .
          </p>
          {set.problems.length > 0 && (
            <details>
              <summary>Skipped rows</summary>
              <ul className="eval-problems" aria-label="Skipped rows">
                {set.problems.map((p) => (
                  <li key={`${p.line}-${p.message}`}>{describeProblem(p, set.unit)}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
}
