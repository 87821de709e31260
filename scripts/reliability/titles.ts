/**
 * The fault suite's naming rule. A test is a fault case when its title reads
 *
 *   fault: <the fault> | sees: <what the user sees> | kept: <what is kept>
 *
 * and docs/reliability.md is made from those titles alone, so the table says what the tests check.
 */

export interface FaultTitle {
  fault: string;
  sees: string;
  kept: string;
}

export const FAULT_PREFIX = 'fault: ';
const FAULT_TITLE = /^fault: (.+?) \| sees: (.+?) \| kept: (.+)$/;

/** The parts of a fault title; null for a test that is not a fault case; throws on a malformed one. */
export function parseFaultTitle(title: string): FaultTitle | null {
  if (!title.startsWith(FAULT_PREFIX)) return null;
  const m = FAULT_TITLE.exec(title);
  if (!m || [m[1], m[2], m[3]].some((p) => !p?.trim() || p.includes(' | ')))
    throw new Error(`malformed fault test title (want "fault: … | sees: … | kept: …"): ${title}`);
  return { fault: (m[1] ?? '').trim(), sees: (m[2] ?? '').trim(), kept: (m[3] ?? '').trim() };
}
