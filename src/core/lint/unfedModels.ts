import type { SyntaxNode as Node } from './syntaxNode';
import type { KerasValue } from './kerasValues';
import type { RuleContext } from './lintTypes';
import { flowOf } from './flowAttribution';

/** The methods Keras runs on the data itself: a backbone called there is fed by the model's caller, not a factory's. */
const FORWARD_METHODS = new Set(['call', '__call__']);

/**
 * The function or method a keras_hub value is called in, when that function hands its result to its caller (a model
 * factory: `def create_model(): ...; x = vit(inputs); ...; return model`): index in the file's scopes, else -1.
 */
function factoryAt(ctx: RuleContext, site: Node): number {
  const scopes = ctx.model.scopes;
  const scope = scopes.scopeAt(site.startIndex);
  if (scope < 0) return -1;
  const fn = scopes.list[scope]!;
  if (FORWARD_METHODS.has(fn.name)) return -1;
  // its own `return <value>`, not one of a function defined inside it
  const returns = fn.node.childForFieldName('body')?.descendantsOfType('return_statement') ?? [];
  return returns.some((r) => r.namedChildCount > 0 && scopes.scopeAt(r.startIndex) === scope) ? scope : -1;
}

/**
 * A keras_hub value called inside a model factory while no call of this file feeds data into it or into a model
 * holding it: what the factory's caller (another module) feeds it, and how it maps the pixels, is not in the file.
 */
export function calledInUnfedFactory(ctx: RuleContext, v: KerasValue, site: Node): boolean {
  return factoryAt(ctx, site) >= 0 && !flowOf(ctx).pathOf(v).fedWithData();
}

/** Whether data (not only a keras.Input of a graph) reaches some keras_hub backbone or task of the file through one of its calls. */
export function someHubModelFed(ctx: RuleContext): boolean {
  const flow = flowOf(ctx);
  return [...ctx.values.ofKind('backbone'), ...ctx.values.ofKind('task')].some((v) => flow.pathOf(v).fedWithData());
}
