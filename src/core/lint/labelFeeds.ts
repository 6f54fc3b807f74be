import type { SyntaxNode as Node } from './syntaxNode';
import { EVALUATION_METHODS, TRAINING_METHODS, type FlowModel, type ModelFlow } from './modelFlow';
import { mergeRanges, rangesContain, type RangeSet } from './rangeSet';


/** Where a node sits among the labelled data of a model: on its training data, only on validation/evaluation data, or neither. */
export type LabelRole = 'training' | 'evaluation' | null;

export interface LabelFeeds {
  roleOf(node: Node): LabelRole;
}

/**
 * The data whose labels a model's loss sees (predict reads no labels): the x of fit (training) and the validation_data of fit and the x of
 * evaluate (evaluation), each followed back through the file like any feed.
 */
export function labelFeedsOf(flow: ModelFlow, target: FlowModel): LabelFeeds {
  const training: Node[] = [];
  const evaluation: Node[] = [];
  for (const f of flow.feeds()) {
    if (f.target !== target) continue;
    if (TRAINING_METHODS.has(f.method)) {
      if (f.data) training.push(f.data);
      const validation = f.call.kwargs.get('validation_data');
      if (validation) evaluation.push(validation);
    } else if (EVALUATION_METHODS.has(f.method) && f.data) evaluation.push(f.data);
  }
  let trainSet: RangeSet | null = null;
  let evalSet: RangeSet | null = null;
  const inside = (set: RangeSet, node: Node): boolean => rangesContain(set, node.startIndex, node.endIndex);
  return {
    roleOf(node) {
      trainSet ??= mergeRanges(training.length ? flow.slice(training).ranges : []);
      if (inside(trainSet, node)) return 'training';
      evalSet ??= mergeRanges(evaluation.length ? flow.slice(evaluation).ranges : []);
      return inside(evalSet, node) ? 'evaluation' : null;
    },
  };
}
