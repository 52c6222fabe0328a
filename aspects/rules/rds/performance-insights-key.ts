import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, cannotVerify, clusterMembership, props } from '../../rule';
import { booleanOf } from '../../template';

/** SS-RDS-010: Performance Insights data, which holds query text, is encrypted with a customer-managed key. */
export const performanceInsightsKey: PolicyRule = {
  id: 'SS-RDS-010',
  title: 'Performance Insights is encrypted with a customer-managed KMS key',
  rationale:
    'Performance Insights keeps SQL text and wait statistics; without a key of its own it uses the AWS-managed aws/rds key, whose policy the team cannot restrict.',
  fix: 'Set performanceInsightEncryptionKey: <your kms.Key> when Performance Insights is on.',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    const p = props(resource);
    const isCluster = resource.Type === 'AWS::RDS::DBCluster';
    const [enabledKey, keyKey] = isCluster
      ? ['PerformanceInsightsEnabled', 'PerformanceInsightsKmsKeyId']
      : ['EnablePerformanceInsights', 'PerformanceInsightsKMSKeyId'];
    const enabled = booleanOf(p[enabledKey], context.resolver, false);
    if (!enabled.known) return [cannotVerify(`${enabledKey} is ${enabled.why}`, `Properties/${enabledKey}`)];
    if (!enabled.value) return [];
    // Aurora turns Performance Insights on per instance; an instance without a key of its own uses its cluster's.
    let value = p[keyKey];
    if (!isCluster && value === undefined && clusterMembership(resource, context) === 'here') {
      const cluster = context.resolver.resolve(p.DBClusterIdentifier);
      if (cluster.kind === 'resource') value = cluster.resource.Properties?.PerformanceInsightsKmsKeyId;
    }
    const key = classifyKey(keyKey, value, context.resolver, 'aws/rds');
    const where = `Properties/${keyKey}`;
    return [keyOutcome(key, where)];
  },
};
