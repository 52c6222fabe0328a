import { classifyKey, keyOutcome } from '../../kms';
import { describeShort } from '../../resolve';
import type { Resolver } from '../../resolve';
import { PolicyRule, RuleContext, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import { stringOf } from '../../template';
import type { TemplateResource } from '../../template';

/**
 * The log groups RDS creates at deploy time for exported logs, unless the app created them first (with a key):
 * `/aws/rds/instance/<identifier>/<log>` and `/aws/rds/cluster/<identifier>/<log>`.
 */
/** The names of every log group the app's templates create, lower-cased. */
function logGroupNames(templates: readonly Resolver[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const t of templates) {
    for (const r of Object.values(t.template.Resources ?? {})) {
      if (r.Type !== 'AWS::Logs::LogGroup') continue;
      const name = stringOf(r.Properties?.LogGroupName, t);
      if (name.known && name.value) names.add(name.value.toLowerCase());
    }
  }
  return names;
}

function exportedLogGroups(resource: TemplateResource, context: RuleContext): RuleOutcome[] {
  const p = props(resource);
  const exports = p.EnableCloudwatchLogsExports;
  if (exports === undefined) return [];
  const where = 'Properties/EnableCloudwatchLogsExports';
  if (!Array.isArray(exports)) return [cannotVerify(`EnableCloudwatchLogsExports is ${describeShort(exports)}`, where)];
  if (exports.length === 0) return [];
  const kind = resource.Type === 'AWS::RDS::DBCluster' ? 'cluster' : 'instance';
  const idKey = kind === 'cluster' ? 'DBClusterIdentifier' : 'DBInstanceIdentifier';
  const id = stringOf(p[idKey], context.resolver);
  if (!id.known || id.value === undefined) {
    return [
      fail(
        `exports ${exports.map((e) => describeShort(e)).join(', ')} without a fixed ${idKey}: RDS creates their log groups at deploy time, with no KMS key`,
        where,
      ),
    ];
  }
  // Every template of the app may create the group: a team's logging stack, the kit's own stack.
  const created = context.resolver.appIndex('log-group-names', logGroupNames);
  return exports.map((e) => {
    const group = `/aws/rds/${kind}/${id.value!.toLowerCase()}/${describeShort(e)}`;
    return created.has(group)
      ? pass(`log group ${group} is created by the app, judged on its own`, where)
      : fail(
          `exports ${describeShort(e)}, but no log group ${group} is in the app: RDS creates it at deploy time, with no KMS key`,
          where,
        );
  });
}

/** SS-LOG-001: log groups, which receive database and connection logs, are encrypted with a customer-managed key. */
export const logGroupEncryption: PolicyRule = {
  id: 'SS-LOG-001',
  title: 'Log groups are encrypted with a customer-managed KMS key',
  equivalents: ['*-CloudWatchLogGroupEncrypted'],
  rationale:
    "PostgreSQL logs, connection logs and flow logs can carry statement text and client addresses; without a KMS key they are encrypted only with CloudWatch Logs' own key, which no key policy or CloudTrail record governs.",
  fix: 'Pass encryptionKey: <your kms.Key> to the logs.LogGroup (the key policy must allow the logs service principal); for exported RDS logs, create /aws/rds/instance/<identifier>/<log> that way before the database.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::Logs::LogGroup', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    if (resource.Type !== 'AWS::Logs::LogGroup') return exportedLogGroups(resource, context);
    const value = props(resource).KmsKeyId;
    const where = 'Properties/KmsKeyId';
    if (value === undefined) return [fail("KmsKeyId not set (CloudWatch Logs' own encryption)", where)];
    return [keyOutcome(classifyKey('KmsKeyId', value, context.resolver, 'logs'), where)];
  },
};
