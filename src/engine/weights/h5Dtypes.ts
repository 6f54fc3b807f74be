/**
 * Widening of the half-precision formats Keras saves variables in: IEEE float16 (an HDF5 float of 2 bytes, which
 * h5wasm cannot return as a typed array) and bfloat16 (Keras' H5IOStore writes ml_dtypes.bfloat16 arrays as 2-byte
 * opaque or integer datasets with the attribute dtype="bfloat16").
 */

/** The HDF5 type facts h5wasm reports for a dataset (`Dataset.metadata`). */
export interface H5TypeInfo {
  /** H5T class: 0 integer, 1 float, 3 string, 5 opaque, ... */
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
}

/** How a dataset's values become float32, or why they cannot. */
export type WeightEncoding = 'float32' | 'float64' | 'float16' | 'bfloat16' | { unsupported: string };

const CLASS_NAMES: Record<number, string> = { 0: 'int', 1: 'float', 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'vlen', 10: 'array' };

/** A readable dtype name, as numpy would print it (int8, uint16, float16, string, ...). */
export function describeH5Type(t: H5TypeInfo): string {
  if (t.type === 0) return `${t.signed ? 'int' : 'uint'}${t.size * 8}`;
  if (t.type === 1) return `float${t.size * 8}`;
  return `${CLASS_NAMES[t.type] ?? `class ${t.type}`}${t.type === 5 || t.type === 3 ? ` (${t.size} bytes)` : ''}`;
}

export function weightEncoding(t: H5TypeInfo, dtypeAttr: unknown): WeightEncoding {
  if (dtypeAttr === 'bfloat16' && t.size === 2 && (t.type === 5 || t.type === 0)) return 'bfloat16';
  if (t.type === 1 && t.size === 4) return 'float32';
  if (t.type === 1 && t.size === 8) return 'float64';
  if (t.type === 1 && t.size === 2) return 'float16';
  return { unsupported: describeH5Type(t) };
}

function u16(bytes: Uint8Array, i: number, littleEndian: boolean): number {
  const a = bytes[2 * i] as number;
  const b = bytes[2 * i + 1] as number;
  return littleEndian ? a | (b << 8) : (a << 8) | b;
}

/** IEEE 754 half → float32 (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Raw 2-byte values (float16 or bfloat16) widened to float32. bfloat16 is the top half of a float32. */
export function widenHalf(bytes: Uint8Array, encoding: 'float16' | 'bfloat16', littleEndian: boolean): Float32Array {
  const n = bytes.length >> 1;
  const out = new Float32Array(n);
  if (encoding === 'bfloat16') {
    const bits = new Uint32Array(out.buffer);
    // ml_dtypes writes native (little-endian) uint16 values into an opaque type that carries no byte order
    for (let i = 0; i < n; i++) bits[i] = u16(bytes, i, true) << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(u16(bytes, i, littleEndian));
  }
  return out;
}
