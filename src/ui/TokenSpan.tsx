import { memo } from 'react';
import { guidanceFlipped, guidanceShift, strengthLevel } from '../core/guidance';
import type { StreamName } from '../core/protocol';
import type { AlphaMarker, TokenRecord } from '../core/runRecord';
import { escalationLabel, type Escalation } from '../core/runVision';
import { flowingTokenText } from '../core/tokenText';
import { formatAlpha } from './format';

export const tokenElementId = (stream: StreamName, index: number) => `tok-${stream}-${index}`;

interface Props {
  token: TokenRecord;
  stream: StreamName;
  selected: boolean;
  colour: boolean;
  marker: AlphaMarker | undefined;
  /** Set on the token after which the stream saw the full-resolution image. */
  escalation: Escalation | undefined;
}

/** One token of the token view. Re-renders only when its own props change. */
export const TokenSpan = memo(function TokenSpan({
  token,
  stream,
  selected,
  colour,
  marker,
  escalation,
}: Props) {
  const inspect = token.inspect;
  const flipped = inspect ? guidanceFlipped(inspect) : false;
  const level = colour && inspect ? strengthLevel(guidanceShift(inspect, token.id).shift) : 0;
  const classes = ['tok'];
  if (flipped) classes.push('tok--flipped');
  if (colour && inspect) classes.push(`tok--s${level}`);
  if (selected) classes.push('tok--selected');
  if (token.text === '') classes.push('tok--empty');
  return (
    <span
      id={tokenElementId(stream, token.index)}
      role="option"
      aria-selected={selected}
      className={classes.join(' ')}
      data-index={token.index}
      data-token-id={token.id}
      data-alpha={token.alpha}
    >
      {marker && (
        <span className="alpha-mark" data-from-index={marker.fromIndex}>
          α {formatAlpha(marker.from)}→{formatAlpha(marker.to)}
        </span>
      )}
      {token.text === '' ? '∅' : flowingTokenText(token.text)}
      {flipped && <span className="visually-hidden"> (guidance changed the base model&rsquo;s choice)</span>}
      {escalation && (
        // Inside an option only text reaches assistive technology: the label is hidden text, the badge decoration.
        <span
          className="escalation-mark"
          data-at-index={escalation.atIndex}
          title={escalationLabel(escalation)}
        >
          <span aria-hidden="true">
            image {escalation.image.low.join('×')}→{escalation.image.full.join('×')}
          </span>
          <span className="visually-hidden"> ({escalationLabel(escalation)})</span>
        </span>
      )}
    </span>
  );
});
