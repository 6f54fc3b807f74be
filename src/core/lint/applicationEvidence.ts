import type { SyntaxNode as Node } from './syntaxNode';
import { preprocessModeOf } from '../presets/applicationContracts';
import type { PreprocessMode } from '../presets/kerasApplicationsKnowledgeTypes';
import type { Evidence, ManualKind, StepPart } from './preprocessingEvidence';
import { imagenetUtilsKind, imagenetUtilsPartialKind, modeOfCall, partialAround } from './imagenetUtilsMode';
import type { PythonModel } from './pythonModel';

/** A hand-written step as the keras.applications rules see it; `module` for a keras.applications preprocess_input. */
export interface ApplicationStep {
  kind: ManualKind;
  node: Node;
  text: string;
  module: string | null;
  /** Other places of the same step (the mean/std constants it applies, a / 255 it completes). */
  parts?: StepPart[];
}

const PREPROCESS = /^keras\.applications\.([a-z0-9_]+)\.preprocess_input$/;
const KIND: Record<PreprocessMode, ManualKind> = { tf: 'minus1to1', caffe: 'caffe', torch: 'imagenet', passthrough: 'passthrough' };

/**
 * The mode of a qualified preprocess_input, from the generated knowledge; imagenet_utils: the kind its `mode` gives
 * (`imagenetKind`, caffe when none is given; null when it cannot be read: not judged).
 */
function modeOf(model: PythonModel, qualified: string, imagenetKind: ManualKind | null = 'caffe'): { kind: ManualKind; module: string } | null {
  const m = PREPROCESS.exec(qualified);
  if (!m) return null;
  const module = m[1] as string;
  if (module === 'imagenet_utils') return imagenetKind ? { kind: imagenetKind, module } : null;
  const mode = preprocessModeOf(module);
  return mode ? { kind: KIND[mode], module } : null;
}

/**
 * `from keras.applications.vgg16 import preprocess_input` in one cell, `...resnet50 import preprocess_input` in a later
 * one: a bare name is the one imported last before the read (the import table keeps one binding per name).
 */
function importedAt(imports: { name: string; module: string; at: number }[], n: Node): string | null {
  if (n.type !== 'identifier') return null;
  let best: string | null = null;
  for (const i of imports) if (i.name === n.text && i.at < n.startIndex) best = i.module;
  return best ? `${best}.${n.text}` : null;
}

/** `from <module> import preprocess_input [as name]` statements, in order. */
function preprocessImports(model: PythonModel): { name: string; module: string; at: number }[] {
  const out: { name: string; module: string; at: number }[] = [];
  for (const st of model.nodesOfType('import_from_statement')) {
    const module = st.childForFieldName('module_name')?.text.replace(/^tensorflow\.keras\.|^tf\.keras\.|^keras\.src\.|^keras_core\./, 'keras.') ?? '';
    if (!/^keras\.applications\.[a-z0-9_]+$/.test(module)) continue;
    for (const c of st.namedChildren) {
      if (!c || c.id === st.childForFieldName('module_name')?.id) continue;
      const orig = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
      if (orig === 'preprocess_input' && local) out.push({ name: local, module, at: st.startIndex });
    }
  }
  return out;
}

const cache = new WeakMap<PythonModel, ApplicationStep[]>();

/**
 * Every step that maps pixels, for the keras.applications rules: the file's hand-written arithmetic and layers (all of
 * them: which model each belongs to is decided by path), and each keras.applications preprocess_input called or
 * passed as a function (`ImageDataGenerator(preprocessing_function=preprocess_input)`, `ds.map(preprocess_input)`),
 * classified by the generated knowledge.
 */
export function applicationSteps(model: PythonModel, ev: Evidence): ApplicationStep[] {
  let out = cache.get(model);
  if (out) return out;
  out = [];
  const seen = new Set<number>();
  const text = model.src.text;
  // the import table keeps one binding per name: statements are read only when a notebook imports it more than once
  const imports = (text.match(/^[ \t]*from[ \t]+\S+[ \t]+import[^\n]*\bpreprocess_input\b/gm)?.length ?? 0) > 1 ? preprocessImports(model) : [];
  const qualified = (n: Node): string => (imports.length > 0 ? importedAt(imports, n) : null) ?? model.qualify(n) ?? '';
  // only names that can be a preprocess_input are looked at: the function, an alias imported, a name assigned one
  const names = new Set(['preprocess_input', ...imports.map((i) => i.name)]);
  for (const [local, q] of model.imports) if (q.endsWith('.preprocess_input')) names.add(local);
  for (const [name, list] of model.assignments) if (list.some((a) => text.slice(a.valueStart, a.valueEnd).endsWith('preprocess_input'))) names.add(name);
  for (const name of names) {
    for (const id of model.identifiersNamed(name)) {
      // `mobilenet_v2.preprocess_input`: the whole attribute is the reference
      const p0 = id.parent;
      const ref = p0?.type === 'attribute' && p0.childForFieldName('attribute')?.id === id.id ? p0 : id;
      const parent = ref.parent;
      if (!parent || seen.has(ref.id)) continue;
      if (parent.type === 'call' && parent.childForFieldName('function')?.id === ref.id) {
        const c = model.callAt(parent);
        const mode = modeOf(model, ref.type === 'identifier' ? qualified(ref) : c?.callee ?? qualified(ref), imagenetUtilsKind(model, modeOfCall(c)));
        if (mode) out.push({ ...mode, node: parent, text: parent.text });
        seen.add(ref.id);
        seen.add(parent.id);
      } else if (parent.type === 'argument_list' || (parent.type === 'keyword_argument' && parent.childForFieldName('value')?.id === ref.id)) {
        // partial(imagenet_utils.preprocess_input, mode="tf"): the partial is the step, with the mode it binds
        const partial = partialAround(model, ref);
        const mode = modeOf(model, qualified(ref), partial ? imagenetUtilsPartialKind(model, partial) : 'caffe');
        const step = partial?.node ?? ref;
        if (mode) out.push({ ...mode, node: step, text: step.text });
        seen.add(ref.id);
      }
    }
  }
  const calls = [...out];
  for (const m of ev.allManual) {
    if (seen.has(m.node.id) || calls.some((s) => s.node.startIndex <= m.node.startIndex && m.node.endIndex <= s.node.endIndex)) continue;
    out.push({ kind: m.kind, node: m.node, text: m.text, module: null, ...(m.parts ? { parts: m.parts } : {}) });
  }
  out.sort((a, b) => a.node.startIndex - b.node.startIndex);
  cache.set(model, out);
  return out;
}
