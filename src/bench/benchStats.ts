/** The middle value of the timings (the upper one of the two middles for an even count), as every bench table prints it. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}
