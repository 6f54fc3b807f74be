import { UserError } from '../../core/userError';
import type { WeightArray } from './h5Reader';

/**
 * Every dataset path of a weights file, the float ones and those of an unsupported dtype (int8, strings): finding a
 * layer by its datasets must see both, so that an int8 kernel is reported as int8 (by `get`), not as missing.
 */
export function allWeightPaths(map: Map<string, WeightArray> & { unsupported?: Map<string, string> }): string[] {
  return [...map.keys(), ...(map.unsupported?.keys() ?? [])];
}

/**
 * Reads named datasets of a Keras weights file with the shape config.json implies; every problem is a UserError that
 * names the file, the dataset and what it is. Records what was used, so that leftovers can be reported.
 */
export class KerasWeightReader {
  private readonly used = new Set<string>();
  constructor(private readonly file: string, private readonly map: Map<string, WeightArray> & { unsupported?: Map<string, string> }) {}

  get(path: string, shape: number[], what: string): WeightArray {
    const w = this.map.get(path);
    const dtype = this.map.unsupported?.get(path);
    if (!w && dtype) {
      throw new UserError('E_WEIGHTS_DTYPE', `${this.file}: dataset "${path}" (${what}) is stored as ${dtype}; weights must be float32, float64, float16 or bfloat16.`, {
        file: this.file,
        hint: 'Quantized or otherwise converted weights are not supported: use the float preset, or save the model again with save_to_preset().',
      });
    }
    if (!w) {
      throw new UserError('E_WEIGHTS_MISMATCH', `${this.file}: missing variable "${path}" (${what}, expected shape [${shape.join(', ')}]).`, {
        file: this.file,
        hint: 'The weights do not belong to this config.json: download the preset again, or check that config.json and model.weights.h5 come from the same save_to_preset() call.',
      });
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (w.shape.join(',') !== shape.join(',') || w.data.length !== size) {
      throw new UserError(
        'E_WEIGHTS_MISMATCH',
        `${this.file}: "${path}" (${what}) has shape [${w.shape.join(', ')}] but config.json implies [${shape.join(', ')}].`,
        { file: this.file, hint: 'config.json and the weights disagree: they come from different models or the config was edited.' },
      );
    }
    this.used.add(path);
    return w;
  }

  optional(path: string, shape: number[], what: string, present: boolean): WeightArray | null {
    if (!present) {
      if (this.map.has(path)) {
        throw new UserError('E_WEIGHTS_MISMATCH', `${this.file}: unexpected variable "${path}" (${what}); config.json says it does not exist.`, { file: this.file });
      }
      return null;
    }
    return this.get(path, shape, what);
  }

  reshaped(path: string, shape: number[], as: number[], what: string, present = true): WeightArray | null {
    const w = this.optional(path, shape, what, present);
    return w ? { shape: as, data: w.data } : null;
  }

  unused(): string[] {
    return [...this.map.keys()].filter((k) => !this.used.has(k));
  }
}

