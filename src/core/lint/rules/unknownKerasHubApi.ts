import { FAMILIES } from '../../presets/familyCatalog';
import { checkKerasHubName, closest, otherVersionExport } from '../../presets/kerasHubApi';
import type { LintRule } from '../lintTypes';

/** VTD008: a keras_hub name or preset that does not exist, with the right name as the fix. */
export const unknownKerasHubApi: LintRule = {
  code: 'VTD008',
  name: 'unknown-keras-hub-api',
  defaultSeverity: 'error',
  summary: 'A keras_hub class or preset name that does not exist.',
  check(ctx) {
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
    // preset names of an earlier keras-hub release: they work there, not in recent releases
    for (const v of ctx.values.values) {
      if (!v.preset || !v.presetNode || v.presetNode.type !== 'string') continue;
      const entry = FAMILIES.flatMap((f) => f.presets).find((p) => p.name === v.preset && p.renamedTo);
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
      if (v.kind === 'kerascv-backbone' || !v.preset || !v.presetNode || /[/\\:]/.test(v.preset) || v.facts?.known) continue;
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
  },
};
