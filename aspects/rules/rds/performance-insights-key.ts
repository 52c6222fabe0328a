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
    // An Aurora instance may carry its own setting; without one the cluster's applies.
    if (!isCluster && p[keyKey] === undefined && clusterMembership(resource, context) !== 'none') return [];
    const key = classifyKey(keyKey, p[keyKey], context.resolver, 'aws/rds');
    const where = `Properties/${keyKey}`;
    return [keyOutcome(key, where)];
  },
};
