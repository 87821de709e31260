/**
 * What a run's models saw of its image (VisionThink): the resolution setting, the image size and
 * visual tokens of the prompt, and the one escalation to the full image. Shared by the live view,
 * the saved history (with the check applied to whatever storage hands back) and the panes' text.
 */
import { MODEL_ROLES, type ModelRole } from './presets';
import type { Resolution, StreamName } from './protocol';

export const RESOLUTIONS: readonly Resolution[] = ['full', 'smart', 'low'];

export const RESOLUTION_LABELS: Readonly<Record<Resolution, string>> = {
  full: 'Full resolution',
  smart: 'Smart resolution',
  low: 'Low resolution only',
};

/** One line each, for the control and the docs. */
export const RESOLUTION_HINTS: Readonly<Record<Resolution, string>> = {
  full: 'The image as given (the default).',
  smart: 'Half-size image first; the model may ask for the full one once (VisionThink).',
  low: 'Half-size image only: ¼ of the visual tokens, never escalates.',
};

export type Size = [number, number];

export interface Escalation {
  stream: StreamName;
  /** Index of the stream's token that closed the resize_image call; later tokens saw the full image. */
  atIndex: number;
  image: { low: Size; full: Size };
  visualTokens: Partial<Record<ModelRole, { low: number; full: number }>>;
}

export interface RunVision {
  resolution: Resolution;
  /** The image size the prompt was encoded at (half size for smart and low); null without an image. */
  image: Size | null;
  /** Visual tokens each model encoded for the prompt's image. */
  visualTokens: Partial<Record<ModelRole, number>>;
  escalation: Escalation | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;

export function parseResolution(v: unknown): Resolution | null {
  return RESOLUTIONS.find((r) => r === v) ?? null;
}

function parseSize(v: unknown): Size | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const w = count(v[0]);
  const h = count(v[1]);
  return w !== null && h !== null ? [w, h] : null;
}

function parseEscalation(v: unknown): Escalation | null {
  if (!isObj(v) || !isObj(v.image)) return null;
  const stream = (['base', 'guided', 'expert'] as const).find((s) => s === v.stream);
  const atIndex = count(v.atIndex);
  const low = parseSize(v.image.low);
  const full = parseSize(v.image.full);
  if (!stream || atIndex === null || !low || !full) return null;
  const visualTokens: Escalation['visualTokens'] = {};
  const vt = isObj(v.visualTokens) ? v.visualTokens : {};
  for (const r of MODEL_ROLES) {
    const t = vt[r];
    if (!isObj(t)) continue;
    const l = count(t.low);
    const f = count(t.full);
    if (l !== null && f !== null) visualTokens[r] = { low: l, full: f };
  }
  return { stream, atIndex, image: { low, full }, visualTokens };
}

/** A saved run's vision record, or null when it has none (runs saved before it was recorded). */
export function parseRunVision(v: unknown): RunVision | null {
  if (!isObj(v)) return null;
  const resolution = parseResolution(v.resolution);
  if (!resolution) return null;
  const visualTokens: RunVision['visualTokens'] = {};
  if (isObj(v.visualTokens))
    for (const r of MODEL_ROLES) {
      const n = count(v.visualTokens[r]);
      if (n !== null) visualTokens[r] = n;
    }
  return { resolution, image: parseSize(v.image), visualTokens, escalation: parseEscalation(v.escalation) };
}

const sizeText = (s: Size) => `${s[0]}×${s[1]}`;

/** "16" when every model agrees, else "base 16, expert 9". Null when no model reported any. */
function tokensText(roles: readonly ModelRole[], of: (r: ModelRole) => string | null): string | null {
  const parts = roles.flatMap((r) => {
    const t = of(r);
    return t === null ? [] : [{ r, t }];
  });
  if (parts.length === 0) return null;
  if (parts.every((p) => p.t === parts[0]?.t)) return parts[0]?.t ?? null;
  return parts.map((p) => `${p.r} ${p.t}`).join(', ');
}

/**
 * What one pane's stream saw, e.g. "image 112×112 (16 visual tokens)", or after its escalation
 * "112×112 → 224×224, 16 + 64 visual tokens". `roles`: the models that feed the stream.
 */
export function visionSummary(
  vision: RunVision,
  stream: StreamName,
  roles: readonly ModelRole[],
): string | null {
  if (!vision.image) return null;
  const esc = vision.escalation?.stream === stream ? vision.escalation : null;
  if (esc) {
    const t = tokensText(roles, (r) => {
      const v = esc.visualTokens[r];
      return v ? `${v.low} + ${v.full}` : null;
    });
    return `${sizeText(esc.image.low)} → ${sizeText(esc.image.full)}${t ? `, ${t} visual tokens` : ''}`;
  }
  const t = tokensText(roles, (r) => {
    const n = vision.visualTokens[r];
    return n === undefined ? null : String(n);
  });
  return `image ${sizeText(vision.image)}${t ? ` (${t} visual tokens)` : ''}`;
}

/** The accessible text of the escalation marker in the token view. */
export function escalationLabel(esc: Escalation): string {
  return `Switched to the full-resolution image at token ${esc.atIndex} (${sizeText(esc.image.low)} → ${sizeText(esc.image.full)})`;
}
