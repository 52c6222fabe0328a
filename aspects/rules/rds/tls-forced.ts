import { PolicyRule, RuleContext, RuleOutcome, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { describe, stringOf, viaOf } from '../../template';
import { sourceDatabaseOf } from './source-database';

/**
 * The parameter that makes each engine family refuse unencrypted connections, and the values that turn it on.
 * Oracle and Db2 take TLS from an option group or listener settings the gate does not judge.
 */
const FAMILIES: readonly {
  readonly engine: RegExp;
  readonly parameter: string;
  readonly on: RegExp;
  readonly name: string;
}[] = [
  { engine: /^(postgres|aurora-postgresql)$/i, parameter: 'rds.force_ssl', on: /^(1|on|true)$/i, name: 'PostgreSQL' },
  {
    engine: /^(mysql|mariadb|aurora-mysql|aurora)$/i,
    parameter: 'require_secure_transport',
    on: /^(1|on|true)$/i,
    name: 'MySQL/MariaDB',
  },
  { engine: /^sqlserver-/i, parameter: 'rds.force_ssl', on: /^(1|true)$/i, name: 'SQL Server' },
];

/**
 * RDS for PostgreSQL 15 and later default to rds.force_ssl=1 ("By default, RDS for PostgreSQL uses and expects all
 * clients to connect using SSL/TLS": AWS, "Using SSL with a PostgreSQL DB instance", checked 2026-11-25). No default
 * of another family is taken as forcing TLS.
 */
const FORCE_SSL_BY_DEFAULT_FROM_MAJOR = 15;

/** `default.postgres16`, `default.mysql8.0`, `default.aurora-postgresql16`: RDS's own groups, by their well-known names. */
const DEFAULT_GROUP = /^default\.([a-z-]+?)(\d+(?:\.\d+)?)$/;

function defaultGroupOutcome(
  engine: string,
  major: number | undefined,
  name: string,
  where: string,
  family: (typeof FAMILIES)[number],
): RuleOutcome {
  if (/^postgres$/i.test(engine) && major !== undefined && major >= FORCE_SSL_BY_DEFAULT_FROM_MAJOR) {
    return pass(`${name} of PostgreSQL ${major} (rds.force_ssl=1 by default)`, where);
  }
  if (/^postgres$/i.test(engine) && major !== undefined) {
    return fail(`${name} of PostgreSQL ${major}, whose default does not force TLS`, where);
  }
  return cannotVerify(
    `${name}: the default of ${engine}${major !== undefined ? ` ${major}` : ''} is not known to set ${family.parameter} on`,
    where,
  );
}

function judgeGroup(
  groupRef: unknown,
  key: string,
  engine: string,
  version: string | undefined,
  context: RuleContext,
  family: (typeof FAMILIES)[number],
): RuleOutcome {
  const where = `Properties/${key}`;
  const major = version !== undefined && /^\d+/.test(version) ? Number(version.split('.')[0]) : undefined;
  if (groupRef === undefined)
    return defaultGroupOutcome(engine, major, `${key} not set: the default parameter group`, where, family);
  const r = context.resolver.resolve(groupRef);
  if (r.kind === 'literal' && typeof r.value === 'string') {
    const m = DEFAULT_GROUP.exec(r.value);
    if (m) {
      const groupMajor = /^postgres$/i.test(m[1]) ? Number(m[2].split('.')[0]) : major;
      return defaultGroupOutcome(engine, groupMajor, `${key}=${r.value}, RDS's default group`, where, family);
    }
    return cannotVerify(`${key}=${r.value} is a parameter group outside this app`, where);
  }
  if (r.kind !== 'resource')
    return cannotVerify(
      `${key} is ${r.kind === 'unknown' ? r.why : describe(r.kind === 'literal' ? r.value : r.text)}`,
      where,
    );
  if (r.type !== 'AWS::RDS::DBParameterGroup' && r.type !== 'AWS::RDS::DBClusterParameterGroup') {
    return cannotVerify(`${key} points at ${r.logicalId} (${r.type})`, where);
  }
  const value = (r.resource.Properties?.Parameters as Record<string, unknown> | undefined)?.[family.parameter];
  if (value === undefined) {
    // The engine's default applies: PostgreSQL 15 and later force TLS by default (the group's Family tells the major
    // when the database does not); every other default is taken as not forcing it.
    const groupFamily = stringOf(r.resource.Properties?.Family, r.resolver);
    const fromFamily = groupFamily.known ? /^postgres(\d+)$/i.exec(groupFamily.value ?? '') : null;
    const engineMajor = major ?? (fromFamily ? Number(fromFamily[1]) : undefined);
    if (/^postgres$/i.test(engine) && engineMajor !== undefined && engineMajor >= FORCE_SSL_BY_DEFAULT_FROM_MAJOR)
      return pass(
        `${family.parameter} not set in ${r.logicalId}: PostgreSQL ${engineMajor}'s default (1) applies`,
        where,
      );
    return fail(`${family.parameter} not set in ${r.logicalId}, so the engine's default applies`, where);
  }
  const v = stringOf(value, r.resolver);
  if (!v.known) return cannotVerify(`${family.parameter} in ${r.logicalId} is ${v.why}`, where);
  return family.on.test(v.value ?? '')
    ? pass(`${family.parameter}=${v.value} in ${r.logicalId}${viaOf(v)}`, where)
    : fail(`${family.parameter}=${describe(v.value)} in ${r.logicalId}${viaOf(v)}`, where);
}

/**
 * A blue/green deployment (`AWS::RDS::Deployment`) copies its source into a green database, which becomes production
 * at switchover: judged on the parameter group it names for green (or, for a new engine version alone, that version's
 * default group). Without either, green keeps the source's group, which is judged on the source.
 */
function blueGreenOutcomes(p: Record<string, unknown>, context: RuleContext): RuleOutcome[] {
  const source = sourceDatabaseOf(p.Source, context.resolver);
  if (!source) {
    return [
      cannotVerify(
        `Source=${describe(p.Source)}: a database outside this template, whose engine the gate cannot read`,
        'Properties/Source',
      ),
    ];
  }
  const isCluster = source.type === 'AWS::RDS::DBCluster';
  const key = isCluster ? 'TargetDBClusterParameterGroupName' : 'TargetDBParameterGroupName';
  const target = stringOf(p.TargetEngineVersion, context.resolver);
  if (p[key] === undefined && p.TargetEngineVersion === undefined) {
    return [pass(`${key} not set: green keeps the parameter group of ${source.logicalId}, judged on its own`)];
  }
  const sourceProps = props(context.template.Resources![source.logicalId]);
  const engine = stringOf(sourceProps.Engine, context.resolver);
  const family = engine.known ? FAMILIES.find((f) => f.engine.test(engine.value ?? '')) : undefined;
  if (!engine.known || !family) {
    return [
      cannotVerify(
        `the engine of ${source.logicalId} is not one whose TLS setting the gate knows`,
        'Properties/Source',
      ),
    ];
  }
  if (!target.known) return [cannotVerify(`TargetEngineVersion is ${target.why}`, 'Properties/TargetEngineVersion')];
  const sourceVersion = stringOf(sourceProps.EngineVersion, context.resolver);
  const version = target.value ?? (sourceVersion.known ? sourceVersion.value : undefined);
  return [judgeGroup(p[key], key, engine.value!, version, context, family)];
}

/** SS-RDS-005: the database refuses connections that are not TLS, for every engine family. */
export const tlsForced: PolicyRule = {
  id: 'SS-RDS-005',
  title: 'TLS is forced by the DB parameter group',
  rationale:
    'A server that refuses unencrypted connections keeps credentials and data off the network in clear text, whatever a client asks for: rds.force_ssl=1 (PostgreSQL, SQL Server), require_secure_transport=ON (MySQL, MariaDB).',
  fix: "Use a parameter group that forces TLS: { 'rds.force_ssl': '1' } for PostgreSQL and SQL Server, { require_secure_transport: 'ON' } for MySQL and MariaDB.",
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::Deployment'],
  evaluate(resource, context) {
    const p = props(resource);
    if (resource.Type === 'AWS::RDS::Deployment') return blueGreenOutcomes(p, context);
    const member = clusterMembership(resource, context);
    if (member === 'here') return [];
    if (member !== 'none') return [member];
    const engine = stringOf(p.Engine, context.resolver);
    if (!engine.known) return [cannotVerify(`Engine is ${engine.why}`, 'Properties/Engine')];
    // A replica or restore without Engine takes the source's: its parameter group still decides.
    const name = engine.value ?? '';
    const family = FAMILIES.find((f) => f.engine.test(name));
    if (!family) {
      return [
        cannotVerify(
          `Engine=${name || 'not set'}: the gate judges TLS for PostgreSQL, MySQL, MariaDB and SQL Server`,
          'Properties/Engine',
        ),
      ];
    }
    const version = stringOf(p.EngineVersion, context.resolver);
    const isCluster = resource.Type === 'AWS::RDS::DBCluster';
    const key = isCluster ? 'DBClusterParameterGroupName' : 'DBParameterGroupName';
    return [judgeGroup(p[key], key, name, version.known ? version.value : undefined, context, family)];
  },
};
