/**
 * CloudFormation semantics for the rules: a resource whose properties hold `Fn::If` or a parameter with a finite set of
 * allowed values is judged in every case it can deploy as (each condition true and false, each allowed value), and the
 * worst case counts. `{ Ref: AWS::NoValue }` is the property's absence.
 */
import { describeShort } from './resolve';
import type { CfnTemplate, TemplateResource } from './template';

export interface Variant {
  readonly resource: TemplateResource;
  /** What was chosen, e.g. `condition IsProd false`, `parameter MultiAz=false`; empty when there was one case. */
  readonly notes: readonly string[];
}

/** Beyond this many cases, the resource is judged unexpanded (conditions then cannot be verified). */
export const MAX_VARIANTS = 64;

const NO_VALUE = Symbol('AWS::NoValue');
/** Recorded by collectChoices when a property is `{ Ref: AWS::NoValue }`: not a choice, but the properties need rewriting. */
const NO_VALUE_SEEN = 'n:AWS::NoValue';
const NO_VALUE_CHOICE: Choice = { kind: 'parameter', name: 'AWS::NoValue', values: [''] };

type Choice =
  | { readonly kind: 'condition'; readonly name: string }
  | { readonly kind: 'parameter'; readonly name: string; readonly values: readonly string[] };

/** The values a parameter can take when its declaration allows only a finite set, else undefined. */
export function parameterDomain(declaration: unknown): string[] | undefined {
  if (declaration === null || typeof declaration !== 'object') return undefined;
  const d = declaration as Record<string, unknown>;
  // For SSM parameter types the allowed values constrain the parameter's name, not the value it resolves to.
  if (typeof d.Type === 'string' && d.Type.startsWith('AWS::SSM::')) return undefined;
  const pattern = typeof d.AllowedPattern === 'string' ? literalAlternatives(d.AllowedPattern) : undefined;
  if (Array.isArray(d.AllowedValues) && d.AllowedValues.length > 0) {
    const values = d.AllowedValues.map(String);
    if (typeof d.AllowedPattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(`^(?:${d.AllowedPattern})$`);
      } catch {
        re = undefined;
      }
      return re ? values.filter((v) => re.test(v)) : values;
    }
    return values;
  }
  return pattern;
}

/** `^(true|True)$` -> ['true', 'True']: a pattern that is only an alternation of literals. CloudFormation matches whole values. */
function literalAlternatives(pattern: string): string[] | undefined {
  let p = pattern.replace(/^\^/, '').replace(/\$$/, '');
  const group = /^\((?:\?:)?(.*)\)$/.exec(p);
  if (group && !group[1].includes('(')) p = group[1];
  const alternatives = p.split('|');
  return alternatives.every((a) => /^[A-Za-z0-9_.\-/: ]*$/.test(a)) ? alternatives : undefined;
}

function collectChoices(
  value: unknown,
  template: CfnTemplate,
  expandParameter: (name: string) => boolean,
  found: Map<string, Choice>,
): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v) => collectChoices(v, template, expandParameter, found));
    return;
  }
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'Ref' && v.Ref === 'AWS::NoValue') found.set(NO_VALUE_SEEN, NO_VALUE_CHOICE);
  if (keys.length === 1 && keys[0] === 'Fn::If' && Array.isArray(v['Fn::If']) && typeof v['Fn::If'][0] === 'string') {
    const name = v['Fn::If'][0];
    found.set(`c:${name}`, { kind: 'condition', name });
  }
  if (keys.length === 1 && keys[0] === 'Ref' && typeof v.Ref === 'string' && expandParameter(v.Ref)) {
    const values = parameterDomain((template.Parameters ?? {})[v.Ref]);
    if (values && values.length > 0) found.set(`p:${v.Ref}`, { kind: 'parameter', name: v.Ref, values });
  }
  for (const inner of Object.values(v)) collectChoices(inner, template, expandParameter, found);
}

function substitute(value: unknown, pick: ReadonlyMap<string, boolean | string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    return value.map((v) => substitute(v, pick)).filter((v) => v !== NO_VALUE);
  }
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'Ref') {
    if (v.Ref === 'AWS::NoValue') return NO_VALUE;
    const p = typeof v.Ref === 'string' ? pick.get(`p:${v.Ref}`) : undefined;
    if (typeof p === 'string') return p;
  }
  if (keys.length === 1 && keys[0] === 'Fn::If' && Array.isArray(v['Fn::If']) && v['Fn::If'].length === 3) {
    const [name, whenTrue, whenFalse] = v['Fn::If'] as [unknown, unknown, unknown];
    const chosen = typeof name === 'string' ? pick.get(`c:${name}`) : undefined;
    if (typeof chosen === 'boolean') return substitute(chosen ? whenTrue : whenFalse, pick);
  }
  const out: Record<string, unknown> = {};
  for (const [k, inner] of Object.entries(v)) {
    const s = substitute(inner, pick);
    if (s !== NO_VALUE) out[k] = s;
  }
  return out;
}

/**
 * Every case `resource` can deploy as. One variant (with no notes) when nothing varies; the unexpanded resource when
 * the cases exceed `MAX_VARIANTS`.
 */
export function variantsOf(
  resource: TemplateResource,
  template: CfnTemplate,
  expandParameter: (name: string) => boolean = () => true,
): Variant[] {
  const found = new Map<string, Choice>();
  collectChoices(resource.Properties, template, expandParameter, found);
  // Nothing varies and nothing is absent by `AWS::NoValue`: the resource is its only case, as written.
  if (found.size === 0) return [{ resource, notes: [] }];
  found.delete(NO_VALUE_SEEN);
  const choices = [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, c]) => ({ key, c }));
  const total = choices.reduce((n, { c }) => n * (c.kind === 'condition' ? 2 : c.values.length), 1);
  if (choices.length === 0 || total > MAX_VARIANTS) {
    const props = substitute(resource.Properties, new Map());
    return [{ resource: { ...resource, Properties: props as Record<string, unknown> | undefined }, notes: [] }];
  }
  const variants: Variant[] = [];
  const pick = new Map<string, boolean | string>();
  const notes: string[] = [];
  const walk = (i: number) => {
    if (i === choices.length) {
      const props = substitute(resource.Properties, pick);
      variants.push({
        resource: { ...resource, Properties: props as Record<string, unknown> | undefined },
        notes: [...notes],
      });
      return;
    }
    const { key, c } = choices[i];
    const options: (boolean | string)[] = c.kind === 'condition' ? [true, false] : [...c.values];
    for (const o of options) {
      pick.set(key, o);
      notes.push(c.kind === 'condition' ? `condition ${c.name} ${o}` : `parameter ${c.name}=${describeShort(o)}`);
      walk(i + 1);
      notes.pop();
    }
    pick.delete(key);
  };
  walk(0);
  return variants;
}
