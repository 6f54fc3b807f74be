import type { SyntaxNode as Node } from '../syntaxNode';
import type { KerasValue } from '../kerasValues';
import type { LintRule, RuleContext } from '../lintTypes';

/** The backbone whose output an expression is (`backbone(x)` or a variable holding it). */
function backboneOutputOf(ctx: RuleContext, node: Node | null): KerasValue | undefined {
  const r = ctx.model.resolve(node);
  if (r?.type !== 'call') return undefined;
  const v = ctx.values.valueOf(r.childForFieldName('function'));
  return v && (v.kind === 'backbone' || v.kind === 'kerascv-backbone') ? v : undefined;
}

function isClsSlice(sub: Node): boolean {
  const idx = sub.children.filter((c) => c && c.isNamed && c.id !== sub.childForFieldName('value')?.id) as Node[];
  return idx.length >= 2 && idx[0]?.type === 'slice' && idx[0].text.trim() === ':' && idx[1]?.type === 'integer' && idx[1].text === '0';
}

/**
 * Defensive code: a key lookup on the output inside `if isinstance(out, dict)` (or `"key" in out`, `hasattr(out,
 * "keys")`), in the true branch of such a conditional expression, or in a `try` whose handlers catch the failure.
 */
function isGuardedProbe(sub: Node, valueText: string): boolean {
  const name = valueText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const guard = new RegExp(`isinstance\\(\\s*${name}\\s*,\\s*(\\(?\\s*)?(dict|Mapping|collections\\.abc\\.Mapping|typing\\.Mapping)|["'][^"']+["']\\s+in\\s+${name}\\b|hasattr\\(\\s*${name}\\s*,\\s*["'](keys|get|items)["']`);
  for (let n: Node | null = sub.parent; n; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'while_statement') {
      const cond = n.childForFieldName('condition');
      if (cond && guard.test(cond.text)) return true;
    }
    if (n.type === 'conditional_expression') {
      const parts = n.namedChildren.filter((c): c is Node => !!c);
      // a if cond else b: the probe is guarded in `a` when cond is the guard
      if (parts[1] && guard.test(parts[1].text) && parts[0] && sub.startIndex >= parts[0].startIndex && sub.endIndex <= parts[0].endIndex) return true;
    }
    if (n.type === 'try_statement') {
      const handlers = n.namedChildren.filter((c): c is Node => !!c && c.type === 'except_clause');
      if (handlers.some((h) => !/except\s+\w/.test(h.text) || /\b(KeyError|TypeError|IndexError|LookupError|AttributeError|Exception|BaseException)\b/.test(h.text.split(':')[0] ?? ''))) return true;
    }
    if (n.type === 'function_definition' || n.type === 'class_definition') break;
  }
  return false;
}

/** Whether a value is what a keras.Model(inputs, outputs) built in the file outputs. */
function isModelOutput(ctx: RuleContext, node: Node): boolean {
  return ctx.model.calls.some((m) => {
    if (!m.callee || !/^keras\.(models\.)?Model$/.test(m.callee)) return false;
    const out = ctx.model.resolve(m.kwargs.get('outputs') ?? m.args[1] ?? null);
    return out?.id === node.id;
  });
}

/** VTD003: misuse of a backbone's output: CLS slice without class token, dict keys on a tensor, Flatten, GAP2D on tokens. */
export const tokenOutputMisuse: LintRule = {
  code: 'VTD003',
  name: 'token-output-misuse',
  defaultSeverity: 'warning',
  summary: "The backbone's output is indexed or pooled as if it had another shape.",
  check(ctx) {
    for (const sub of ctx.model.nodesOfType('subscript')) {
      if (!sub) continue;
      const b = backboneOutputOf(ctx, sub.childForFieldName('value'));
      if (!b) continue;
      const output = b.family?.output;
      const idx = sub.childForFieldName('subscript');
      // a string key on a backbone that returns one tensor (tokens, or a CNN feature map)
      if (idx?.type === 'string' && (output === 'tokens' || output === 'feature-map') && !isGuardedProbe(sub, sub.childForFieldName('value')?.text ?? '')) {
        ctx.report({
          message: output === 'tokens'
            ? `${b.className} returns a tensor of tokens (batch, tokens, hidden), not a dict: ${idx.text} fails. Use features[:, 0, :] for the CLS token.`
            : `${b.className} returns one feature map (batch, height, width, channels), not a dict: ${idx.text} fails. Pool it with GlobalAveragePooling2D().`,
          range: ctx.range(sub),
          severity: 'error',
          related: [{ message: 'backbone created here', range: ctx.range(b.def.node) }],
        });
      } else if (isClsSlice(sub)) {
        const noCls = b.facts?.useClassToken === false;
        if (output === 'tokens' && noCls) {
          ctx.report({
            message: `${b.preset ?? b.className} has no class token (use_class_token=False): [:, 0, :] is the top-left patch, not an image summary. Pool with keras.ops.mean(features, axis=1).`,
            range: ctx.range(sub),
            related: [{ message: 'backbone created here', range: ctx.range(b.def.node) }],
          });
        } else if (output === 'feature-map') {
          ctx.report({
            message: `${b.className} returns a CNN feature map (batch, height, width, channels): [:, 0, :] takes the first row of it. Use GlobalAveragePooling2D().`,
            range: ctx.range(sub),
            related: [{ message: 'backbone created here', range: ctx.range(b.def.node) }],
          });
        }
      }
    }
    for (const c of ctx.model.calls) {
      const fn = c.fn;
      if (fn?.type !== 'call') continue;
      const layer = ctx.model.callAt(fn);
      const name = layer?.callee?.split('.').pop();
      if (!name || !['Flatten', 'GlobalAveragePooling2D', 'GlobalAveragePooling1D', 'GlobalMaxPooling2D', 'Dense'].includes(name)) continue;
      const b = backboneOutputOf(ctx, c.args[0] ?? null);
      if (!b || b.family?.output !== 'tokens') continue;
      const related = [{ message: 'backbone created here', range: ctx.range(b.def.node) }];
      if (name === 'Dense') {
        // a Dense on the token sequence is per-token; as the model's output it is one prediction per token
        if (isModelOutput(ctx, c.node)) {
          ctx.report({ message: `This Dense head runs on every token of ${b.className}'s output (batch, tokens, hidden), so the model predicts (batch, tokens, classes), not one label per image. Take the CLS token first: features[:, 0, :].`, range: ctx.range(c.node), related });
        }
        continue;
      }
      if (name === 'Flatten') {
        ctx.report({ message: `Flatten() over ${b.className}'s tokens concatenates every token (tokens × hidden features): the head becomes huge and position-dependent. Take the CLS token (features[:, 0, :]) or average the tokens.`, range: ctx.range(c.node), related });
      } else if (name.endsWith('2D')) {
        ctx.report({ message: `${name}() expects a 4-D feature map, but ${b.className} returns 3-D tokens (batch, tokens, hidden): this fails. Use features[:, 0, :] or GlobalAveragePooling1D().`, range: ctx.range(c.node), severity: 'error', related });
      } else if (b.facts?.useClassToken !== false) {
        ctx.report({ message: `GlobalAveragePooling1D() averages all tokens including the CLS token (as pooling="gap" does). Fine, but the pretrained head used the CLS token alone.`, range: ctx.range(c.node), severity: 'information', related });
      }
    }
  },
};
