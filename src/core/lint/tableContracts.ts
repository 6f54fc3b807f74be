import type { KerasValue } from './kerasValues';

/** The input contract of every preset a value may load: its own, or the one all entries of its table share (else null). */
export function valueContract(v: KerasValue): string | null {
  if (!v.table) return v.family?.contract ?? null;
  // an entry the knowledge does not list (a name only guessed by its prefix), or entries that disagree: no contract
  const contracts = v.table.entries.map((e) => (e.facts?.known ? (e.family?.contract ?? null) : null));
  const first = contracts[0] ?? null;
  return first !== null && contracts.every((c) => c === first) ? first : null;
}

/** What the value's presets expect, as text (`(x / 255 - ImageNet mean) / ImageNet std, range ≈ [-2.12, 2.64]`). */
export function valueContractText(v: KerasValue): string {
  const one = (f: KerasValue['facts'], family: KerasValue['family']): string => (f?.formula ? `${f.formula}, range ${f.range}` : family ? `${family.formula}, range ${family.range}` : 'its converter');
  if (!v.table) return one(v.facts, v.family);
  const texts = [...new Set(v.table.entries.map((e) => one(e.facts, e.family)))];
  return texts.length === 1 ? texts[0]! : texts.join('; or ');
}

/** The preset named in a finding: the preset, `every preset in TABLE (a, b, … n presets)`, or the class. */
export function valueSubject(v: KerasValue): string {
  if (!v.table) return v.preset ?? v.className;
  const names = v.table.entries.map((e) => e.preset ?? '?');
  return `every preset in ${v.table.name} (${names.length > 3 ? `${names.slice(0, 3).join(', ')}, … ${names.length} presets` : names.join(', ')})`;
}
