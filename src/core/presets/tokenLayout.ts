import type { LoadedPreset } from './presetLoader';

/** Where each kind of token sits in a backbone's output sequence. */
export interface TokenLayout {
  /** patch grid (rows, cols) */
  grid: [number, number];
  classToken: boolean;
  /** register tokens (DINOv2 with registers), right after the class token, with no position embedding */
  registers: number;
  /** index of the first patch token: 1 + registers with a class token */
  patchStart: number;
  numTokens: number;
}

/** The token layout of a loaded preset, asked of its family (ViT: [CLS?] + patches; DINOv2: CLS + registers + patches). */
export function tokenLayout(preset: Pick<LoadedPreset, 'backbone' | 'dinov2'>): TokenLayout {
  if (preset.dinov2) {
    const g = Math.floor(preset.dinov2.imageShape[0] / preset.dinov2.patchSize);
    const R = preset.dinov2.numRegisterTokens;
    return { grid: [g, g], classToken: true, registers: R, patchStart: 1 + R, numTokens: 1 + R + g * g };
  }
  const b = preset.backbone;
  const gh = Math.floor(b.imageShape[0] / b.patchSize[0]);
  const gw = Math.floor(b.imageShape[1] / b.patchSize[1]);
  const cls = b.useClassToken ? 1 : 0;
  return { grid: [gh, gw], classToken: b.useClassToken, registers: 0, patchStart: cls, numTokens: cls + gh * gw };
}
