/**
 * What synthesis can tell about a value of a rendered template: a literal, a resource of this template or of a sibling
 * template of the same app, a string only deploy time completes (an ARN joined from pseudo parameters), or unknown.
 *
 * References are followed as CloudFormation would: `Ref`/`Fn::GetAtt` to this template's resources (a VPC's
 * `CidrBlock` is the VPC's own property), `Fn::ImportValue` to the export of another stack of the same app, a nested
 * stack's parameter to the value its parent passes. Every step taken is kept as `via`, shown as evidence.
 */
import type { EnvironmentName } from '../lib/profiles';
import type { CfnTemplate, TemplateResource } from './template';

export type Resolved =
  | { readonly kind: 'literal'; readonly value: unknown; readonly via: readonly string[] }
  | {
      readonly kind: 'resource';
      readonly stack: string;
      readonly logicalId: string;
      readonly type: string;
      readonly attribute?: string;
      readonly resource: TemplateResource;
      readonly resolver: Resolver;
      readonly via: readonly string[];
    }
  /** A string with parts only deploy time fills in; `text` has them as `${...}`. */
  | { readonly kind: 'expression'; readonly text: string; readonly via: readonly string[] }
  | { readonly kind: 'unknown'; readonly why: string };

/** Where a value is written: the expression and the template it is written in, and the steps taken to get there. */
export interface Definition {
  readonly value: unknown;
  readonly resolver: Resolver;
  readonly via: readonly string[];
}

/** An output a stack exports: the stack and the output's value. */
export interface Exported {
  readonly resolver: Resolver;
  readonly value: unknown;
}

/** The templates of one app: what a `Fn::ImportValue` can reach. */
export interface AppTemplates {
  /** Export name -> every stack of the app that exports that name, whatever its account and Region. */
  readonly exports: ReadonlyMap<string, readonly Exported[]>;
  /** Every template of the app, for rules that look for resources pointing at one (a route into a route table). */
  readonly resolvers?: readonly Resolver[];
}

/** Attributes that are a resource's own property, so a `Fn::GetAtt` of them is known at synth. */
const ATTRIBUTE_IS_PROPERTY: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'AWS::EC2::VPC': { CidrBlock: 'CidrBlock' },
  'AWS::EC2::Subnet': { CidrBlock: 'CidrBlock' },
  'AWS::KMS::Alias': { AliasName: 'AliasName' },
};

/** Pseudo parameters: fixed per deployment, unknown to an environment-agnostic synthesis. */
const PSEUDO = /^AWS::(AccountId|Region|Partition|URLSuffix|StackName|StackId|NotificationARNs)$/;

const MAX_DEPTH = 20;

const APP_INDEXES = new WeakMap<object, Map<string, unknown>>();

export class Resolver {
  /** The environment this template is judged in, once the gate knows it; rules read it across stacks. */
  environment?: EnvironmentName;

  constructor(
    /** Stack name, for evidence. */
    readonly stack: string,
    readonly template: CfnTemplate,
    private readonly app?: AppTemplates,
    /** For a nested stack: what the parent passes for a parameter, as the parent's template writes it. */
    private readonly parentParameter?: (name: string) => Omit<Definition, 'via'> | undefined,
    /**
     * The account and Region the stack deploys to, `<account>/<region>`, with `*` for a part left to deploy time. An import
     * reaches only an export of the same account and Region, as CloudFormation's exports do.
     */
    readonly environmentKey: string = '*/*',
  ) {}

  /**
   * The one export of `name` an import of this stack can reach: of a stack in the same account and Region (CloudFormation
   * keeps exports per account and Region, and one name once in each). Several such stacks, or none, is a reason why not.
   */
  private exportOf(name: string): Exported | { readonly why: string } {
    const all = this.app?.exports.get(name) ?? [];
    const here = all.filter((e) => e.resolver.environmentKey === this.environmentKey);
    if (here.length === 1) return here[0];
    if (here.length > 1)
      return { why: `the imported value ${name}, exported by ${here.length} stacks of one account and Region` };
    return {
      why:
        all.length > 0
          ? `the imported value ${name}, exported only by stacks of another account or Region (${all.map((e) => e.resolver.stack).join(', ')})`
          : `the imported value ${name}, exported by no stack of this app`,
    };
  }

  /** This template and every other template of the app. */
  everyTemplate(): readonly Resolver[] {
    return this.app?.resolvers ?? [this];
  }

  /**
   * The expression `value` stands for, as it is written: a nested stack's parameter is followed to what the parent
   * passes, and a `Fn::ImportValue` to the exporting stack's output; anything else is its own definition. For rules
   * that read the shape of an expression (an element of a VPC's address blocks) where `resolve` can only say that
   * deploy time knows its value.
   */
  definition(value: unknown, depth = 0): Definition {
    const here: Definition = { value, resolver: this, via: [] };
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || Array.isArray(value)) return here;
    const v = value as Record<string, unknown>;
    if (Object.keys(v).length !== 1) return here;
    let next: Definition | undefined;
    if (typeof v.Ref === 'string' && v.Ref in (this.template.Parameters ?? {})) {
      const passed = this.parentParameter?.(v.Ref);
      if (passed) next = { ...passed, via: [`parameter ${v.Ref} from the parent stack`] };
    } else if ('Fn::ImportValue' in v) {
      const name = this.resolve(v['Fn::ImportValue'], depth + 1);
      const found = name.kind === 'literal' && typeof name.value === 'string' ? this.exportOf(name.value) : undefined;
      const exported = found && 'resolver' in found ? found : undefined;
      if (exported)
        next = {
          ...exported,
          via: [`export ${String((name as { value: unknown }).value)} of ${exported.resolver.stack}`],
        };
    }
    if (!next) return here;
    const inner = next.resolver.definition(next.value, depth + 1);
    return { ...inner, via: [...next.via, ...inner.via] };
  }

  /**
   * An index over every template of the app, built once per app and key: rules that look across stacks (route tables
   * of a subnet, log groups by name) would otherwise scan the whole app for each resource they judge.
   */
  appIndex<T>(key: string, build: (templates: readonly Resolver[]) => T): T {
    const owner: object = this.app ?? this;
    let indexes = APP_INDEXES.get(owner);
    if (!indexes) APP_INDEXES.set(owner, (indexes = new Map<string, unknown>()));
    if (!indexes.has(key)) indexes.set(key, build(this.everyTemplate()));
    return indexes.get(key) as T;
  }

  resolve(value: unknown, depth = 0): Resolved {
    if (depth > MAX_DEPTH) return { kind: 'unknown', why: 'a reference chain too long to follow' };
    if (value === null || typeof value !== 'object') return { kind: 'literal', value, via: [] };
    if (Array.isArray(value)) {
      const items = value.map((v) => this.resolve(v, depth + 1));
      const bad = items.find((i) => i.kind === 'unknown');
      if (bad) return bad;
      if (items.every((i) => i.kind === 'literal')) {
        return { kind: 'literal', value: items.map((i) => (i as { value: unknown }).value), via: viaOf(items) };
      }
      return { kind: 'literal', value, via: [] };
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length !== 1 || !(entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return { kind: 'literal', value, via: [] };
    }
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.ref(arg) : unknownOf(value);
      case 'Fn::GetAtt': {
        const [id, attribute]: unknown[] = Array.isArray(arg)
          ? [(arg as unknown[])[0], (arg as unknown[])[1]]
          : typeof arg === 'string'
            ? [arg.split('.')[0], arg.split('.').slice(1).join('.')]
            : [undefined, undefined];
        if (typeof id !== 'string' || typeof attribute !== 'string') return unknownOf(value);
        return this.getAtt(id, attribute, depth);
      }
      case 'Fn::ImportValue':
        return this.importValue(arg, depth);
      case 'Fn::Join':
        return this.join(arg, depth);
      case 'Fn::Sub':
        return this.sub(arg, depth);
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return unknownOf(value);
        const index = this.resolve(arg[0], depth + 1);
        const list = this.resolve(arg[1], depth + 1);
        if (index.kind === 'literal' && list.kind === 'literal' && Array.isArray(list.value)) {
          return { kind: 'literal', value: list.value[Number(index.value)], via: [...index.via, ...list.via] };
        }
        return { kind: 'unknown', why: `a Fn::Select over ${describeShort(arg[1])}` };
      }
      case 'Fn::If':
        return { kind: 'unknown', why: `condition ${describeShort(Array.isArray(arg) ? arg[0] : arg)}` };
      default:
        return { kind: 'unknown', why: `${fn} of ${describeShort(arg)}` };
    }
  }

  private ref(name: string): Resolved {
    if (PSEUDO.test(name)) return { kind: 'expression', text: `\${${name}}`, via: [] };
    const parameters = (this.template.Parameters ?? {}) as Record<string, Record<string, unknown>>;
    if (name in parameters) {
      const passed = this.parentParameter?.(name);
      if (passed) {
        const fromParent = passed.resolver.resolve(passed.value);
        if (fromParent.kind === 'unknown') return fromParent;
        return { ...fromParent, via: [`parameter ${name} from the parent stack`, ...fromParent.via] };
      }
      return { kind: 'unknown', why: `parameter ${name}` };
    }
    const resource = this.template.Resources?.[name];
    if (!resource) return { kind: 'unknown', why: `Ref to ${name}, which is not in the template` };
    return this.resourceOf(name, undefined);
  }

  private getAtt(id: string, attribute: string, depth: number): Resolved {
    const resource = this.template.Resources?.[id];
    if (!resource) return { kind: 'unknown', why: `Fn::GetAtt of ${id}, which is not in the template` };
    const property = ATTRIBUTE_IS_PROPERTY[resource.Type]?.[attribute];
    if (property && resource.Properties?.[property] !== undefined && resource.Condition === undefined) {
      const inner = this.resolve(resource.Properties[property], depth + 1);
      if (inner.kind === 'literal') {
        return { ...inner, via: [`${id}.${attribute}=${describeShort(inner.value)}`, ...inner.via] };
      }
      return inner;
    }
    return this.resourceOf(id, attribute);
  }

  private resourceOf(logicalId: string, attribute: string | undefined): Resolved {
    const resource = this.template.Resources![logicalId];
    return {
      kind: 'resource',
      stack: this.stack,
      logicalId,
      type: resource.Type,
      attribute,
      resource,
      resolver: this,
      via: [],
    };
  }

  private importValue(arg: unknown, depth: number): Resolved {
    const name = this.resolve(arg, depth + 1);
    if (name.kind !== 'literal' || typeof name.value !== 'string') {
      return { kind: 'unknown', why: `an imported value whose export name is ${describeShort(arg)}` };
    }
    const exported = this.exportOf(name.value);
    if (!('resolver' in exported)) return { kind: 'unknown', why: exported.why };
    const inner = exported.resolver.resolve(exported.value, depth + 1);
    if (inner.kind === 'unknown') return inner;
    return { ...inner, via: [`export ${name.value} of ${exported.resolver.stack}`, ...inner.via] };
  }

  private join(arg: unknown, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return unknownOf({ 'Fn::Join': arg });
    const list = Array.isArray(arg[1]) ? arg[1] : [arg[1]];
    return this.concat(
      list.map((part) => this.resolve(part, depth + 1)),
      arg[0],
    );
  }

  private sub(arg: unknown, depth: number): Resolved {
    const list: unknown[] = Array.isArray(arg) ? (arg as unknown[]) : [arg, {}];
    const text = list[0];
    const vars = (list[1] ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string') return unknownOf({ 'Fn::Sub': arg });
    const parts: Resolved[] = [];
    let last = 0;
    for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
      parts.push({ kind: 'literal', value: text.slice(last, m.index), via: [] });
      const name = m[1].trim();
      if (name in vars) parts.push(this.resolve(vars[name], depth + 1));
      else if (name.includes('.')) {
        const [id, ...att] = name.split('.');
        parts.push(this.getAtt(id, att.join('.'), depth + 1));
      } else parts.push(this.ref(name));
      last = m.index + m[0].length;
    }
    parts.push({ kind: 'literal', value: text.slice(last), via: [] });
    return this.concat(parts, '');
  }

  /** Joins resolved parts: a literal when all are, an expression when some only deploy time knows. */
  private concat(parts: Resolved[], separator: string): Resolved {
    const bad = parts.find((p) => p.kind === 'unknown');
    if (bad) return bad;
    const texts = parts.map((p) =>
      p.kind === 'literal'
        ? String(p.value)
        : p.kind === 'expression'
          ? p.text
          : p.kind === 'resource'
            ? `\${${p.logicalId}${p.attribute ? `.${p.attribute}` : ''}}`
            : '',
    );
    const via = viaOf(parts);
    if (parts.every((p) => p.kind === 'literal')) return { kind: 'literal', value: texts.join(separator), via };
    return { kind: 'expression', text: texts.join(separator), via };
  }
}

function viaOf(parts: readonly Resolved[]): string[] {
  return parts.flatMap((p) => (p.kind === 'unknown' ? [] : p.via));
}

function unknownOf(value: unknown): Resolved {
  return { kind: 'unknown', why: `the value ${describeShort(value)}` };
}

/** Short, stable text for a value, for evidence. */
export function describeShort(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return value;
  const s = JSON.stringify(value);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** ` (via a, b)` for evidence, or nothing. */
export function viaText(r: Resolved): string {
  return r.kind !== 'unknown' && r.via.length > 0 ? ` (${r.via.join(', ')})` : '';
}
