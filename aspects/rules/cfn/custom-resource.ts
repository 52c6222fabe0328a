import { PolicyRule, RuleOutcome, cannotVerify } from '../../rule';
import { CUSTOM_RESOURCE_TYPES, customResourceSettingsOf } from './custom-resource-properties';

/**
 * SS-CFN-003: what a custom resource creates is out of the gate's sight, so it may not carry database settings of
 * controls prod may waive (those prod cannot waive are SS-CFN-004's).
 */
export const customResourceSettings: PolicyRule = {
  id: 'SS-CFN-003',
  title: 'No custom resource carries database settings',
  rationale:
    'A custom resource runs code at deploy time that can change a database with the properties it is given; the gate sees only those properties, not what the code does with them.',
  fix: 'Model the change with the CloudFormation resource itself (rds.DatabaseInstance, rds.ParameterGroup, ...) so its rules judge it, or acknowledge SS-CFN-003 on the custom resource with a review of its handler.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: CUSTOM_RESOURCE_TYPES,
  evaluate(resource, { resolver }) {
    return customResourceSettingsOf(resource, resolver)
      .filter((s) => s.class === 'waivable')
      .map((s): RuleOutcome =>
        cannotVerify(`Properties/${s.evidence}: applied by the custom resource's handler, unseen`, 'Properties'),
      );
  },
};
