/** Writes from the settings controls and the question box. */
import { patch, useApp, type Settings } from './store';

export function setSetting<K extends keyof Settings>(key: K, value: Settings[K]): void {
  patch('settings', { [key]: value } as Partial<Settings>);
  // What Run refused may be fixed now (e.g. a mode that no longer needs a stopped model).
  if (useApp.getState().run.formError) patch('run', { formError: null });
}

export function setQuestion(question: string): void {
  useApp.setState({ question });
  if (useApp.getState().run.formError) patch('run', { formError: null });
}
