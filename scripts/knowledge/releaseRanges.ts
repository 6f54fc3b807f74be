import type { FactReleases } from '../../src/core/presets/kerasHubKnowledgeTypes';

/**
 * The releases a fact holds for, from the ordered list of versions read (oldest first, "main" last when read) and the
 * versions where the fact was found: the spans it holds over, the first version, the version that dropped it, and a
 * phrase ("since 0.22.0", "0.18.0–0.21.1; removed in 0.22.0", "only on main (after 0.31.1)").
 */
export function releasesOf(order: readonly string[], present: ReadonlySet<string>): FactReleases {
  const held: [string, string][] = [];
  let start: string | null = null;
  order.forEach((v, i) => {
    if (present.has(v) && start === null) start = v;
    if (start !== null && (!present.has(order[i + 1] ?? '\u0000') || i === order.length - 1)) {
      held.push([start, v]);
      start = null;
    }
  });
  if (held.length === 0) throw new Error('releasesOf: the fact is present in no version read');
  const since = (held[0] as [string, string])[0];
  const last = (held[held.length - 1] as [string, string])[1];
  const lastIdx = order.indexOf(last);
  const removedIn = lastIdx < order.length - 1 ? order[lastIdx + 1] : undefined;
  return { held, since, ...(removedIn ? { removedIn } : {}), history: phrase(order, held, removedIn) };
}

function phrase(order: readonly string[], held: [string, string][], removedIn: string | undefined): string {
  const oldest = order[0] as string;
  const newest = order[order.length - 1] as string;
  const span = ([a, b]: [string, string]): string => (a === b ? a : `${a}–${b}`);
  if (held.length === 1) {
    const [a, b] = held[0] as [string, string];
    if (a === 'main') return `only on main (after ${order[order.length - 2] ?? 'no release read'})`;
    if (b === newest) return a === oldest ? `in every version read (since ${a} or earlier)` : `since ${a}`;
    return `${span([a, b])}; removed in ${removedIn}`;
  }
  return `${held.map(span).join(', ')}${removedIn ? `; removed in ${removedIn}` : ''}`;
}
