import type { SyntaxNode as Node } from './syntaxNode';
import type { CallInfo, PythonModel } from './pythonModel';
import { restoresOf } from './scaleUndone';

/** `tf.image.convert_image_dtype`: from an integer type to a float type it divides by the type's maximum (uint8: 255). */
export const CONVERT_IMAGE_DTYPE = /^(tensorflow|tf)\.image\.convert_image_dtype$/;
/** TensorFlow's image decoders: uint8 tensors (uint16 for a 16-bit PNG asked for), unless a float dtype is asked for. */
const TF_DECODERS = /^(tensorflow|tf)\.(io|image)\.decode_(jpeg|png|bmp|gif|webp|image)$/;
/** Calls that keep their first argument's dtype (flips, crops, reshapes, OpenCV colour conversions and resizes). */
const DTYPE_KEEPING = /^(tensorflow|tf)\.(image\.(flip_left_right|flip_up_down|random_flip_left_right|random_flip_up_down|rot90|central_crop|random_crop|crop_to_bounding_box|resize_with_crop_or_pad|rgb_to_bgr|grayscale_to_rgb)|expand_dims|reshape|squeeze|transpose|identity)$|^cv2\.(cvtColor|resize|flip)$|^(numpy|np)\.(expand_dims|squeeze|transpose|flip|fliplr)$/;
const FLOAT_TYPE = /(^|\.)(float16|float32|float64|bfloat16|half|single|double)$/;
const INT_TYPE = /(^|\.)(uint8|uint16|int8|int16|int32|int64|uint32)$/;

/** Whether a dtype argument names an integer type (`tf.uint8`, `np.uint8`, `"uint8"`); false when unknown. */
function integerType(model: PythonModel, n: Node | null | undefined): boolean {
  if (!n) return false;
  return INT_TYPE.test(model.stringValue(n) ?? n.text);
}

/** Whether a dtype argument names a float type (`tf.float32`, `"float32"`); false when unknown. */
function floatType(model: PythonModel, n: Node | null | undefined): boolean {
  if (!n) return false;
  return FLOAT_TYPE.test(model.stringValue(n) ?? n.text);
}

/**
 * Whether an expression is known, from this file, to hold integer pixels: a TensorFlow decoder's output, a cast to an
 * integer type (`tf.cast(x, tf.uint8)`, `x.astype(np.uint8)`, `np.array(x, dtype="uint8")`), cv2.imread, followed
 * through names and dtype-keeping calls. False when the file does not tell (a dataset element, a parameter).
 */
export function holdsIntegerPixels(model: PythonModel, expr: Node | null, depth = 0): boolean {
  if (!expr || depth > 8) return false;
  const r = model.resolve(expr);
  if (!r) return false;
  if (r.type === 'subscript') return holdsIntegerPixels(model, r.childForFieldName('value'), depth + 1);
  const c = r.type === 'call' ? model.callAt(r) : undefined;
  if (!c) return false;
  const callee = c.callee ?? '';
  if (TF_DECODERS.test(callee)) return !floatType(model, c.kwargs.get('dtype'));
  if (/^cv2\.imread$/.test(callee)) return true;
  if (/^(tensorflow|tf)\.(cast|dtypes\.cast|image\.convert_image_dtype)$/.test(callee)) return integerType(model, c.kwargs.get('dtype') ?? c.args[1]);
  if (/^(numpy|np)\.(array|asarray)$/.test(callee)) return integerType(model, c.kwargs.get('dtype') ?? c.args[1]);
  if (/^(numpy|np)\.(uint8|uint16)$/.test(callee)) return true;
  if (c.fn?.type === 'attribute' && c.fn.childForFieldName('attribute')?.text === 'astype') return integerType(model, c.kwargs.get('dtype') ?? c.args[0]);
  if (DTYPE_KEEPING.test(callee)) return holdsIntegerPixels(model, c.args[0] ?? null, depth + 1);
  return false;
}

/**
 * `tf.image.convert_image_dtype(x, tf.float32)` on pixels known to be integers: TensorFlow divides by 255 (the integer
 * type's maximum), so the result is in [0, 1] like `x / 255`. False for float input (the values are kept: 0–255 stays
 * 0–255) and when the input's dtype is not known from the file.
 */
export function scalesIntegerPixels(model: PythonModel, c: CallInfo): boolean {
  if (!CONVERT_IMAGE_DTYPE.test(c.callee ?? '')) return false;
  const dtype = c.kwargs.get('dtype') ?? c.args[1];
  return floatType(model, dtype) && holdsIntegerPixels(model, c.kwargs.get('image') ?? c.args[0] ?? null);
}

/**
 * Whether the file takes [0, 1] pixels back to 0–255 somewhere (`x * 255`, `255.0 * x`, `x *= 255`) outside code that
 * only shows them: which data it restores is not followed, so convert_image_dtype's implicit / 255 is not judged there
 * (`preprocess_input(image * 255)` after convert_image_dtype is right).
 */
export function restoresPixelRange(model: PythonModel, shown: (n: Node) => boolean): boolean {
  return restoresOf(model).some((r) => (r.form === 'operator' ? !shown(r.node) : r.form === 'augmented'));
}
