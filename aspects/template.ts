/**
 * Reading a rendered CloudFormation template: what CloudFormation will receive, after every override, aspect and
 * `CfnInclude`. Values that only CloudFormation can resolve (parameters, conditions, imports) are reported as unknown so
 * that no rule passes them silently.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: unknown;
  readonly UpdateReplacePolicy?: unknown;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  /** A macro name or a list of them. */
  readonly Transform?: unknown;
}

import { Resolver } from './resolve';

/** A property value as far as synthesis can tell; `via` names the references followed to learn it. */
export type Known<T> =
  | { readonly known: true; readonly value: T; readonly via?: readonly string[] }
  | { readonly known: false; readonly why: string };

/** Where values are read: a bare template (literals only) or a resolver that follows references. */
export type ValueSource = CfnTemplate | Resolver;

/** The literal behind `value`, or why there is none. */
function literal(value: unknown, source: ValueSource): Known<unknown> {
  if (source instanceof Resolver) {
    const r = source.resolve(value);
    if (r.kind === 'literal') return { known: true, value: r.value, via: r.via };
    if (r.kind === 'unknown') return unknown(r.why);
    if (r.kind === 'expression') return unknown(`${r.text}, known only at deploy time`);
    return unknown(`a reference to ${r.logicalId}${r.attribute ? `.${r.attribute}` : ''} (${r.type})`);
  }
  if (value !== null && typeof value === 'object') {
    return unknown(unresolvable(value, source) ?? `the value ${describe(value)}`);
  }
  return { known: true, value };
}

const unknown = (why: string): { known: false; why: string } => ({ known: false, why });

/** Short, stable text for a value found in the template, for evidence. */
export function describe(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * Why a value cannot be known at synth, or undefined when synthesis fixes it: a literal, or an expression over this
 * template's own resources and the pseudo parameters (a key's `Fn::GetAtt`, an ARN joined from `AWS::Partition`).
 * Parameters, conditions and imports are decided at deploy time.
 */
export function unresolvable(value: unknown, template: CfnTemplate): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const why = unresolvable(v, template);
      if (why) return why;
    }
    return undefined;
  }
  for (const [fn, arg] of Object.entries(value as Record<string, unknown>)) {
    if (fn === 'Ref' && typeof arg === 'string' && template.Parameters && arg in template.Parameters)
      return `parameter ${arg}`;
    if (fn === 'Fn::If') return `condition ${describe(Array.isArray(arg) ? arg[0] : arg)}`;
    if (fn === 'Fn::ImportValue') return 'an imported value';
    if (fn === 'Fn::GetAtt' || fn === 'Ref') continue;
    const why = unresolvable(arg, template);
    if (why) return why;
  }
  return undefined;
}

/** A boolean property; CloudFormation also accepts "true"/"false" strings. Absent gives `fallback`. */
export function booleanOf(value: unknown, source: ValueSource, fallback?: boolean): Known<boolean | undefined> {
  if (value === undefined) return { known: true, value: fallback };
  const l = literal(value, source);
  if (!l.known) return l;
  const v = l.value;
  if (typeof v === 'boolean') return { known: true, value: v, via: l.via };
  if (typeof v === 'string' && /^(true|false)$/i.test(v))
    return { known: true, value: v.toLowerCase() === 'true', via: l.via };
  return unknown(`the value ${describe(v)}`);
}

/** A number property; CloudFormation also accepts numeric strings. Absent gives `fallback`. */
export function numberOf(value: unknown, source: ValueSource, fallback?: number): Known<number | undefined> {
  if (value === undefined) return { known: true, value: fallback };
  const l = literal(value, source);
  if (!l.known) return l;
  const v = l.value;
  if (typeof v === 'number') return { known: true, value: v, via: l.via };
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))
    return { known: true, value: Number(v), via: l.via };
  return unknown(`the value ${describe(v)}`);
}

/** A string property. Absent is `undefined`. */
export function stringOf(value: unknown, source: ValueSource): Known<string | undefined> {
  if (value === undefined) return { known: true, value };
  const l = literal(value, source);
  if (!l.known) return l;
  const v = l.value;
  if (typeof v === 'string') return { known: true, value: v, via: l.via };
  if (typeof v === 'number') return { known: true, value: String(v), via: l.via };
  return unknown(`the value ${describe(v)}`);
}

/** ` (via ...)` for evidence when references were followed. */
export function viaOf(k: Known<unknown>): string {
  return k.known && k.via && k.via.length > 0 ? ` (${k.via.join(', ')})` : '';
}

/** True when the resource exists in every deployment of the template: it has no Condition. */
export function unconditional(resource: TemplateResource): boolean {
  return resource.Condition === undefined;
}

/**
 * A CloudFormation dynamic reference to a Secrets Manager secret, resolved at deploy time; group 1 names the secret (an
 * ARN, a name, or a `${...}` reference) when it is written there.
 */
export const SECRETS_MANAGER_REFERENCE =
  /\{\{resolve:secretsmanager:(\$\{[A-Za-z0-9.]+\}|arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:[^:}]+|[^:}]+)?/;

/** An intrinsic function (`{ "Ref": ... }`, `{ "Fn::Select": [...] }`) as its name and argument; undefined otherwise. */
export function intrinsic(value: unknown): readonly [name: string, argument: unknown] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return undefined;
  const [name, argument] = entries[0];
  return name === 'Ref' || name.startsWith('Fn::') ? [name, argument] : undefined;
}

/** What {@link walkValue} is shown of a property value. */
export interface ValueVisitor {
  /** Each string, at its path (`/`-separated keys and list indices). */
  text(value: string, path: string): void;
  /** Each key of a plain object; true when the visitor has judged it, and its value is not walked. */
  key?(key: string, path: string): boolean;
  /** An intrinsic function whose value synthesis cannot compute (`Fn::Base64` user data, a `Fn::Select` by a parameter). */
  uncomputable?(name: string, argument: unknown, path: string): void;
}

/**
 * Walks a property value as it will be deployed: an intrinsic whose value the template tells (a `Fn::Join` around a
 * Ref, a `Fn::Sub`, a parameter's default) is walked as the value it makes, deploy-time references kept as `${...}`.
 */
export function walkValue(value: unknown, path: string, resolver: Resolver, visitor: ValueVisitor): void {
  if (typeof value === 'string') {
    visitor.text(value, path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walkValue(v, `${path}/${i}`, resolver, visitor));
    return;
  }
  const fn = intrinsic(value);
  if (fn) {
    const r = resolver.resolve(value);
    if (r.kind === 'literal') walkValue(r.value, path, resolver, visitor);
    else if (r.kind === 'expression') walkValue(r.text, path, resolver, visitor);
    else visitor.uncomputable?.(fn[0], fn[1], path);
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}/${k}` : k;
    if (!visitor.key?.(k, here)) walkValue(v, here, resolver, visitor);
  }
}

/** What {@link sketchOf} writes for a part of a value only deploy time, or nothing, can tell. */
export const UNCOMPUTED = '${?}';

/**
 * The text a value makes as far as the template tells it, even where synthesis cannot compute all of it: a `Fn::Join`
 * or `Fn::Sub` around a parameter keeps its literal parts, deploy-time references as `${...}`, and each part no one can
 * compute at synth as {@link UNCOMPUTED}. A JSON document built that way (an SDK call, `Stack.toJsonString`) can still be
 * read. Undefined for a value that is not text.
 */
export function sketchOf(value: unknown, resolver: Resolver, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const fn = intrinsic(value);
  if (!fn || depth > 20) return undefined;
  const r = resolver.resolve(value);
  if (r.kind === 'literal') return typeof r.value === 'string' ? r.value : sketchOf(r.value, resolver, depth + 1);
  if (r.kind === 'expression') return r.text;
  if (r.kind === 'resource') return `\${${r.logicalId}${r.attribute ? `.${r.attribute}` : ''}}`;
  const part = (v: unknown) => sketchOf(v, resolver, depth + 1) ?? UNCOMPUTED;
  const [name, arg] = fn;
  if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string') {
    return (Array.isArray(arg[1]) ? (arg[1] as unknown[]) : [arg[1]]).map(part).join(arg[0]);
  }
  if (name === 'Fn::Sub') {
    const list: unknown[] = Array.isArray(arg) ? (arg as unknown[]) : [arg];
    const text = list[0];
    const vars = (list[1] ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string') return UNCOMPUTED;
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, n: string) => {
      const key = n.trim();
      if (key in vars) return part(vars[key]);
      const [id, ...att] = key.split('.');
      return part(att.length > 0 ? { 'Fn::GetAtt': [id, att.join('.')] } : { Ref: key });
    });
  }
  return UNCOMPUTED;
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points at, if it is a resource of this template. */
export function referencedResource(value: unknown, template: CfnTemplate): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  let id: unknown;
  if ('Ref' in v) id = v.Ref;
  else if ('Fn::GetAtt' in v) {
    const att = v['Fn::GetAtt'];
    id = Array.isArray(att) ? att[0] : typeof att === 'string' ? att.split('.')[0] : undefined;
  }
  return typeof id === 'string' && template.Resources && id in template.Resources ? id : undefined;
}

/** Locale-independent string order, so that every output is byte-identical on every machine. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The resources of one type as `[logicalId, properties]`, in logical-id order. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id, r]): [string, Record<string, unknown>] => [id, r.Properties ?? {}])
    .sort(([a], [b]) => byCodePoint(a, b));
}
