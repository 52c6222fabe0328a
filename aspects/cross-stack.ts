/**
 * Which environment judges a resource that crosses stacks. A resource is judged as strictly as the strictest stack of
 * the app that depends on it or that it acts on, not only as its own stack:
 *
 * - a resource another, stricter stack references (a security group, key, secret or parameter group a prod database
 *   uses) is part of that stack's posture: a dev stack's group open to the internet in front of a prod database is
 *   judged as prod judges its own;
 * - a resource that acts on or copies a resource of a stricter stack (a custom resource or SDK call handed a prod
 *   database's identifier, a replica or point-in-time restore of a prod database, a blue/green deployment of one) is
 *   judged as that stack.
 *
 * References across stacks are the ones CloudFormation makes: `Fn::ImportValue` of another stack's export, and a
 * nested stack's parameter that its parent fills with one.
 */
import type { EnvironmentName } from '../lib/profiles';
import { isStricter, stricterEnvironment } from './environment';
import type { Resolver } from './resolve';
import { intrinsic, walkValue } from './template';
import { SETTING_CARRIER_TYPES, isRegistryExtension } from './rules/cfn/custom-resource-properties';

/** Properties through which a resource of these types copies or changes the resource it names. */
const ACTS_THROUGH: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBInstance': [
    'SourceDBInstanceIdentifier',
    'SourceDBClusterIdentifier',
    'SourceDbiResourceId',
    'SourceDBInstanceAutomatedBackupsArn',
  ],
  'AWS::RDS::DBCluster': ['SourceDBClusterIdentifier'],
  'AWS::RDS::Deployment': ['Source'],
  'AWS::RDS::Integration': ['SourceArn'],
  'AWS::RDS::DBProxyTargetGroup': ['DBInstanceIdentifiers', 'DBClusterIdentifiers'],
  'AWS::RDS::DBProxyEndpoint': ['DBProxyName'],
  'AWS::EC2::SecurityGroupIngress': ['GroupId'],
  'AWS::EC2::SecurityGroupEgress': ['GroupId'],
};

/**
 * A front that passes what it acts on to another resource of its template: a proxy's target group makes the proxy it
 * names a door to its targets, so the proxy (its TLS, its logging) is judged as they are.
 */
const PASSES_TO: Readonly<Record<string, string>> = {
  'AWS::RDS::DBProxyTargetGroup': 'DBProxyName',
};

/**
 * Types that only watch or describe what they name (an alarm on a database's metrics, a dashboard, a permission to
 * read it, a parameter holding its identifier): they do not make it part of their stack's posture.
 */
const OBSERVERS =
  /^AWS::(CloudWatch|IAM|SSM::Parameter$|Events::Rule$|Budgets|ResourceGroups|Config|SNS|Logs::MetricFilter$)/;

/** Database identifiers fixed in the templates (`DBInstanceIdentifier`, `DBClusterIdentifier`), by lower-case name. */
function physicalNames(templates: readonly Resolver[]): Map<string, { resolver: Resolver; logicalId: string }> {
  const names = new Map<string, { resolver: Resolver; logicalId: string }>();
  for (const t of templates) {
    for (const [logicalId, r] of Object.entries(t.template.Resources ?? {})) {
      const key =
        r?.Type === 'AWS::RDS::DBInstance'
          ? 'DBInstanceIdentifier'
          : r?.Type === 'AWS::RDS::DBCluster'
            ? 'DBClusterIdentifier'
            : undefined;
      const value = key ? r.Properties?.[key] : undefined;
      if (typeof value === 'string' && value !== '') names.set(value.toLowerCase(), { resolver: t, logicalId });
    }
  }
  return names;
}

/**
 * The databases of the app a value names by their physical identifier, as text: the identifier itself, an ARN ending
 * in it, or a JSON document (an SDK call, an event's input) holding it as a string.
 */
function namedDatabases(
  value: unknown,
  from: Resolver,
  names: ReadonlyMap<string, { resolver: Resolver; logicalId: string }>,
): { resolver: Resolver; logicalId: string }[] {
  if (names.size === 0) return [];
  const found: { resolver: Resolver; logicalId: string }[] = [];
  walkValue(value, '', from, {
    text(text) {
      const lower = text.toLowerCase();
      for (const [name, db] of names) {
        if (
          lower === name ||
          lower.endsWith(`:db:${name}`) ||
          lower.endsWith(`:cluster:${name}`) ||
          lower.includes(`"${name}"`)
        ) {
          found.push(db);
        }
      }
    },
  });
  return found;
}

/** Whether a resource of `type` acts on what `property` names: every property of a custom resource or SDK call. */
function actsThrough(type: string, property: string): boolean {
  if (SETTING_CARRIER_TYPES.includes(type) || type.startsWith('Custom::') || isRegistryExtension(type)) return true;
  return ACTS_THROUGH[type]?.includes(property) ?? false;
}

/** Why a resource is judged in a stricter environment than its stack's. */
export interface StricterJudge {
  readonly environment: EnvironmentName;
  /** For the evidence: `used by Orders-prod/Database`, `acts on Orders-prod/Database`. */
  readonly why: string;
}

/** A judge found in the index; for what a resource acts on, also that resource, whose own judge counts too. */
interface Found extends StricterJudge {
  readonly target?: { readonly resolver: Resolver; readonly logicalId: string };
}

interface Index {
  /** Per template, per logical id: the strictest stack that references the resource. */
  readonly referencedBy: Map<Resolver, Map<string, Found>>;
  /** Per template, per logical id: every resource it acts on. */
  readonly actsOn: Map<Resolver, Map<string, Found[]>>;
}

function keep(map: Map<Resolver, Map<string, Found>>, at: Resolver, id: string, judge: Found): void {
  let byId = map.get(at);
  if (!byId) map.set(at, (byId = new Map<string, Found>()));
  const before = byId.get(id);
  if (!before || isStricter(judge.environment, before.environment)) byId.set(id, judge);
}

/** Every value of `value` that crosses into another template: an import, or a parameter the parent fills. */
function* crossings(value: unknown, resolver: Resolver): Generator<unknown> {
  for (const reference of references(value)) {
    const [name, arg] = intrinsic(reference)!;
    if (name === 'Fn::ImportValue' || (name === 'Ref' && String(arg) in (resolver.template.Parameters ?? {}))) {
      yield reference;
    }
  }
}

function buildIndex(templates: readonly Resolver[]): Index {
  const index: Index = { referencedBy: new Map(), actsOn: new Map() };
  const names = physicalNames(templates);
  const actOn = (from: Resolver, logicalId: string, target: { resolver: Resolver; logicalId: string }) => {
    if (!target.resolver.environment) return;
    let byId = index.actsOn.get(from);
    if (!byId) index.actsOn.set(from, (byId = new Map<string, Found[]>()));
    const list = byId.get(logicalId) ?? [];
    byId.set(logicalId, list);
    list.push({
      environment: target.resolver.environment,
      why: `acts on ${target.resolver.stack}/${target.logicalId}`,
      target,
    });
  };
  for (const from of templates) {
    if (!from.environment) continue;
    for (const [logicalId, resource] of Object.entries(from.template.Resources ?? {})) {
      if (resource === null || typeof resource !== 'object') continue;
      const observer = OBSERVERS.test(resource.Type);
      for (const [property, value] of Object.entries(resource.Properties ?? {})) {
        const acts = actsThrough(resource.Type, property);
        if (!acts && observer) continue;
        for (const reference of crossings(value, from)) {
          const target = from.resolve(reference);
          if (target.kind !== 'resource' || target.resolver === from || !target.resolver.environment) continue;
          keep(index.referencedBy, target.resolver, target.logicalId, {
            environment: from.environment,
            why: `used by ${from.stack}/${logicalId}`,
          });
        }
        if (!acts) continue;
        // What it acts on, named directly (in its own template too: an ingress rule on a group of its stack), through
        // a resource of its template in between (an SSM parameter holding an imported identifier), or by a database's
        // physical identifier written out.
        for (const target of actedOn(value, from, 0)) actOn(from, logicalId, target);
        for (const target of namedDatabases(value, from, names)) actOn(from, logicalId, target);
      }
    }
  }
  // A front passes what it acts on to the resource it names (a proxy target group to its proxy).
  for (const [from, byId] of index.actsOn) {
    for (const [logicalId, found] of [...byId]) {
      const property = PASSES_TO[from.template.Resources?.[logicalId]?.Type ?? ''];
      const to = property ? from.resolve(from.template.Resources?.[logicalId]?.Properties?.[property]) : undefined;
      if (to?.kind === 'resource' && to.resolver === from) for (const f of found) actOn(from, to.logicalId, f.target!);
    }
  }
  return index;
}

/**
 * Types that hand on a value they were given (an SSM parameter's `Value`, a custom resource's outputs): one named in
 * between launders nothing.
 */
function passesThrough(type: string): boolean {
  return (
    type === 'AWS::SSM::Parameter' || type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::')
  );
}

/**
 * The resources a value acts on: each reference in it, and, for a resource of the same template in between that passes
 * a value through, what that resource's own properties reference, a few steps deep.
 */
function actedOn(value: unknown, from: Resolver, depth: number): { resolver: Resolver; logicalId: string }[] {
  const out: { resolver: Resolver; logicalId: string }[] = [];
  for (const reference of [value, ...references(value)]) {
    const target = from.resolve(reference);
    if (target.kind !== 'resource') continue;
    out.push({ resolver: target.resolver, logicalId: target.logicalId });
    if (target.resolver === from && depth < 3 && passesThrough(target.type)) {
      for (const v of Object.values(target.resource.Properties ?? {})) out.push(...actedOn(v, from, depth + 1));
    }
  }
  return out;
}

/** Every `Ref`, `Fn::GetAtt` and `Fn::ImportValue` inside a value. */
function* references(value: unknown, depth = 0): Generator<unknown> {
  if (value === null || typeof value !== 'object' || depth > 40) return;
  const fn = intrinsic(value);
  if (fn && ['Ref', 'Fn::GetAtt', 'Fn::ImportValue'].includes(fn[0])) {
    yield value;
    return;
  }
  for (const v of Object.values(value as Record<string, unknown>)) yield* references(v, depth + 1);
}

function indexOf(resolver: Resolver): Index {
  return resolver.appIndex('cross-stack-judges', buildIndex);
}

/** The strictest stack that references the resource, when stricter than its own stack. */
function referencedByStricter(resolver: Resolver, logicalId: string): Found | undefined {
  const judge = indexOf(resolver).referencedBy.get(resolver)?.get(logicalId);
  const own = resolver.environment;
  return judge && own && isStricter(judge.environment, own) ? judge : undefined;
}

/**
 * The environment stricter than the resource's own stack's that judges it, and why; undefined when its own stack's
 * environment is the strictest. What it acts on counts with that resource's own judge (a group a prod database uses is
 * prod's, so an ingress rule on it is too).
 */
export function stricterJudgeOf(resolver: Resolver, logicalId: string): StricterJudge | undefined {
  const own = resolver.environment;
  if (!own) return undefined;
  const referenced = referencedByStricter(resolver, logicalId);
  let best: StricterJudge | undefined = referenced && { environment: referenced.environment, why: referenced.why };
  for (const acted of indexOf(resolver).actsOn.get(resolver)?.get(logicalId) ?? []) {
    const targetJudge = referencedByStricter(acted.target!.resolver, acted.target!.logicalId);
    const environment = targetJudge
      ? stricterEnvironment(acted.environment, targetJudge.environment)
      : acted.environment;
    const why = targetJudge ? `${acted.why}, ${targetJudge.why}` : acted.why;
    if (!best || isStricter(environment, best.environment)) best = { environment, why };
  }
  return best && isStricter(best.environment, own) ? best : undefined;
}
