/**
 * Architecture facts of the upstream checkpoints Keras Hub presets are converted from, which keras-hub's sources do not
 * state (dinov2_presets.py gives names, counts and handles; the conversion scripts copy the rest from the upstream
 * config.json at conversion time). It complements the one hand-kept table, scripts/knowledge/reviewedFacts.json
 * (image size, patch, statistics; generated into kerasHubKnowledge.ts), keyed the same way: by the `upstream`
 * checkpoint a conversion script's PRESET_MAP names, so the two can be merged once the generator carries these fields.
 * Every row names its source; `test/unit/core/presets/presetFactsReviewed.test.ts` checks that each row reproduces
 * keras-hub's published parameter count exactly.
 */
export interface ArchitectureFacts {
  /** Size word of the family (small, base, …). */
  size: string;
  hiddenDim: number;
  numLayers: number;
  numHeads: number;
  intermediateDim: number;
  registers: number;
  swiglu: boolean;
  /** antialias_in_interpolation the conversion gives the backbone (position-table resize). */
  antialias: boolean;
}

export interface ArchitectureRow {
  upstream: string;
  facts: ArchitectureFacts;
  source: string;
}

const hf = (id: string, keys: string): string => `https://huggingface.co/${id}/blob/main/config.json (${keys})`;
const PLAIN = 'keras_hub/src/utils/transformers/convert_dinov2.py @71453d0: model_type "dinov2" → num_register_tokens 0, antialias_in_interpolation false';
const REGS = 'convert_dinov2.py @71453d0: model_type "dinov2_with_registers" → antialias_in_interpolation true';
const DIMS = 'hidden_size, num_hidden_layers, num_attention_heads, mlp_ratio 4, use_swiglu_ffn';
const STD_HEADS = 'num_attention_heads: the standard DINOv2 value, not seen in a stored config (does not change the parameter count)';

export const ARCHITECTURE_FACTS: readonly ArchitectureRow[] = [
  { upstream: 'facebook/dinov2-small', facts: { size: 'small', hiddenDim: 384, numLayers: 12, numHeads: 6, intermediateDim: 1536, registers: 0, swiglu: false, antialias: false }, source: `${hf('facebook/dinov2-small', DIMS)}; ${STD_HEADS}; ${PLAIN}` },
  { upstream: 'facebook/dinov2-base', facts: { size: 'base', hiddenDim: 768, numLayers: 12, numHeads: 12, intermediateDim: 3072, registers: 0, swiglu: false, antialias: false }, source: `${hf('facebook/dinov2-base', DIMS)}; ${PLAIN}` },
  { upstream: 'facebook/dinov2-large', facts: { size: 'large', hiddenDim: 1024, numLayers: 24, numHeads: 16, intermediateDim: 4096, registers: 0, swiglu: false, antialias: false }, source: `${hf('facebook/dinov2-large', DIMS)}; ${STD_HEADS}; ${PLAIN}` },
  { upstream: 'facebook/dinov2-giant', facts: { size: 'giant', hiddenDim: 1536, numLayers: 40, numHeads: 24, intermediateDim: 6144, registers: 0, swiglu: true, antialias: false }, source: `${hf('facebook/dinov2-giant', DIMS)}; ${PLAIN}` },
  { upstream: 'facebook/dinov2-with-registers-small', facts: { size: 'small', hiddenDim: 384, numLayers: 12, numHeads: 6, intermediateDim: 1536, registers: 4, swiglu: false, antialias: true }, source: `${hf('facebook/dinov2-with-registers-small', `${DIMS}, num_register_tokens 4`)}; ${STD_HEADS}; ${REGS}` },
  { upstream: 'facebook/dinov2-with-registers-base', facts: { size: 'base', hiddenDim: 768, numLayers: 12, numHeads: 12, intermediateDim: 3072, registers: 4, swiglu: false, antialias: true }, source: `${hf('facebook/dinov2-with-registers-base', `${DIMS}, num_register_tokens 4`)}; ${REGS}` },
  { upstream: 'facebook/dinov2-with-registers-large', facts: { size: 'large', hiddenDim: 1024, numLayers: 24, numHeads: 16, intermediateDim: 4096, registers: 4, swiglu: false, antialias: true }, source: `${hf('facebook/dinov2-with-registers-large', `${DIMS}, num_register_tokens 4`)}; ${STD_HEADS}; ${REGS}` },
  { upstream: 'facebook/dinov2-with-registers-giant', facts: { size: 'giant', hiddenDim: 1536, numLayers: 40, numHeads: 24, intermediateDim: 6144, registers: 4, swiglu: true, antialias: true }, source: `${hf('facebook/dinov2-with-registers-giant', `${DIMS}, num_register_tokens 4`)}; ${REGS}` },
];

export function architectureFacts(upstream: string | undefined): ArchitectureRow | undefined {
  return upstream ? ARCHITECTURE_FACTS.find((r) => r.upstream === upstream) : undefined;
}
