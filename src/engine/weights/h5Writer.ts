import type * as H5 from 'h5wasm/node';
import { loadH5wasm } from './h5wasmModule';
import { withFsErrors } from '../../core/fsErrors';
import { UserError } from '../../core/userError';
import type { WeightArray } from './h5Reader';

/** One group of a Keras weights file: `<path>/vars` with a `name` attribute and datasets "0", "1", … */
export interface KerasVarsGroup {
  /** Path of the layer, e.g. `layers/vi_t_encoder/layer_norm` ("" for the root object). */
  path: string;
  /** Layer name stored as the `vars` group's `name` attribute (informational). */
  name: string;
  vars: WeightArray[];
}

/**
 * Writes a Keras 3 `.weights.h5` file (saving_lib H5IOStore layout). Refuses to overwrite an existing file unless
 * `overwrite` is set, so a user's file is never replaced by accident.
 */
export async function writeKerasWeights(file: string, groups: KerasVarsGroup[], opts: { overwrite?: boolean } = {}): Promise<void> {
  const h5wasm = await loadH5wasm();
  const { closeSync, existsSync, openSync } = await import('node:fs');
  if (existsSync(file) && !opts.overwrite) throw new UserError('E_FILE_EXISTS', `${file}: already exists; refusing to overwrite it.`, { file });
  // libhdf5 reports an unwritable path as "unable to create file": create it here first, so the error names the problem
  withFsErrors(file, 'the weights file', () => closeSync(openSync(file, 'w')), 'write');
  const h5 = new h5wasm.File(file, 'w');
  try {
    const ensure = (path: string): H5.Group => {
      const parts = path.split('/').filter(Boolean);
      let cur = '';
      let g: H5.Group = h5;
      for (const part of parts) {
        cur = cur ? `${cur}/${part}` : part;
        const existing = h5.get(cur);
        g = existing instanceof h5wasm.Group ? existing : h5.create_group(cur);
      }
      return g;
    };
    for (const grp of groups) {
      const varsPath = grp.path ? `${grp.path}/vars` : 'vars';
      const g = ensure(varsPath);
      g.create_attribute('name', grp.name);
      grp.vars.forEach((v, i) => {
        g.create_dataset({ name: String(i), data: v.data, shape: v.shape, dtype: '<f' });
      });
    }
  } finally {
    h5.close();
  }
}
