import type { Resolver } from '../../resolve';
import { PolicyRule, cannotVerify, props } from '../../rule';
import { describe } from '../../template';

/**
 * The DMS resources that move rows: a task or serverless replication (endpoints), a migration project (providers), a
 * homogeneous data migration of a project.
 */
const MIGRATION_TYPES = [
  'AWS::DMS::ReplicationTask',
  'AWS::DMS::ReplicationConfig',
  'AWS::DMS::MigrationProject',
  'AWS::DMS::DataMigration',
];

/** `key=<the endpoint's logical id>` for an endpoint of the app, else the value as written. */
function endpointOf(key: string, value: unknown, resolver: Resolver): string {
  if (value === undefined) return `${key} not set`;
  const r = resolver.resolve(value);
  return r.kind === 'resource' ? `${key}=${r.logicalId} (${r.type})` : `${key}=${describe(value)}`;
}

/**
 * SS-DB-003: AWS DMS copies a database's rows (a full load, then every change) to a target: another database, S3,
 * Kinesis, OpenSearch. None of those targets is judged by a kit rule, and an endpoint's server name does not say whether
 * it is one of the app's databases, so the gate cannot prove where the data goes or how it is kept there; prod refuses
 * a migration until a review accepts it.
 */
export const dataMigrationReviewed: PolicyRule = {
  id: 'SS-DB-003',
  title: 'A DMS migration or replication of the data is reviewed',
  rationale:
    "DMS copies every row of its source, and then every change, to a target no kit rule judges (its encryption, exposure, retention); the template shows endpoints by server name, not whether they are the app's database.",
  fix: 'Acknowledge SS-DB-003 on the replication task, replication config, migration project or data migration with the review of its target: who can read it, its encryption and how long it keeps the data.',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: MIGRATION_TYPES,
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const ends =
      resource.Type === 'AWS::DMS::DataMigration'
        ? [endpointOf('MigrationProjectIdentifier', p.MigrationProjectIdentifier, resolver)]
        : resource.Type === 'AWS::DMS::MigrationProject'
          ? [
              endpointOf('SourceDataProviderDescriptors', p.SourceDataProviderDescriptors, resolver),
              endpointOf('TargetDataProviderDescriptors', p.TargetDataProviderDescriptors, resolver),
            ]
          : [
              endpointOf('SourceEndpointArn', p.SourceEndpointArn, resolver),
              endpointOf('TargetEndpointArn', p.TargetEndpointArn, resolver),
            ];
    return [cannotVerify(`${resource.Type} ${ends.join(', ')}: copies the source's data to a target no rule judges`)];
  },
};
