/** Per-channel summary of a batch of pixels. */
export interface ChannelStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  nonFinite: number;
}

export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}
