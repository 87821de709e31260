import 'katex/dist/katex.min.css';
import { memo, useDeferredValue } from 'react';
import Markdown, { type Components } from 'react-markdown';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';

/**
 * Model output as Markdown with KaTeX math. Raw HTML in the text is shown as text (no rehype-raw,
 * no dangerouslySetInnerHTML); images are never fetched, only named; links open in a new tab
 * without referrer or opener.
 */
const remarkPlugins = [remarkMath];
const rehypePlugins = [rehypeKatex];
const components: Components = {
  img: ({ alt, src }) => (
    <span className="md-image">
      [image{alt ? `: ${alt}` : ''}
      {typeof src === 'string' && src ? ` (${src})` : ''}]
    </span>
  ),
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

export const MarkdownView = memo(function MarkdownView({ text }: { text: string }) {
  // Parsing a long answer on every frame is wasteful; React may skip ahead to the latest text.
  const deferred = useDeferredValue(text);
  return (
    <div className="markdown">
      <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {deferred}
      </Markdown>
    </div>
  );
});
