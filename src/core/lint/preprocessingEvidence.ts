import type { SyntaxNode as Node } from './syntaxNode';
import type { KerasValue, KerasValues } from './kerasValues';
import { ModelMembership } from './modelMembership';
import { imagenetUtilsKind, imagenetUtilsPartialKind, modeOfCall } from './imagenetUtilsMode';
import type { CallInfo, PythonModel } from './pythonModel';
import { restoresPixelRange, scalesIntegerPixels } from './integerPixels';
import { anchorAtApplication } from './statisticsApplication';

/** What a piece of hand-written preprocessing maps 0–255 pixels to. */
export type ManualKind =
  | 'div255' // x / 255, Rescaling(1/255): [0, 1]
  | 'minus1to1' // x / 127.5 - 1, Rescaling(1/127.5, offset=-1), tf-mode preprocess_input: [-1, 1]
  | 'imagenet' // (x/255 - ImageNet mean) / std, torch-mode preprocess_input
  | 'caffe' // BGR minus mean (keras.applications resnet50/vgg preprocess_input)
  | 'passthrough' // preprocess_input that returns its input (efficientnet, convnext)
  | 'zscore'; // (x - x.mean()) / x.std(), tf.image.per_image_standardization: the data's own statistics, mean 0 and std 1

export interface ManualStep {
  kind: ManualKind;
  node: Node;
  text: string;
  /** Other places of the same step: the constants a mean/std step applies, a / 255 it completes (statisticsApplication.ts). */
  parts?: StepPart[];
}

export interface StepPart {
  node: Node;
  role: 'statistics' | 'scaling';
}

export interface Evidence {
  /** Converters/preprocessors built in the file that are applied somewhere. */
  appliedConverters: KerasValue[];
  /** Converters/preprocessors built but never used. */
  unusedConverters: KerasValue[];
  /** Tasks trained with fit() while keeping their preprocessor. */
  tasksFittedWithPreprocessor: KerasValue[];
  manual: ManualStep[];
  /** Every hand-written step, before the ones that feed keras.applications or other models are set aside (the rules about keras.applications models attribute them by path). */
  allManual: ManualStep[];
  /** Preprocessing done by code outside this file (imported callables mapped over data): unknown, so stay silent. */
  unknown: Node[];
}

const near = (a: number | null, b: number, rel = 0.02): boolean => a !== null && Math.abs(a - b) <= rel * Math.abs(b);

const APPLICATION_MODES: Record<string, ManualKind> = {
  resnet50: 'caffe', resnet: 'caffe', vgg16: 'caffe', vgg19: 'caffe',
  densenet: 'imagenet',
  mobilenet: 'minus1to1', mobilenet_v2: 'minus1to1', inception_v3: 'minus1to1', xception: 'minus1to1', inception_resnet_v2: 'minus1to1', nasnet: 'minus1to1', resnet_v2: 'minus1to1',
  efficientnet: 'passthrough', efficientnet_v2: 'passthrough', convnext: 'passthrough', mobilenet_v3: 'passthrough', regnet: 'passthrough',
};

function preprocessInputMode(model: PythonModel, qualified: string, call?: CallInfo): ManualKind | null {
  const m = /^keras\.applications\.([a-z0-9_]+)\.preprocess_input$/.exec(qualified);
  if (!m) return null;
  if (m[1] === 'imagenet_utils') return imagenetUtilsKind(model, modeOfCall(call));
  return APPLICATION_MODES[m[1] as string] ?? null;
}

const IMAGENET_UTILS = /^keras\.applications\.imagenet_utils\.preprocess_input$/;

const PY_BUILTINS = new Set(['print', 'len', 'range', 'enumerate', 'zip', 'list', 'dict', 'tuple', 'set', 'int', 'float', 'str', 'bool', 'min', 'max', 'sum', 'abs', 'round', 'sorted', 'reversed', 'map', 'filter', 'isinstance', 'hasattr', 'getattr', 'setattr', 'open', 'iter', 'next', 'super', 'type', 'any', 'all', 'repr', 'format', 'vars', 'id', 'hash', 'callable', 'divmod', 'pow', 'slice', 'object', 'property', 'staticmethod', 'classmethod', 'input', 'exit', 'quit']);

// OpenCV by the function's own name: cv2.resize(x / 255.0, …) and cv2.cvtColor compute pixels, only its windows and
// drawing show them
const DISPLAY_CALLEE = /^(matplotlib\b|plt\.|PIL\.|seaborn\.|sns\.|IPython\.display|skimage\.io\.)|^cv2\.(putText|rectangle|circle|line|arrowedLine|drawContours|polylines|namedWindow)$|(^|\.)(imshow|imsave|imwrite|savefig|show|display|print|fromarray)$/;

const stripDigits = (s: string): string => s.toLowerCase().replace(/[_\d]/g, '');

/**
 * `keras.applications.xception.preprocess_input(...)` in a file that builds `keras.applications.Xception(...)`: that
 * model's own preprocessing, wherever the data then goes (a model zoo preparing each model's input).
 */
function belongsToApplicationModel(model: PythonModel, node: Node): boolean {
  const call = model.callAt(node);
  const m = /^keras\.applications\.([a-z0-9_]+)\.preprocess_input$/.exec(call?.callee ?? '');
  if (!m || m[1] === 'imagenet_utils') return false;
  const family = stripDigits(m[1] as string);
  return model.calls.some((c) => {
    const cls = /^keras\.applications\.(?:[a-z0-9_]+\.)?([A-Z][A-Za-z0-9]*)$/.exec(c.callee ?? '')?.[1];
    return !!cls && stripDigits(cls).startsWith(family);
  });
}

/** Evidence passed straight to another framework's model (`xception(preprocess_input(x))`): it is that model's input. */
function feedsOtherModel(model: PythonModel, node: Node): boolean {
  if (belongsToApplicationModel(model, node)) return true;
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      const made = model.callAt(model.resolve(fn));
      if (made && /^(keras\.applications\.|keras_cv\.models\.(?!.*Backbone\.from_preset))/.test(made.callee ?? '')) return true;
      if (n.childForFieldName('arguments') && fn?.type === 'identifier' && made) return false;
    }
    if (/statement$|^block$|^module$/.test(n.type)) return false;
  }
  return false;
}

/** Arithmetic that is an argument of a display call (`plt.imshow(images[0] / 255)`): for showing, not for the model. */
function insideDisplayCall(model: PythonModel, node: Node): boolean {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'call') {
      const callee = model.qualify(n.childForFieldName('function')) ?? n.childForFieldName('function')?.text ?? '';
      if (DISPLAY_CALLEE.test(callee)) return true;
      // print(model.predict(x)), print(model(x)): x is the model's input, only the model's output is shown
      if (callsModel(model, n)) return false;
    }
    if (/statement$|^block$|^module$/.test(n.type)) return false;
  }
  return false;
}

/** A Keras feed (`m.fit(…)`, `m.predict(…)`, `m.evaluate(…)`, `…_on_batch`, `…_generator`), by the method's own name. */
const FEED_METHOD = /^(fit|predict|evaluate)(_generator|_on_batch)?$|^(train|test)_on_batch$/;
/** What makes a model that can be called on data (`model(x)`). */
const MODEL_MAKER = /^(keras\.(applications\.|models\.|Model$|Sequential$|saving\.load_model$)|keras_hub\.models\.|keras_cv\.models\.|tensorflow_hub\.KerasLayer$)/;

/** Whether a call feeds data to a model: a feed method of any receiver, or a call of a Keras model built in the file. */
function callsModel(model: PythonModel, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'attribute' && FEED_METHOD.test(fn.childForFieldName('attribute')?.text ?? '')) return true;
  const made = fn?.type === 'identifier' || fn?.type === 'attribute' ? model.callAt(model.resolve(fn)) : null;
  return !!made && MODEL_MAKER.test(made.callee ?? '');
}

/** `name = <node>` when the node is the whole right-hand side of an assignment to a plain name. */
function assignedName(node: Node): { name: string; stmt: Node } | null {
  let n: Node = node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (p?.type !== 'assignment' || p.childForFieldName('right')?.id !== n.id) return null;
  const left = p.childForFieldName('left');
  return left?.type === 'identifier' ? { name: left.text, stmt: p } : null;
}

/** Later reads of the name an expression is assigned to, in the same function. */
function laterReads(model: PythonModel, node: Node): Node[] | null {
  const a = assignedName(node);
  return a ? readsAfter(model, a.name, a.stmt) : null;
}

/** Reads of `name` after a statement, in the same function. */
function readsAfter(model: PythonModel, name: string, stmt: Node): Node[] {
  const scope = model.scopes.scopeAt(stmt.startIndex);
  return model.references(name).filter((r) => r.startIndex >= stmt.endIndex && model.scopes.scopeAt(r.startIndex) === scope);
}

/** The expression only ends up on screen: inside plt.imshow(...), or assigned to a name that is only shown. */
function feedsDisplay(model: PythonModel, node: Node): boolean {
  if (insideDisplayCall(model, node)) return true;
  const reads = laterReads(model, node);
  return !!reads && reads.length > 0 && reads.every((r) => insideDisplayCall(model, r));
}

/** What the arithmetic around `node` turns a [0, 1] value into: "- 0.5) * 2", "* 2 - 1", "- 0.5) / 0.5", "- mean) / std". */
function completedBy(model: PythonModel, node: Node): ManualKind | null {
  // x -= 0.5 / x *= 2 / x -= mean on the next line
  const aug = node.parent;
  if (aug?.type === 'augmented_assignment' && aug.childForFieldName('left')?.id === node.id) {
    const o = aug.childForFieldName('operator')?.text;
    const r = model.numberValue(aug.childForFieldName('right'));
    if ((o === '-=' && (near(r, 0.5) || near(r, 1))) || (o === '*=' && near(r, 2)) || (o === '/=' && near(r, 0.5))) return 'minus1to1';
    if (o === '-=' && r === null) return 'imagenet';
    return null;
  }
  let p: Node | null = node.parent;
  for (let i = 0; i < 4 && p; i++, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type !== 'binary_operator') break;
    const o = p.childForFieldName('operator')?.text;
    const r = model.numberValue(p.childForFieldName('right'));
    if ((o === '-' && (near(r, 0.5) || near(r, 1))) || (o === '*' && near(r, 2)) || (o === '/' && near(r, 0.5))) return 'minus1to1';
    if (o === '-' && r === null) return 'imagenet';
  }
  return null;
}

const unparen = (n: Node | null): Node | null => {
  let x = n;
  while (x?.type === 'parenthesized_expression') x = x.namedChildren[0] ?? null;
  return x;
};

/** A reduction over the data (`x.min()`, `np.min(x)`, `tf.reduce_min(x)`, `keras.ops.min(x)`), read through names. */
function reduction(model: PythonModel, n: Node | null, which: 'min' | 'max' | 'ptp' | 'mean' | 'std'): boolean {
  const r = unparen(model.resolve(unparen(n)));
  const c = r?.type === 'call' ? model.callAt(r) : undefined;
  if (!c) return false;
  const re = which === 'ptp' ? /(^|\.)ptp$/ : new RegExp(`(^|\\.)(${which}|a${which}|nan${which}|reduce_${which})$`);
  return re.test(c.fnText);
}

/** `(x - x.min()) / (x.max() - x.min())`, `(x - mn) / (mx - mn + 1e-8)`, `(x - np.min(x)) / np.ptp(x)`: min-max scaling to [0, 1]. */
function isMinMax(model: PythonModel, bin: Node): boolean {
  if (bin.childForFieldName('operator')?.text !== '/') return false;
  const num = unparen(bin.childForFieldName('left'));
  if (num?.type !== 'binary_operator' || num.childForFieldName('operator')?.text !== '-' || !reduction(model, num.childForFieldName('right'), 'min')) return false;
  const den = withoutEpsilon(model, bin.childForFieldName('right'));
  if (reduction(model, den, 'ptp')) return true;
  return den?.type === 'binary_operator' && den.childForFieldName('operator')?.text === '-' && reduction(model, den.childForFieldName('left'), 'max') && reduction(model, den.childForFieldName('right'), 'min');
}

/** A denominator without the epsilon added against a division by zero (`x.std() + 1e-7`, `mx - mn + 1e-8`). */
function withoutEpsilon(model: PythonModel, n: Node | null): Node | null {
  const d = unparen(n);
  return d?.type === 'binary_operator' && d.childForFieldName('operator')?.text === '+' && model.numberValue(d.childForFieldName('right')) !== null ? unparen(d.childForFieldName('left')) : d;
}

/** A data statistic, with an epsilon against a division by zero (`x.std() + 1e-7`). */
function statistic(model: PythonModel, n: Node | null, which: 'std'): boolean {
  return reduction(model, withoutEpsilon(model, n), which);
}

/** `(x - x.mean()) / x.std()`, `(x - mean) / (std + 1e-7)` with mean = np.mean(x), …: standardised with the data's own statistics. */
function isZScore(model: PythonModel, bin: Node): boolean {
  if (bin.childForFieldName('operator')?.text !== '/') return false;
  const num = unparen(bin.childForFieldName('left'));
  if (num?.type !== 'binary_operator' || num.childForFieldName('operator')?.text !== '-' || !reduction(model, num.childForFieldName('right'), 'mean')) return false;
  return statistic(model, bin.childForFieldName('right'), 'std');
}

/** Classifies `expr / 255` style arithmetic by looking at the enclosing arithmetic, or the next statement's. */
function classifyDivision(model: PythonModel, bin: Node): ManualKind | null {
  const op = bin.childForFieldName('operator')?.text;
  const right = model.numberValue(bin.childForFieldName('right'));
  if (right === null && isZScore(model, bin)) return 'zscore';
  let kind: ManualKind | null = null;
  if (op === '/' && near(right, 255)) kind = 'div255';
  else if (op === '*' && near(right, 1 / 255)) kind = 'div255';
  else if (op === '/' && near(right, 127.5)) kind = 'minus1to1';
  else if (op === '*' && near(right, 1 / 127.5)) kind = 'minus1to1';
  // min-max scaling: [0, 1] like /255, whatever range the data had
  else if (isMinMax(model, bin)) kind = 'div255';
  if (!kind) return null;
  if (kind === 'minus1to1') return kind;
  const here = completedBy(model, bin);
  if (here) return here;
  // x = images / 255.0 ; x = (x - 0.5) / 0.5 — the next read of x completes the mapping
  let top: Node = bin;
  while (top.parent && (top.parent.type === 'binary_operator' || top.parent.type === 'parenthesized_expression')) top = top.parent;
  const next = laterReads(model, top)?.[0];
  return (next && completedBy(model, next)) ?? kind;
}

/**
 * `x /= 255`, `x *= 1 / 255`, `x /= 127.5` (then `x -= 1`): an in-place scaling of a name, classified like `x = x / 255`
 * (the next read of the name may complete it). Null for other augmented assignments, or when the name is only shown.
 */
function classifyAugmented(model: PythonModel, aug: Node): ManualKind | null {
  const left = aug.childForFieldName('left');
  if (left?.type !== 'identifier' && left?.type !== 'attribute') return null;
  const op = aug.childForFieldName('operator')?.text;
  const right = model.numberValue(aug.childForFieldName('right'));
  let kind: ManualKind | null = null;
  if (op === '/=' && right === null && statistic(model, aug.childForFieldName('right'), 'std')) kind = 'zscore';
  else if ((op === '/=' && near(right, 255)) || (op === '*=' && near(right, 1 / 255))) kind = 'div255';
  else if ((op === '/=' && near(right, 127.5)) || (op === '*=' && near(right, 1 / 127.5))) kind = 'minus1to1';
  if (!kind) return null;
  const reads = readsAfter(model, left.text, aug);
  if (reads.length > 0 && reads.every((r) => insideDisplayCall(model, r))) return null;
  if (kind !== 'div255') return kind;
  return (reads[0] && completedBy(model, reads[0])) ?? kind;
}

/** Collects how the file prepares pixels: converters applied or not, hand-written steps, unknown imported steps. */
export function collectEvidence(model: PythonModel, values: KerasValues): Evidence {
  const ev: Evidence = { appliedConverters: [], unusedConverters: [], tasksFittedWithPreprocessor: [], manual: [], allManual: [], unknown: [] };
  for (const v of values.ofKind('converter', 'preprocessor')) (values.isUsed(v) ? ev.appliedConverters : ev.unusedConverters).push(v);
  for (const t of values.ofKind('task')) {
    const pre = t.def.kwargs.get('preprocessor');
    const disabled = pre !== undefined && pre.type === 'none';
    // fit, predict and evaluate all run the task's preprocessor on the data they get
    if (!disabled && ['fit', 'predict', 'evaluate'].some((m) => values.methodCalls(t, m).length > 0)) ev.tasksFittedWithPreprocessor.push(t);
    if (model.references(`${t.name ?? '\u0000'}.preprocessor`).length) ev.appliedConverters.push({ ...t, kind: 'preprocessor' });
  }
  for (const c of model.calls) {
    const callee = c.callee ?? '';
    if (/(^|\.)Rescaling$/.test(callee)) {
      const s = model.numberValue(c.kwargs.get('scale') ?? c.args[0]);
      const o = model.numberValue(c.kwargs.get('offset') ?? c.args[1]) ?? 0;
      if (near(s, 1 / 255) && Math.abs(o) < 1e-6) ev.manual.push({ kind: 'div255', node: c.node, text: c.node.text });
      else if (near(s, 1 / 127.5) && near(o, -1)) ev.manual.push({ kind: 'minus1to1', node: c.node, text: c.node.text });
    } else if (/(^|\.)Normalization$/.test(callee)) {
      // Normalization() adapted to the data: some standardisation, which one we cannot tell
      if (!c.kwargs.has('mean') && c.args.length === 0) ev.unknown.push(c.node);
      const mean = model.numberList(c.kwargs.get('mean'));
      if (mean && near(mean[0] ?? null, 0.485, 0.05)) ev.manual.push({ kind: 'imagenet', node: c.node, text: c.node.text });
      else if (mean && near(mean[0] ?? null, 123.68, 0.05)) ev.manual.push({ kind: 'imagenet', node: c.node, text: c.node.text });
    } else if (/^tensorflow\.image\.per_image_standardization$|^tf\.image\.per_image_standardization$/.test(callee)) {
      ev.manual.push({ kind: 'zscore', node: c.node, text: c.node.text });
    } else if (scalesIntegerPixels(model, c) && !restoresPixelRange(model, (n) => feedsDisplay(model, n))) {
      // tf.image.convert_image_dtype(uint8 pixels, tf.float32): TensorFlow divides by 255 (completed like x / 255)
      const next = laterReads(model, c.node)?.[0];
      if (!feedsDisplay(model, c.node)) ev.manual.push({ kind: completedBy(model, c.node) ?? (next && completedBy(model, next)) ?? 'div255', node: c.node, text: c.node.text });
    } else {
      const mode = preprocessInputMode(model, callee, c);
      if (mode) ev.manual.push({ kind: mode, node: c.node, text: c.node.text });
      // imagenet_utils.preprocess_input with a mode read at run time (also bound by functools.partial): unknown
      else if (IMAGENET_UTILS.test(callee) || (/^functools\.partial$/.test(callee) && IMAGENET_UTILS.test(model.qualify(c.args[0] ?? null) ?? '') && !imagenetUtilsPartialKind(model, c))) ev.unknown.push(c.node);
    }
    // data.map(f) with f imported from user code: unknown preprocessing
    if (/\.map$/.test(callee) || callee === 'map') {
      for (const a of [...c.args, ...c.kwargs.values()]) {
        const q = a.type === 'identifier' || a.type === 'attribute' ? model.qualify(a) : null;
        const mode = q ? preprocessInputMode(model, q) : null;
        if (mode) ev.manual.push({ kind: mode, node: a, text: a.text });
        const base = a.text.split('.')[0] ?? '';
        if ((a.type === 'identifier' || a.type === 'attribute') && model.unknownImports.has(base)) ev.unknown.push(a);
      }
    }
    // a call to an imported user function on the data (x = my_utils.preprocess(x))
    const dot = c.fnText.indexOf('.');
    const fnBase = dot < 0 ? c.fnText : c.fnText.slice(0, dot);
    if (model.unknownImports.has(fnBase) && c.args.length > 0) ev.unknown.push(c.node);
    // get_batch(...) bound by nothing in this file but a `from my_utils import *`
    else if (model.unknownWildcard && /^[A-Za-z_]\w*$/.test(c.fnText) && !model.imports.has(c.fnText) && !model.assignments.has(c.fnText) && !model.functionDefs.has(c.fnText) && !PY_BUILTINS.has(c.fnText)) ev.unknown.push(c.node);
  }
  // `ImageConverter(scale=1.0 / 255.0 / std, ...)`: the converter's own configuration, not a step on the pixels
  const converterArgs = values.ofKind('converter').filter((v) => !v.def.callee?.endsWith('.from_preset')).map((v) => v.def.node);
  for (const bin of model.nodesOfType('binary_operator')) {
    if (!bin || feedsDisplay(model, bin)) continue;
    if (converterArgs.some((c) => c.startIndex < bin.startIndex && bin.endIndex <= c.endIndex)) continue;
    const kind = classifyDivision(model, bin);
    if (kind) {
      // report the outermost arithmetic of the expression once
      if (ev.manual.some((m) => m.node.startIndex <= bin.startIndex && m.node.endIndex >= bin.endIndex)) continue;
      ev.manual.push({ kind, node: bin, text: bin.text });
    }
  }
  // image /= 255.0: the in-place form of image = image / 255.0
  for (const aug of model.nodesOfType('augmented_assignment')) {
    const kind = aug ? classifyAugmented(model, aug) : null;
    if (!aug || !kind) continue;
    // x *= 1.0 / 255: the constant's own division is part of this one step
    ev.manual = ev.manual.filter((m) => m.node.startIndex < aug.startIndex || m.node.endIndex > aug.endIndex);
    ev.manual.push({ kind, node: aug, text: aug.text });
  }
  // ImageNet constants written out by hand: (x - [0.485, ...]) / [0.229, ...]
  for (const f of model.nodesOfType('float')) {
    if (!f) continue;
    const v = Number(f.text);
    // the same constants on the 0-255 scale (123.68 = 0.485 × 255); 103.939 leads caffe's BGR means
    if (near(v, 103.939, 0.01)) {
      const stmt = model.statementOf(f);
      if (!ev.manual.some((m) => model.statementOf(m.node).id === stmt.id)) ev.manual.push({ kind: 'caffe', node: stmt, text: stmt.text.split('\n')[0] as string });
      continue;
    }
    if (near(v, 0.485, 0.001) || near(v, 123.68, 0.01) || near(v, 123.675, 0.01)) {
      const stmt = model.statementOf(f);
      if (!ev.manual.some((m) => m.kind === 'imagenet' && model.statementOf(m.node).id === stmt.id)) ev.manual.push({ kind: 'imagenet', node: stmt, text: stmt.text.split('\n')[0] as string });
    }
  }
  // a mean/std step sits where its statistics are applied, whatever binds them
  ev.manual = anchorAtApplication(model, ev.manual);
  const membership = new ModelMembership(model, values);
  ev.allManual = [...ev.manual].sort((a, b) => a.node.startIndex - b.node.startIndex);
  ev.manual = ev.manual.filter((m) => !feedsOtherModel(model, m.node) && !membership.inOtherModel(m.node));
  ev.manual.sort((a, b) => a.node.startIndex - b.node.startIndex);
  return ev;
}

/** Whether a manual step produces the contract of a family (true), contradicts it (false), or says nothing (null). */
export function matchesContract(kind: ManualKind, contract: string): boolean | null {
  // the data's own mean and std are no pretrained model's contract
  if (kind === 'zscore') return false;
  if (contract === 'minus1to1') return kind === 'minus1to1';
  if (contract === 'imagenet') return kind === 'imagenet' ? true : kind === 'div255' ? false : kind !== 'passthrough' ? false : false;
  if (contract === 'clip') return false;
  if (contract === 'inside-model') return kind === 'passthrough';
  if (contract === 'unit') return kind === 'div255' ? true : kind === 'passthrough' ? null : false;
  return null;
}
