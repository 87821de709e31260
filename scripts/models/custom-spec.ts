/** A model spec from JSON (`npm run models -- --spec FILE`): only known keys, sizes validated. */
import { validateSpec, type ModelSpec, type TextSpec } from './spec';

const TOP_KEYS = new Set(['name', 'weightSeed', 'regularVocab', 'text', 'visionDim', 'visionBlocks', 'minPixels', 'maxPixels', 'logitBias', 'formats', 'description']);
const TEXT_KEYS = new Set(['hidden', 'layers', 'heads', 'kvHeads', 'headDim', 'intermediate', 'ropeTheta', 'mropeSection', 'vocabRows', 'logitScale']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new Error(`${where}: "${key}" must be a number`);
  return v;
}

export function parseCustomSpec(text: string, where: string): ModelSpec {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw)) throw new Error(`${where}: expected a JSON object`);
  const unknownTop = Object.keys(raw).filter((k) => !TOP_KEYS.has(k));
  if (unknownTop.length) throw new Error(`${where}: unknown option(s) ${unknownTop.join(', ')}; allowed: ${[...TOP_KEYS].join(', ')}`);
  const t = raw['text'];
  if (!isRecord(t)) throw new Error(`${where}: "text" must be an object`);
  const unknownText = Object.keys(t).filter((k) => !TEXT_KEYS.has(k));
  if (unknownText.length) throw new Error(`${where}: unknown text option(s) ${unknownText.join(', ')}; allowed: ${[...TEXT_KEYS].join(', ')}`);
  const section = t['mropeSection'];
  if (!Array.isArray(section) || section.length !== 3 || !section.every((x) => typeof x === 'number')) {
    throw new Error(`${where}: "text.mropeSection" must be three numbers`);
  }
  const text2: TextSpec = {
    hidden: num(t, 'hidden', where),
    layers: num(t, 'layers', where),
    heads: num(t, 'heads', where),
    kvHeads: num(t, 'kvHeads', where),
    headDim: num(t, 'headDim', where),
    intermediate: num(t, 'intermediate', where),
    ropeTheta: num(t, 'ropeTheta', where),
    mropeSection: [Number(section[0]), Number(section[1]), Number(section[2])],
    vocabRows: num(t, 'vocabRows', where),
    logitScale: num(t, 'logitScale', where),
  };
  const name = raw['name'];
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`${where}: "name" must be a folder-safe string`);
  const formats = raw['formats'] ?? ['fp32', 'q4'];
  if (!Array.isArray(formats) || !formats.every((f) => f === 'fp32' || f === 'q4')) {
    throw new Error(`${where}: "formats" must list "fp32" and/or "q4"`);
  }
  const blocks = raw['visionBlocks'];
  if (blocks !== undefined && !isRecord(blocks)) throw new Error(`${where}: "visionBlocks" must be an object`);
  const spec: ModelSpec = {
    name,
    weightSeed: num(raw, 'weightSeed', where),
    regularVocab: num(raw, 'regularVocab', where),
    text: text2,
    visionDim: num(raw, 'visionDim', where),
    ...(blocks
      ? {
          visionBlocks: {
            layers: num(blocks, 'layers', `${where} visionBlocks`),
            heads: num(blocks, 'heads', `${where} visionBlocks`),
            intermediate: num(blocks, 'intermediate', `${where} visionBlocks`),
          },
        }
      : {}),
    minPixels: num(raw, 'minPixels', where),
    maxPixels: num(raw, 'maxPixels', where),
    formats,
    description: typeof raw['description'] === 'string' ? raw['description'] : `custom model ${name}`,
  };
  validateSpec(spec);
  return spec;
}
