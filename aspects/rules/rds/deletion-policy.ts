import { PolicyRule, cannotVerify, clusterMembership, fail, pass } from '../../rule';
import { describe } from '../../template';

const KEEPS_DATA = ['Snapshot', 'Retain', 'RetainExceptOnCreate'];

/** SS-RDS-007: removing the database from the stack keeps its data. */
export const deletionPolicy: PolicyRule = {
  id: 'SS-RDS-007',
  title: 'Removing the database keeps its data (Snapshot or Retain)',
  rationale:
    'With DeletionPolicy Delete, a stack deletion or a resource replacement destroys the data and, after the retention period, every automated backup.',
  fix: 'Set removalPolicy: RemovalPolicy.SNAPSHOT (or RETAIN) on the database (kit: -c removalPolicy=snapshot).',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    // The data of a cluster member lives in the cluster's volume: the cluster's policy decides.
    if (clusterMembership(resource, context) !== 'none') return [];
    const outcomes = [];
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const value = resource[key];
      if (value !== undefined && typeof value !== 'string') {
        outcomes.push(cannotVerify(`${key} is ${describe(value)}`, key));
      } else if (value === undefined) {
        // CloudFormation's default DeletionPolicy for RDS instances and clusters is Snapshot; on replacement it deletes.
        outcomes.push(
          key === 'DeletionPolicy'
            ? pass(`${key} not set (default Snapshot)`, key)
            : fail(`${key} not set (default Delete)`, key),
        );
      } else {
        outcomes.push(KEEPS_DATA.includes(value) ? pass(`${key}=${value}`, key) : fail(`${key}=${value}`, key));
      }
    }
    return outcomes;
  },
};
