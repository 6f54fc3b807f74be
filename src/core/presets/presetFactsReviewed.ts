import { KERAS_HUB_KNOWLEDGE } from './kerasHubKnowledge';
import type { ArchitectureFacts } from './kerasHubKnowledgeTypes';

/**
 * Architecture facts of the upstream checkpoints Keras Hub presets are converted from, which keras-hub's sources do not
 * state (dinov2_presets.py gives names, counts and handles; the conversion scripts copy the rest from the upstream
 * config.json at conversion time). They live in the one hand-kept table, scripts/knowledge/reviewedFacts.json (rows
 * keyed by the `upstream` checkpoint a conversion script's PRESET_MAP names, each with its source), and reach here
 * through the generated knowledge (`npm run kb:generate`). `test/unit/core/presets/presetFactsReviewed.test.ts` checks
 * that each row reproduces keras-hub's published parameter count exactly.
 */
export interface ArchitectureRow {
  upstream: string;
  facts: ArchitectureFacts;
  source: string;
}

export const ARCHITECTURE_FACTS: readonly ArchitectureRow[] = [
  ...new Map(
    KERAS_HUB_KNOWLEDGE.presets
      .filter((p) => p.upstream && p.architecture)
      .map((p): [string, ArchitectureRow] => [p.upstream as string, { upstream: p.upstream as string, facts: p.architecture as ArchitectureFacts, source: `scripts/knowledge/reviewedFacts.json: ${KERAS_HUB_KNOWLEDGE.reviewedSources[p.upstream as string] ?? ''}` }]),
  ).values(),
];

export function architectureFacts(upstream: string | undefined): ArchitectureRow | undefined {
  return upstream ? ARCHITECTURE_FACTS.find((r) => r.upstream === upstream) : undefined;
}
