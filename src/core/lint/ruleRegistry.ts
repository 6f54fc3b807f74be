import type { LintRule } from './lintTypes';
import { doubleNormalization } from './rules/doubleNormalization';
import { inputShapeMismatch } from './rules/inputShapeMismatch';
import { labelHeadMismatch } from './rules/labelHeadMismatch';
import { logitsLossMismatch } from './rules/logitsLossMismatch';
import { missingNumClasses } from './rules/missingNumClasses';
import { missingPreprocessing } from './rules/missingPreprocessing';
import { presetFlavor } from './rules/presetFlavor';
import { tokenOutputMisuse } from './rules/tokenOutputMisuse';
import { unfrozenBackboneHighLr } from './rules/unfrozenBackboneHighLr';
import { unknownKerasHubApi } from './rules/unknownKerasHubApi';

/** Every rule, in code order (explicit list: no side-effect registration). */
export const RULES: readonly LintRule[] = [
  missingPreprocessing,
  doubleNormalization,
  tokenOutputMisuse,
  inputShapeMismatch,
  logitsLossMismatch,
  labelHeadMismatch,
  unfrozenBackboneHighLr,
  unknownKerasHubApi,
  presetFlavor,
  missingNumClasses,
];

export function findRule(codeOrName: string): LintRule | undefined {
  return RULES.find((r) => r.code === codeOrName.toUpperCase() || r.name === codeOrName);
}
