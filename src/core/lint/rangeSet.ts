/** Sorted, disjoint extents of source text: built once from overlapping ranges, asked by binary search. */
export interface RangeSet {
  starts: number[];
  ends: number[];
}

/** Sorted, disjoint extents covering the given ones. */
export function mergeRanges(ranges: { start: number; end: number }[]): RangeSet {
  // slices list most extents in source order: copy and sort only when they are not
  let inOrder = true;
  for (let i = 1; i < ranges.length && inOrder; i++) inOrder = ranges[i - 1]!.start <= ranges[i]!.start;
  const sorted = inOrder ? ranges : [...ranges].sort((a, b) => a.start - b.start);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const r of sorted) {
    const last = ends.length - 1;
    if (last >= 0 && r.start <= ends[last]!) ends[last] = Math.max(ends[last]!, r.end);
    else {
      starts.push(r.start);
      ends.push(r.end);
    }
  }
  return { starts, ends };
}

/** Whether [start, end) lies inside one of the merged extents (binary search). */
export function rangesContain(m: RangeSet, start: number, end: number): boolean {
  let lo = 0;
  let hi = m.starts.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (m.starts[mid]! <= start) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at >= 0 && end <= m.ends[at]!;
}
