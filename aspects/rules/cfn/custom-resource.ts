import type { PolicyRule } from '../../rule';
import { isRegistryExtension, SETTING_CARRIER_TYPES, unseenSettings } from './custom-resource-properties';

/**
 * SS-CFN-003: what a custom resource creates is out of the gate's sight, so it may not carry database settings of
 * controls prod may waive (those prod cannot waive are SS-CFN-004's).
 */
export const customResourceSettings: PolicyRule = {
  id: 'SS-CFN-003',
  title: 'No custom resource or AWS API call of the template carries database settings',
  rationale:
    'A custom resource runs code at deploy time that can change a database with the properties it is given, a Scheduler target or Step Functions task of the aws-sdk integrations calls the AWS API with the parameters it holds, and an SSM association, maintenance window task, Config remediation, EventBridge rule or pipe runs a document or command with the input it holds; the gate sees only those properties, not what the call does.',
  fix: 'Model the change with the CloudFormation resource itself (rds.DatabaseInstance, rds.ParameterGroup, ...) so its rules judge it, or acknowledge SS-CFN-003 on the custom resource with a review of its handler.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: SETTING_CARRIER_TYPES,
  alsoJudges: isRegistryExtension,
  evaluate: (resource, context) => unseenSettings(resource, context, 'waivable'),
};
