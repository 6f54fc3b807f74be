import { FAMILIES } from '../../presets/familyCatalog';
import { KERAS_CV_CURRENT_MODELS, KERAS_CV_VERSIONS_READ, kerasCvModelExport, kerasCvModelKey } from '../../presets/kerasCvApi';
import { checkKerasHubName, closest, otherVersionExport } from '../../presets/kerasHubApi';
import type { SyntaxNode as Node } from '../syntaxNode';
import type { LintRule, RuleContext } from '../lintTypes';

/**
 * `keras_cv.models.X` (and `keras_cv.models.legacy.X`) judged against every keras-cv release read: a name no release
 * exported is an error, one only earlier releases exported is information naming them. A private or sub-module path
 * (`keras_cv.src.models.….X`) is resolved to its public name and judged only when that name is a known export.
 */
function checkKerasCvName(ctx: RuleContext, q: string, node: Node, fixable: boolean): void {
  const k = kerasCvModelKey(q);
  if (!k) return;
  const known = kerasCvModelExport(k.key);
  if (known) {
    if (known.current) return;
    ctx.report({
      message: `${k.publicName} is not exported by the newest keras-cv release nor main: keras-cv exported it ${known.releases.history} (${known.module.replace(/\./g, '/')}.py)${known.renamedTo ? `, renamed keras_cv.models.${known.renamedTo} in ${known.renamedIn}` : ''}; check the keras-cv you install.`,
      range: ctx.range(node),
      severity: 'information',
    });
    return;
  }
  if (!k.direct) return;
  const name = k.key.replace(/^legacy\./, '');
  // a ViT-like name is not a typo of a keras-cv name (ViTClassifier is not VideoClassifier): point to keras_hub
  const vit = /^vit(?!det)/i.test(name);
  const near = k.key.startsWith('legacy.') || vit ? undefined : closest(name, KERAS_CV_CURRENT_MODELS, 2);
  const versions = `${KERAS_CV_VERSIONS_READ[0]}–${KERAS_CV_VERSIONS_READ.filter((v) => v !== 'main').pop()} and main`;
  ctx.report({
    message: `${k.publicName} does not exist: no keras-cv release (${versions}) exports it${near ? `; did you mean keras_cv.models.${near}?` : vit ? '; the Keras ViT classifier is keras_hub.models.ViTImageClassifier.' : '.'}`,
    range: ctx.range(node),
    fixes: near && fixable ? [{ title: `Replace with keras_cv.models.${near}`, edits: [{ range: ctx.range(node), newText: node.text.replace(/[A-Za-z0-9_]+$/, near) }], preferred: true }] : [],
  });
}

let presets: (typeof FAMILIES)[number]['presets'] | null = null;

/** Every family's presets in one list, made once (not once per value linted). */
const allPresets = (): (typeof FAMILIES)[number]['presets'] => (presets ??= FAMILIES.flatMap((f) => f.presets));

/** VTD008: a keras_hub name or preset that does not exist, with the right name as the fix. */
export const unknownKerasHubApi: LintRule = {
  code: 'VTD008',
  name: 'unknown-keras-hub-api',
  defaultSeverity: 'error',
  summary: 'A keras_hub class or preset name that does not exist.',
  check(ctx) {
    // a project holding its own keras_cv / keras_hub package (a fork, a checkout) defines those names itself
    const local = new Set(ctx.project?.localPackages ?? []);
    if (!local.has('keras_hub')) checkKerasHubNames(ctx);
    if (!local.has('keras_cv')) checkKerasCvNames(ctx);
  },
};

/**
 * Code that handles the name's absence: `if hasattr(obj, "Name"):` around `obj.Name`, or a `try:` whose handlers
 * catch AttributeError (or every exception). Returns the sentence saying so, or null.
 */
function absenceGuard(ctx: RuleContext, attr: Node): string | null {
  const obj = attr.childForFieldName('object')?.text;
  const name = attr.childForFieldName('attribute')?.text;
  for (let n: Node | null = attr.parent, child: Node = attr; n; child = n, n = n.parent) {
    if (n.type === 'if_statement' && n.childForFieldName('consequence')?.id === child.id) {
      const cond = n.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      if (obj && name && (cond.includes(`hasattr(${obj.replace(/\s+/g, '')},"${name}")`) || cond.includes(`hasattr(${obj.replace(/\s+/g, '')},'${name}')`))) return `The code checks hasattr(${obj}, "${name}") first, so this branch never runs.`;
    }
    if (n.type === 'try_statement' && n.childForFieldName('body')?.id === child.id) {
      const handlers = n.namedChildren.filter((c): c is Node => c?.type === 'except_clause');
      if (handlers.some((h) => /^except\s*(\(?[^:]*\b(AttributeError|Exception|BaseException)\b[^:]*)?:/.test(h.text))) return 'The try around it catches the AttributeError, so its fallback runs instead.';
    }
    if (n.type === 'function_definition' || n.type === 'class_definition') break;
  }
  return null;
}

/** keras_hub classes (attributes and imports) and presets against the keras-hub releases read. */
function checkKerasHubNames(ctx: RuleContext): void {
  const seen = new Set<number>();
  // only `….ClassName` under a keras_hub models/layers namespace can be a keras_hub class (text tests, no tree walk)
  const candidates = ctx.model.attributesMatching(
    (text) => /\.[A-Z][A-Za-z0-9_]*$/.test(text) && (/(^|\.)(models|layers)\.[A-Za-z0-9_]+$/.test(text) || /^keras_hub\.(models|layers)$/.test(ctx.model.imports.get(text.slice(0, text.indexOf('.'))) ?? '')),
  );
  for (const attr of candidates) {
    if (attr.parent?.type === 'attribute' && attr.parent.childForFieldName('object')?.id === attr.id && /^keras_hub\.(models|layers)$/.test(ctx.model.qualify(attr) ?? '')) continue;
    const q = ctx.model.qualify(attr);
    if (!q || !/^keras_hub\.(models|layers)\.[A-Za-z0-9_]+$/.test(q) || seen.has(attr.id)) continue;
    seen.add(attr.id);
    const other = otherVersionExport(q);
    if (other) {
      ctx.report({
        message: `${q} is not exported by the newest keras-hub release nor main: keras-hub exported it ${other.releases.history} (${other.module.replace(/\./g, '/')}.py)${other.renamedTo ? `, renamed keras_hub.${other.namespace}.${other.renamedTo} in ${other.renamedIn}` : ''}; check the keras-hub you install.`,
        range: ctx.range(attr),
        severity: 'information',
      });
      continue;
    }
    const bad = checkKerasHubName(q);
    if (!bad) continue;
    const guard = absenceGuard(ctx, attr);
    if (guard) {
      ctx.report({ message: `${q} does not exist; did you mean ${bad.suggestion}? ${guard}`, range: ctx.range(attr), severity: 'information' });
      continue;
    }
    const local = attr.text.split('.').slice(0, -1).join('.');
    const suggestionName = bad.suggestion.split('.').pop() as string;
    const sameNamespace = bad.suggestion.split('.')[1] === q.split('.')[1];
    ctx.report({
      message: `${q} does not exist; did you mean ${bad.suggestion}?`,
      range: ctx.range(attr),
      fixes: [{ title: `Replace with ${bad.suggestion}`, edits: [{ range: ctx.range(attr), newText: sameNamespace ? `${local}.${suggestionName}` : attr.text.replace(/(models|layers)\.[A-Za-z0-9_]+$/, `${bad.suggestion.split('.')[1]}.${suggestionName}`) }], preferred: true }],
    });
  }
  // imports: from keras_hub.models import ViTImagePreprocessor
  for (const [local, q] of ctx.model.imports) {
    const bad = checkKerasHubName(q);
    if (!bad) continue;
    const node = ctx.model.identifiersNamed(q.split('.').pop() as string).find((n) => n?.text === (q.split('.').pop() as string) && n.parent && /import/.test(n.parent.type + (n.parent.parent?.type ?? '')));
    if (!node) continue;
    ctx.report({ message: `${q} does not exist; did you mean ${bad.suggestion}?${local !== q.split('.').pop() ? '' : ''}`, range: ctx.range(node) });
  }
  checkKerasHubPresets(ctx);
}

/** keras_cv.models.X: attributes rooted at a keras_cv import, then `from keras_cv.models import X`. */
function checkKerasCvNames(ctx: RuleContext): void {
  const cvRoot = (text: string): boolean => {
    const root = text.slice(0, text.indexOf('.'));
    return root === 'keras_cv' || (ctx.model.imports.get(root) ?? '').startsWith('keras_cv');
  };
  for (const attr of ctx.model.attributesMatching((text) => /\.[A-Z][A-Za-z0-9_]*$/.test(text) && cvRoot(text))) {
    const q = ctx.model.qualify(attr);
    if (q?.startsWith('keras_cv.')) checkKerasCvName(ctx, q, attr, true);
  }
  for (const q of new Set(ctx.model.imports.values())) {
    if (!q.startsWith('keras_cv.')) continue;
    const name = q.split('.').pop() as string;
    const node = ctx.model.identifiersNamed(name).find((n) => n?.text === name && n.parent && /import/.test(n.parent.type + (n.parent.parent?.type ?? '')));
    if (node) checkKerasCvName(ctx, q, node, false);
  }
}

/** Preset names of keras_hub values: another release's name (information), or no family's preset. */
function checkKerasHubPresets(ctx: RuleContext): void {
  // preset names of an earlier keras-hub release: they work there, not in recent releases
  for (const v of ctx.values.values) {
    if (!v.preset || !v.presetNode || v.presetNode.type !== 'string') continue;
    const entry = allPresets().find((p) => p.name === v.preset && p.renamedTo);
    if (!entry?.renamedTo) continue;
    ctx.report({
      message: `"${v.preset}" is the preset name of another keras-hub version (${entry.renamedAt}). Use the name of the keras-hub you install.`,
      range: ctx.range(v.presetNode),
      severity: 'information',
      fixes: [{ title: `Use "${entry.renamedTo}"`, edits: [{ range: ctx.range(v.presetNode), newText: JSON.stringify(entry.renamedTo) }] }],
    });
  }
  // preset names that look like a family's but are not one
  for (const v of ctx.values.values) {
    if (v.kind === 'kerascv-backbone' || v.kind === 'kerascv-task' || !v.preset || !v.presetNode || /[/\\:]/.test(v.preset) || v.facts?.known) continue;
    const fam = v.family ?? FAMILIES.find((f) => f.presets.length && v.preset!.toLowerCase().startsWith(f.family));
    if (!fam || fam.presets.length === 0) continue;
    const near = closest(v.preset, fam.presets.filter((p) => !p.renamedTo).map((p) => p.name), 6);
    ctx.report({
      message: `"${v.preset}" is not a Keras Hub ${fam.classPrefix} preset${near ? `; did you mean "${near}"?` : ''} (from_preset would fail unless it is a local folder).`,
      range: ctx.range(v.presetNode),
      severity: 'warning',
      fixes: near && v.presetNode.type === 'string' ? [{ title: `Replace with "${near}"`, edits: [{ range: ctx.range(v.presetNode), newText: JSON.stringify(near) }], preferred: true }] : [],
    });
  }
}
