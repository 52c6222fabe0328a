/**
 * The secret a Secrets Manager dynamic reference (`{{resolve:secretsmanager:<secret>:SecretString:...}}`) reads: a
 * secret of the app (by `Ref`, directly or through its `SecretTargetAttachment`, in this stack or another through an
 * export), or one named by a name, an ARN or a parameter, outside the app.
 */
import { describeShort, type Resolver } from '../../resolve';
import { intrinsic } from '../../template';

const PREFIX = '{{resolve:secretsmanager:';

export type ReferencedSecret =
  | { readonly kind: 'app'; readonly logicalId: string; readonly stack: string }
  | { readonly kind: 'outside'; readonly named: string };

/** The secret of the app a reference part names, following a target attachment to its secret. */
function appSecret(part: unknown, resolver: Resolver, depth = 0): ReferencedSecret | undefined {
  const r = resolver.resolve(part);
  if (r.kind !== 'resource' || depth > 3) return undefined;
  if (r.type === 'AWS::SecretsManager::Secret') return { kind: 'app', logicalId: r.logicalId, stack: r.stack };
  if (r.type === 'AWS::SecretsManager::SecretTargetAttachment')
    return appSecret(r.resource.Properties?.SecretId, r.resolver, depth + 1);
  return undefined;
}

/** What names the secret in the written text after the reference's prefix: up to the next `:` or `}}`. */
function namedInText(text: string): string {
  return text.slice(text.indexOf(PREFIX) + PREFIX.length).split(/:SecretString|\}\}/)[0] || 'no secret';
}

/**
 * The secret `value` (a property holding a dynamic reference) reads, or undefined when it holds no Secrets Manager
 * reference in a form this reads (a `Fn::Join` or `Fn::Sub` around the secret, or text).
 */
export function referencedSecret(value: unknown, resolver: Resolver): ReferencedSecret | undefined {
  const found = secretPart(value, resolver);
  if (found?.kind !== 'outside') return found;
  // Named as the reference resolves, where synthesis computes it (an imported L2 secret's ARN around pseudo parameters).
  const r = resolver.resolve(value);
  const text = r.kind === 'literal' ? r.value : r.kind === 'expression' ? r.text : undefined;
  return typeof text === 'string' && text.includes(PREFIX) ? { kind: 'outside', named: namedInText(text) } : found;
}

function secretPart(value: unknown, resolver: Resolver): ReferencedSecret | undefined {
  const d = resolver.definition(value);
  if (typeof d.value === 'string') {
    return d.value.startsWith(PREFIX) ? { kind: 'outside', named: namedInText(d.value) } : undefined;
  }
  const fn = intrinsic(d.value);
  if (!fn) return undefined;
  const [name, arg] = fn;
  if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts = arg[1] as unknown[];
    let written = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (written.endsWith(PREFIX) && typeof part !== 'string') {
        return appSecret(part, d.resolver) ?? { kind: 'outside', named: describeShort(part) };
      }
      if (typeof part !== 'string') return undefined;
      written += (i > 0 ? arg[0] : '') + part;
      if (written.includes(PREFIX) && !written.endsWith(PREFIX))
        return { kind: 'outside', named: namedInText(written) };
    }
    return undefined;
  }
  if (name === 'Fn::Sub') {
    const [text, vars] = Array.isArray(arg) ? (arg as [unknown, Record<string, unknown>?]) : [arg, {}];
    if (typeof text !== 'string' || !text.includes(PREFIX)) return undefined;
    const variable = /^\$\{([^}!][^}]*)\}/.exec(text.slice(text.indexOf(PREFIX) + PREFIX.length));
    if (!variable) return { kind: 'outside', named: namedInText(text) };
    const key = variable[1].trim();
    const part = vars && key in vars ? vars[key] : key.includes('.') ? undefined : { Ref: key };
    return (part === undefined ? undefined : appSecret(part, d.resolver)) ?? { kind: 'outside', named: `\${${key}}` };
  }
  return undefined;
}
