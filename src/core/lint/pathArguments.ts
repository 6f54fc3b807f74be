import type { PythonModel } from './pythonModel';
import { mergeRanges, type RangeSet } from './rangeSet';

// loaders whose first argument is a file path (or an open file): what computes it names a file, never pixels
const PATH_LOADERS = /^(cv2\.imread|keras\.(utils|preprocessing\.image)\.load_img|(tf|tensorflow)\.io\.read_file|(tf|tensorflow)\.io\.gfile\.GFile|PIL\.Image\.open|matplotlib\.pyplot\.imread|matplotlib\.image\.imread)$/;
const PATH_KEYWORDS = ['path', 'filename', 'fp', 'fname', 'name'];

/**
 * The extents of the path arguments of known image loaders (`cv2.imread(p)`, `load_img(p)`, `tf.io.read_file(p)`,
 * `Image.open(p)`): a name read there brings a file name, not pixels, so it is not followed on a pixel chain (an imported
 * lister like imutils' `paths.list_images(d)` does not make the chain unknown).
 */
export function pathArgumentExtents(model: PythonModel): RangeSet {
  const out: { start: number; end: number }[] = [];
  for (const c of model.calls) {
    if (!PATH_LOADERS.test(c.callee ?? '')) continue;
    const path = c.args[0] ?? PATH_KEYWORDS.map((k) => c.kwargs.get(k)).find((n) => !!n) ?? null;
    if (path) out.push({ start: path.startIndex, end: path.endIndex });
  }
  return mergeRanges(out);
}
