import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface FixtureTensor {
  shape: number[];
  data: unknown[];
}

/** Folder of the Keras Hub reference fixtures inside the repository (test/fixtures/keras-vit; see its README for provenance). */
export const FIXTURES_ROOT = resolve(process.cwd(), 'test', 'fixtures', 'keras-vit');

export function fixturesRoot(): string {
  if (!existsSync(FIXTURES_ROOT)) throw new Error(`Keras reference fixtures not found at ${FIXTURES_ROOT}: run the tests from the repository root.`);
  return FIXTURES_ROOT;
}

export function listFixtures(): string[] {
  const root = fixturesRoot();
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'expected.json')))
    .sort();
}

export function readExpected(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixturesRoot(), name, 'expected.json'), 'utf8')) as Record<string, unknown>;
}

export function flatten(values: unknown): number[] {
  const out: number[] = [];
  const rec = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(rec);
    else out.push(Number(v));
  };
  rec(values);
  return out;
}

/** Largest |a - b| and where it is; NaN anywhere counts as infinite. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): { max: number; at: number } {
  if (actual.length !== expected.length) return { max: Infinity, at: -1 };
  let max = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    const dd = Number.isNaN(d) ? Infinity : d;
    if (dd > max) {
      max = dd;
      at = i;
    }
  }
  return { max, at };
}
