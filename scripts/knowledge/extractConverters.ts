import type { Node, Parser } from 'web-tree-sitter';

export interface ExtractedClass {
  exportedAs: string;
  className: string;
  backboneClass: string | null;
  defaults: Record<string, string>;
}
/** Kept for the image-converter callers. */
export type ExtractedConverter = ExtractedClass;

function decoratorExport(decorated: Node): string | null {
  for (const d of decorated.namedChildren) {
    if (!d || d.type !== 'decorator') continue;
    const m = /keras_(?:hub|cv)_export\(\s*\[?\s*["']((?:keras_hub|keras_cv)\.(?:layers|models)\.\w+)["']/.exec(d.text);
    if (m) return m[1] as string;
  }
  return null;
}

/**
 * Exported classes of a source file whose exported name matches `exported`: the name, `backbone_cls` and the
 * defaults of the class's own `__init__` (Python source text; nothing is evaluated).
 */
export function extractExportedClasses(parser: Parser, text: string, exported: RegExp): ExtractedClass[] {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  const out: ExtractedClass[] = [];
  for (const decorated of tree.rootNode.descendantsOfType('decorated_definition')) {
    const cls = decorated?.childForFieldName('definition');
    if (!decorated || !cls || cls.type !== 'class_definition') continue;
    const exportedAs = decoratorExport(decorated);
    if (!exportedAs || !exported.test(exportedAs)) continue;
    const body = cls.childForFieldName('body');
    let backboneClass: string | null = null;
    const defaults: Record<string, string> = {};
    for (const stmt of body?.namedChildren ?? []) {
      if (!stmt) continue;
      const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
      if (assign?.type === 'assignment' && assign.childForFieldName('left')?.text === 'backbone_cls') backboneClass = assign.childForFieldName('right')?.text ?? null;
      const fn = stmt.type === 'function_definition' ? stmt : stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : null;
      if (fn?.type !== 'function_definition' || fn.childForFieldName('name')?.text !== '__init__') continue;
      for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
        if (p?.type !== 'default_parameter' && p?.type !== 'typed_default_parameter') continue;
        const name = p.childForFieldName('name')?.text;
        const value = p.childForFieldName('value')?.text;
        if (name && value !== undefined) defaults[name] = value;
      }
    }
    out.push({ exportedAs, className: cls.childForFieldName('name')?.text ?? '', backboneClass, defaults });
  }
  tree.delete();
  return out;
}

/** Image converter classes of a source file: exported name, backbone_cls and the defaults of its own __init__. */
export function extractConverters(parser: Parser, text: string): ExtractedClass[] {
  return extractExportedClasses(parser, text, /ImageConverter$/);
}

/** Backbone classes of a source file (`keras_hub.models.XBackbone`) and their __init__ defaults (image_shape, ...). */
export function extractBackbones(parser: Parser, text: string): ExtractedClass[] {
  return extractExportedClasses(parser, text, /\.models\.\w+Backbone$/);
}
