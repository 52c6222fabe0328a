import type { PolicyRule } from '../../rule';
import { isRegistryExtension, SETTING_CARRIER_TYPES, unseenSettings } from './custom-resource-properties';

/**
 * SS-CFN-004: a custom resource may not carry a network range or a setting of a control prod cannot waive. Accepting
 * it would accept what the handler does with that setting (turn deletion protection off, open an ingress rule), which
 * prod refuses to acknowledge on the resource itself.
 */
export const customResourceUnwaivableSettings: PolicyRule = {
  id: 'SS-CFN-004',
  title: 'No custom resource or AWS API call of the template carries network ranges or settings prod cannot waive',
  rationale:
    'A custom resource handler applies its properties at deploy time, unseen: one given an ingress range, public access, deletion protection, Multi-AZ or an encryption key can do what prod never accepts on the resource itself, so prod cannot accept it here either.',
  fix: 'Model the change with the CloudFormation resource itself (ec2.SecurityGroup, rds.DatabaseInstance, ...) so its rules judge it; prod cannot acknowledge SS-CFN-004.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: SETTING_CARRIER_TYPES,
  alsoJudges: isRegistryExtension,
  evaluate: (resource, context) => unseenSettings(resource, context, 'unwaivable'),
};
