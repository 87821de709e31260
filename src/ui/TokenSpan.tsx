import { memo } from 'react';
import { guidanceFlipped, guidanceShift, strengthLevel } from '../core/guidance';
import type { StreamName } from '../core/protocol';
import type { AlphaMarker, TokenRecord } from '../core/runRecord';
import { flowingTokenText } from '../core/tokenText';
import { formatAlpha } from './format';

export const tokenElementId = (stream: StreamName, index: number) => `tok-${stream}-${index}`;

interface Props {
  token: TokenRecord;
  stream: StreamName;
  selected: boolean;
  colour: boolean;
  marker: AlphaMarker | undefined;
}

/** One token of the token view. Re-renders only when its own props change. */
export const TokenSpan = memo(function TokenSpan({ token, stream, selected, colour, marker }: Props) {
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
    </span>
  );
});
