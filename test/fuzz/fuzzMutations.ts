import { seededRandom } from '../../src/core/seededRandom';

/** A seeded source of choices for the fuzz cases (same seed, same cases). */
export class Dice {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = seededRandom(seed);
  }
  float(): number {
    return this.r();
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
}

/** Byte-level damage: truncation, bit flips, zeroed or duplicated ranges, random bytes inserted. */
export function mutateBytes(d: Dice, b: Buffer): { bytes: Buffer; what: string } {
  const kind = d.pick(['truncate', 'flip', 'zero', 'duplicate', 'insert', 'empty'] as const);
  const at = d.int(Math.max(1, b.length));
  switch (kind) {
    case 'truncate':
      return { bytes: b.subarray(0, at), what: `truncated to ${at} bytes` };
    case 'flip': {
      const out = Buffer.from(b);
      const n = 1 + d.int(16);
      for (let i = 0; i < n; i++) {
        const p = d.int(out.length);
        out[p] = (out[p] as number) ^ (1 << d.int(8));
      }
      return { bytes: out, what: `${n} bits flipped` };
    }
    case 'zero': {
      const out = Buffer.from(b);
      const len = 1 + d.int(512);
      out.fill(0, at, Math.min(out.length, at + len));
      return { bytes: out, what: `${len} bytes zeroed at ${at}` };
    }
    case 'duplicate': {
      const len = 1 + d.int(256);
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]), what: `${len} bytes duplicated at ${at}` };
    }
    case 'insert':
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + d.int(64) }, () => d.int(256))), b.subarray(at)]), what: `random bytes inserted at ${at}` };
    case 'empty':
      return { bytes: Buffer.alloc(0), what: 'emptied' };
  }
}

const ODD_VALUES: unknown[] = [null, -1, 0, 1, 3, 7, 1e9, -1e-9, 0.5, '', 'bicubic', 'float16', true, false, [], [0], [1, 2], [0, 0, 0], [224, 224], [225, 224, 3], [16, 3], {}, { a: 1 }, 'NaN-token', 'Infinity-token'];

/** Edits a Keras JSON file: a key deleted, a key set to an odd value, the text truncated or replaced. */
export function mutateJson(d: Dice, text: string): { text: string; what: string } {
  const kind = d.pick(['delete', 'set', 'set', 'set', 'truncate', 'garbage', 'wrap'] as const);
  if (kind === 'truncate') {
    const at = d.int(text.length);
    return { text: text.slice(0, at), what: `truncated at ${at}` };
  }
  if (kind === 'garbage') return { text: d.pick(['', 'null', '[]', '"x"', '{', 'version https://git-lfs.github.com/spec/v1\n', '<html>404</html>']), what: 'replaced' };
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text, what: 'unchanged (not JSON)' };
  }
  if (kind === 'wrap') return { text: JSON.stringify({ class_name: 'ViTBackbone', config: obj }), what: 'wrapped' };
  // collect every (object, key) pair
  const slots: [Record<string, unknown>, string, string][] = [];
  const walk = (o: unknown, path: string): void => {
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) {
        slots.push([o as Record<string, unknown>, k, `${path}.${k}`]);
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(obj, '');
  if (!slots.length) return { text, what: 'unchanged' };
  const [o, k, path] = d.pick(slots);
  if (kind === 'delete') {
    delete o[k];
    return { text: JSON.stringify(obj), what: `deleted ${path}` };
  }
  const v = d.pick(ODD_VALUES);
  o[k] = v;
  let out = JSON.stringify(obj, null, 1);
  // Python's json writes NaN / Infinity as bare tokens
  out = out.replace('"NaN-token"', 'NaN').replace('"Infinity-token"', 'Infinity');
  return { text: out, what: `set ${path} = ${JSON.stringify(v)}` };
}

const PY_SNIPPETS = ['\0', '\r', '\r\n', '(', ')', '[', '"""', "'", '\\', '    ', '\t', 'def ', 'class ', ':', '\u00e9', '\ud83d\ude00', '\ufeff', 'from_preset(', '/ 255.0', '.fit(', '\n' + ' '.repeat(200)];

/** Edits Python source: snippets inserted, lines deleted or duplicated, bytes damaged. */
export function mutatePython(d: Dice, text: string): { bytes: Buffer; what: string } {
  const kind = d.pick(['snippet', 'snippet', 'lines', 'bytes', 'nest'] as const);
  if (kind === 'bytes') return mutateBytes(d, Buffer.from(text));
  if (kind === 'nest') {
    const depth = 1 + d.int(3000);
    return { bytes: Buffer.from(`${text}\nx = ${'['.repeat(depth)}${']'.repeat(d.int(depth + 1))}\n`), what: `${depth} nested brackets` };
  }
  const lines = text.split('\n');
  if (kind === 'lines') {
    const i = d.int(lines.length);
    if (d.float() < 0.5) lines.splice(i, 1 + d.int(5));
    else lines.splice(i, 0, ...lines.slice(i, i + 1 + d.int(5)));
    return { bytes: Buffer.from(lines.join('\n')), what: `lines edited at ${i + 1}` };
  }
  let out = text;
  const n = 1 + d.int(6);
  for (let k = 0; k < n; k++) {
    const at = d.int(out.length + 1);
    out = out.slice(0, at) + d.pick(PY_SNIPPETS) + out.slice(at);
  }
  return { bytes: Buffer.from(out), what: `${n} snippets inserted` };
}
