import type { Node } from 'web-tree-sitter';
import { preprocessModeOf } from '../presets/applicationContracts';
import type { PreprocessMode } from '../presets/kerasApplicationsKnowledgeTypes';
import type { Evidence, ManualKind } from './preprocessingEvidence';
import type { PythonModel } from './pythonModel';

/** A hand-written step as the keras.applications rules see it; `module` for a keras.applications preprocess_input. */
export interface ApplicationStep {
  kind: ManualKind;
  node: Node;
  text: string;
  module: string | null;
}

const PREPROCESS = /^keras\.applications\.([a-z0-9_]+)\.preprocess_input$/;
const KIND: Record<PreprocessMode, ManualKind> = { tf: 'minus1to1', caffe: 'caffe', torch: 'imagenet', passthrough: 'passthrough' };

/** The mode of a qualified preprocess_input (imagenet_utils: its `mode=`, caffe by default), from the generated knowledge. */
function modeOf(model: PythonModel, qualified: string, kwargs?: Map<string, Node>): { kind: ManualKind; module: string } | null {
  const m = PREPROCESS.exec(qualified);
  if (!m) return null;
  const module = m[1] as string;
  if (module === 'imagenet_utils') {
    const mode = kwargs ? model.stringValue(kwargs.get('mode')) : null;
    return { kind: mode === 'tf' ? 'minus1to1' : mode === 'torch' ? 'imagenet' : 'caffe', module };
  }
  const mode = preprocessModeOf(module);
  return mode ? { kind: KIND[mode], module } : null;
}

/**
 * `from keras.applications.vgg16 import preprocess_input` in one cell, `...resnet50 import preprocess_input` in a later
 * one: a bare name is the one imported last before the read (the import table keeps one binding per name).
 */
function importedAt(model: PythonModel, imports: { name: string; module: string; at: number }[], n: Node): string | null {
  if (n.type !== 'identifier') return null;
  let best: string | null = null;
  for (const i of imports) if (i.name === n.text && i.at < n.startIndex) best = i.module;
  return best ? `${best}.${n.text}` : null;
}

/** `from <module> import preprocess_input [as name]` statements, in order. */
function preprocessImports(model: PythonModel): { name: string; module: string; at: number }[] {
  const out: { name: string; module: string; at: number }[] = [];
  for (const st of model.nodesOfType('import_from_statement')) {
    const module = st.childForFieldName('module_name')?.text.replace(/^tensorflow\.keras\.|^tf\.keras\.|^keras\.src\./, 'keras.') ?? '';
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
  const imports = preprocessImports(model);
  const qualified = (n: Node | null): string => (n ? (imports.length > 1 ? importedAt(model, imports, n) : null) ?? model.qualify(n) ?? '' : '');
  for (const c of model.calls) {
    const own = modeOf(model, c.fn?.type === 'identifier' ? qualified(c.fn) : c.callee ?? '', c.kwargs);
    if (own) {
      out.push({ ...own, node: c.node, text: c.node.text });
      seen.add(c.node.id);
    }
    for (const a of [...c.args, ...c.kwargs.values()]) {
      if (a.type !== 'identifier' && a.type !== 'attribute') continue;
      const passed = modeOf(model, qualified(a));
      if (passed) {
        out.push({ ...passed, node: a, text: a.text });
        seen.add(a.id);
      }
    }
  }
  for (const m of ev.allManual) {
    if (seen.has(m.node.id) || out.some((s) => s.node.startIndex <= m.node.startIndex && m.node.endIndex <= s.node.endIndex)) continue;
    out.push({ kind: m.kind, node: m.node, text: m.text, module: null });
  }
  out.sort((a, b) => a.node.startIndex - b.node.startIndex);
  cache.set(model, out);
  return out;
}
