/** A labelled one-line text input of the model forms. */
export interface TextFieldProps {
  label: string;
  /** The accessible name (the visible label alone is ambiguous when three models are on screen). */
  ariaLabel: string;
  value: string;
  placeholder?: string;
  onChange: (value: string) => void;
}

export function TextField({ label, ariaLabel, value, placeholder, onChange }: TextFieldProps) {
  return (
    <label className="ptm-field">
      <span>{label}</span>
      <input
        type="text"
        aria-label={ariaLabel}
        value={value}
        {...(placeholder !== undefined ? { placeholder } : {})}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
