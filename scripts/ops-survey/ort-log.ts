/**
 * Reads onnxruntime's verbose session-creation log (as the page's console receives it): where each node
 * was placed, and which graph transformers changed the graph (fusions, inserted casts).
 */
export interface Placement {
  /** Nodes per execution provider, e.g. { WebGpuExecutionProvider: 3, CPUExecutionProvider: 1 }. */
  counts: Record<string, number>;
  /** Op types placed on each provider, when onnxruntime listed them (only if nodes were split). */
  ops: Record<string, string[]>;
}

export interface SessionLog {
  placement: Placement | null;
  /** Graph transformers that reported a change, in order, without repeats. */
  transformers: string[];
}

const ALL = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const SOME = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
/** A node line: indented on its own, or after a log prefix ("…VerifyEachNodeIsAssignedToAnEp]   Slice (/Slice_6)"). */
const NODE = /(?:^|\]) {2,}([A-Za-z][\w.]*) \((.*)\)\s*$/;
const MODIFIED = /GraphTransformer (\w+) modified: 1\b/;

export function parseSessionLog(lines: string[]): SessionLog {
  let placement: Placement | null = null;
  let current: string | null = null;
  const transformers: string[] = [];
  for (const raw of lines.flatMap((l) => l.split('\n'))) {
    const line = raw.replace(/^(log|info|warn|error|debug): /, '');
    const all = ALL.exec(line);
    if (all?.[1] && all[2]) {
      placement = { counts: { [all[1]]: Number(all[2]) }, ops: {} };
      current = null;
      continue;
    }
    const some = SOME.exec(line);
    if (some?.[1] && some[2]) {
      placement ??= { counts: {}, ops: {} };
      placement.counts[some[1]] = Number(some[2]);
      placement.ops[some[1]] = [];
      current = some[1];
      continue;
    }
    const node = NODE.exec(line);
    if (node?.[1] && current && placement) {
      placement.ops[current]?.push(node[1]);
      continue;
    }
    current = null;
    const mod = MODIFIED.exec(line);
    if (mod?.[1] && !transformers.includes(mod[1])) transformers.push(mod[1]);
  }
  return { placement, transformers };
}
