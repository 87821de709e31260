/**
 * Allocation-free selection over a logit vector: argmax and top-k by partial selection.
 * NaN entries are never selected. Ties always resolve to the lowest id, so results are
 * deterministic regardless of scan order details.
 */

/** Index of the largest non-NaN logit in [0, vocab); ties → lowest id. Throws if there is none. */
export function argmax(logits: Float32Array, vocab: number): number {
  let best = -Infinity;
  let bestId = -1;
  for (let i = 0; i < vocab; i++) {
    const x = logits[i] ?? NaN;
    // `x > best` is false for NaN; the bestId < 0 arm admits a leading -Infinity.
    if (x > best || (bestId < 0 && x === x)) {
      best = x;
      bestId = i;
    }
  }
  if (bestId < 0) throw new Error(`argmax: no valid logit among ${vocab} entries (all NaN or empty)`);
  return bestId;
}

/** Descending by logit, then ascending by id. Candidates never hold NaN. */
export function byLogitDesc(logits: Float32Array): (a: number, b: number) => number {
  return (a, b) => (logits[b] ?? NaN) - (logits[a] ?? NaN) || a - b;
}

/** True when id `a` ranks below id `b` (smaller logit, or equal logit and larger id). */
function worse(logits: Float32Array, a: number, b: number): boolean {
  const la = logits[a] ?? NaN;
  const lb = logits[b] ?? NaN;
  return la < lb || (la === lb && a > b);
}

function siftDown(heap: Int32Array, n: number, logits: Float32Array, start: number): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    const r = l + 1;
    let w = l;
    if (r < n && worse(logits, heap[r] ?? 0, heap[l] ?? 0)) w = r;
    const hw = heap[w] ?? 0;
    const hi = heap[i] ?? 0;
    if (!worse(logits, hw, hi)) return;
    heap[w] = hi;
    heap[i] = hw;
    i = w;
  }
}

function siftUp(heap: Int32Array, logits: Float32Array, start: number): void {
  let i = start;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const hp = heap[p] ?? 0;
    const hi = heap[i] ?? 0;
    if (!worse(logits, hi, hp)) return;
    heap[p] = hi;
    heap[i] = hp;
    i = p;
  }
}

/**
 * Writes the ids of the k best non-NaN logits in [0, vocab) into out[0..n), sorted
 * descending (ties → lower id first), and returns n = min(k, #non-NaN).
 * A bounded min-heap whose root is the worst kept id: one O(V) scan where almost every
 * entry is rejected by a single compare with the root, then k·log k to sort.
 */
export function selectTopK(logits: Float32Array, vocab: number, k: number, out: Int32Array): number {
  const cap = Math.min(k, vocab);
  if (cap <= 0) return 0;
  if (out.length < cap) throw new Error(`selectTopK: scratch holds ${out.length} ids, need ${cap}`);
  let n = 0;
  let i = 0;
  for (; i < vocab && n < cap; i++) {
    const x = logits[i] ?? NaN;
    if (x !== x) continue;
    out[n] = i;
    siftUp(out, logits, n);
    n++;
  }
  if (n === cap) {
    let rootVal = logits[out[0] ?? 0] ?? NaN;
    for (; i < vocab; i++) {
      const x = logits[i] ?? NaN;
      // Equal logits lose: i is larger than every id already kept. NaN fails the compare.
      if (x > rootVal) {
        out[0] = i;
        siftDown(out, cap, logits, 0);
        rootVal = logits[out[0] ?? 0] ?? NaN;
      }
    }
  }
  out.subarray(0, n).sort(byLogitDesc(logits));
  return n;
}
