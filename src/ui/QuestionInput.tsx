import { setQuestion } from '../state/settingsActions';
import { useApp } from '../state/store';

export function QuestionInput() {
  const question = useApp((s) => s.question);
  return (
    <div className="field">
      <label htmlFor="question">Question</label>
      <textarea
        id="question"
        rows={4}
        value={question}
        placeholder="Ask about the image, e.g. “Find x. Reason step by step.”"
        aria-describedby="question-hint"
        onChange={(e) => setQuestion(e.target.value)}
      />
      <p className="hint" id="question-hint">
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs · <kbd>Esc</kbd> stops
      </p>
    </div>
  );
}
