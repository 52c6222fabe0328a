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
}

/** A property value as far as synthesis can tell. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly why: string };

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
export function booleanOf(value: unknown, template: CfnTemplate, fallback?: boolean): Known<boolean | undefined> {
  if (value === undefined) return { known: true, value: fallback };
  if (typeof value === 'boolean') return { known: true, value };
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return { known: true, value: value.toLowerCase() === 'true' };
  return unknown(unresolvable(value, template) ?? `the value ${describe(value)}`);
}

/** A number property; CloudFormation also accepts numeric strings. Absent gives `fallback`. */
export function numberOf(value: unknown, template: CfnTemplate, fallback?: number): Known<number | undefined> {
  if (value === undefined) return { known: true, value: fallback };
  if (typeof value === 'number') return { known: true, value };
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return { known: true, value: Number(value) };
  return unknown(unresolvable(value, template) ?? `the value ${describe(value)}`);
}

/** A string property. Absent is `undefined`. */
export function stringOf(value: unknown, template: CfnTemplate): Known<string | undefined> {
  if (value === undefined || typeof value === 'string') return { known: true, value };
  if (typeof value === 'number') return { known: true, value: String(value) };
  return unknown(unresolvable(value, template) ?? `the value ${describe(value)}`);
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
