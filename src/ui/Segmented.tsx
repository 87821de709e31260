/** A row of radio buttons under a legend: the app's segmented control for one setting. */
export interface SegmentOption<T extends string> {
  value: T;
  label: string;
  /** Shown on hover: what the choice means. */
  title?: string;
}

export function Segmented<T extends string>(props: {
  legend: string;
  /** The radio group's name (unique on the page). */
  name: string;
  options: readonly SegmentOption<T>[];
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
  title?: string;
}) {
  const { legend, name, options, value, onChange, disabled = false, title } = props;
  return (
    <fieldset className="segmented" disabled={disabled} title={title}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} title={o.title}>
          <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
