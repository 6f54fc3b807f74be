import type { PythonModel } from './pythonModel';
import { mergeRanges, type RangeSet } from './rangeSet';

// loaders whose first argument is a file path (or an open file): what computes it names a file, never pixels
const PATH_LOADERS = /^(cv2\.imread|keras\.(utils|preprocessing\.image)\.load_img|(tf|tensorflow)\.io\.read_file|(tf|tensorflow)\.io\.gfile\.GFile|PIL\.Image\.open|matplotlib\.pyplot\.imread|matplotlib\.image\.imread)$/;
const PATH_KEYWORDS = ['path', 'filename', 'fp', 'fname', 'name'];
// a generator's flow_from_directory/flow_from_dataframe: its pixels come from the generator it is called on; the
// arguments name files (a directory, a data frame of file names) and labels (`classes=`, often read from another
// generator's class_indices), never pixels
const FILE_FLOWS = /\.flow_from_(directory|dataframe)$/;
// a generator's or dataset's label names and file names (`gen.class_indices`, `ds.class_names`, `gen.filenames`)
const NAME_ATTRIBUTES = /\b[A-Za-z_][\w.]*\.(class_indices|class_names|filenames)\b/g;

/**
 * The extents of the path arguments of known image loaders (`cv2.imread(p)`, `load_img(p)`, `tf.io.read_file(p)`,
 * `Image.open(p)`): a name read there brings a file name, not pixels, so it is not followed on a pixel chain (an imported
 * lister like imutils' `paths.list_images(d)` does not make the chain unknown). The arguments of a generator's
 * `flow_from_directory`/`flow_from_dataframe` (directory, data frame of file names, `classes=` label names) are not
 * followed either, nor a generator's or dataset's `class_indices`/`class_names`/`filenames`: a plot-only generator
 * whose `class_indices` name the classes does not feed its pixels to the model.
 */
export function pathArgumentExtents(model: PythonModel): RangeSet {
  const out: { start: number; end: number }[] = [];
  for (const c of model.calls) {
    if (!PATH_LOADERS.test(c.callee ?? '')) continue;
    const path = c.args[0] ?? PATH_KEYWORDS.map((k) => c.kwargs.get(k)).find((n) => !!n) ?? null;
    if (path) out.push({ start: path.startIndex, end: path.endIndex });
  }
  for (const c of model.calls) {
    const args = FILE_FLOWS.test(c.fnText) ? c.node.childForFieldName('arguments') : null;
    if (args) out.push({ start: args.startIndex, end: args.endIndex });
  }
  for (const m of model.src.text.matchAll(NAME_ATTRIBUTES)) out.push({ start: m.index, end: m.index + m[0].length });
  return mergeRanges(out);
}
