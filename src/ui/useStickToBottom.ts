import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * Keeps a scroll container pinned to its end while content grows, unless the reader scrolled up.
 * Returns a ref callback for the container; `size` is anything that grows with the content.
 */
export function useStickToBottom(size: number): (el: HTMLDivElement | null) => void {
  const el = useRef<HTMLDivElement | null>(null);
  const pinned = useRef(true);
  const onScroll = useCallback(() => {
    const e = el.current;
    if (e) pinned.current = e.scrollHeight - e.scrollTop - e.clientHeight < 24;
  }, []);
  useLayoutEffect(() => {
    const e = el.current;
    if (e && pinned.current) e.scrollTop = e.scrollHeight;
  }, [size]);
  return useCallback(
    (node: HTMLDivElement | null) => {
      el.current?.removeEventListener('scroll', onScroll);
      el.current = node;
      node?.addEventListener('scroll', onScroll, { passive: true });
    },
    [onScroll],
  );
}
