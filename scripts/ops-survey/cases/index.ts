/** Every survey case, in report order. */
import type { SurveyCase } from '../case';
import { activationCases } from './activation';
import { attentionCases } from './attention';
import { blockCases } from './block';
import { fp16Cases } from './fp16';
import { gatherCases } from './gather';
import { matmulCases } from './matmul';
import { normCases } from './norm';
import { rotaryCases } from './rotary';

/** Case factories by group; building a group's data takes a moment, so only selected groups are built. */
export const CASE_GROUPS: Record<string, () => SurveyCase[]> = {
  matmul: matmulCases,
  gather: gatherCases,
  norm: normCases,
  rotary: rotaryCases,
  attention: attentionCases,
  activation: activationCases,
  fp16: fp16Cases,
  block: blockCases,
};

export function allCases(groups: string[] = Object.keys(CASE_GROUPS)): SurveyCase[] {
  return groups.flatMap((g) => {
    const make = CASE_GROUPS[g];
    if (!make) throw new Error(`unknown case group "${g}" (groups: ${Object.keys(CASE_GROUPS).join(', ')})`);
    return make();
  });
}
