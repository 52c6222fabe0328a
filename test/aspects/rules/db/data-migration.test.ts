import { NestedStack, Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { dataMigrationReviewed } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { compliantInstance } from '../../../support/constructs';

const ID = dataMigrationReviewed.id;

/** A DMS task reading the app's database into S3: a source endpoint on the instance, a target bucket endpoint. */
function migration(s: Stack) {
  const db = compliantInstance(s);
  const source = new dms.CfnEndpoint(s, 'Source', {
    endpointType: 'source',
    engineName: 'postgres',
    serverName: db.dbInstanceEndpointAddress,
    port: 5432,
    databaseName: 'orders',
    sslMode: 'require',
  });
  const target = new dms.CfnEndpoint(s, 'Target', {
    endpointType: 'target',
    engineName: 's3',
    s3Settings: { bucketName: 'orders-export', serviceAccessRoleArn: 'arn:aws:iam::111111111111:role/dms' },
  });
  return new dms.CfnReplicationTask(s, 'Task', {
    migrationType: 'full-load-and-cdc',
    replicationInstanceArn: 'arn:aws:dms:us-east-1:111111111111:rep:orders',
    sourceEndpointArn: source.ref,
    targetEndpointArn: target.ref,
    tableMappings: '{"rules":[]}',
  });
}
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity}: ${r.evidence}`);

describe(`${ID} DMS copies of the data`, () => {
  test('a replication task out of the database cannot be verified in prod, and names its endpoints', () => {
    expect(verdicts(judgeStack('prod', migration))).toEqual([
      "cannot-verify error: AWS::DMS::ReplicationTask SourceEndpointArn=Source (AWS::DMS::Endpoint), TargetEndpointArn=Target (AWS::DMS::Endpoint): copies the source's data to a target no rule judges",
    ]);
  });

  test('warns in staging, and is not judged in dev', () => {
    expect(verdicts(judgeStack('staging', migration))).toEqual([expect.stringMatching(/^cannot-verify warning/)]);
    expect(verdicts(judgeStack('dev', migration))).toEqual([]);
  });

  test('judges DMS Serverless, migration projects and their data migrations, in a nested stack too', () => {
    const run = judgeStack('prod', (s) => {
      const nested = new NestedStack(s, 'Migration');
      new dms.CfnReplicationConfig(nested, 'Serverless', {
        replicationConfigIdentifier: 'orders',
        replicationType: 'full-load-and-cdc',
        sourceEndpointArn: 'arn:aws:dms:us-east-1:111111111111:endpoint:source',
        targetEndpointArn: 'arn:aws:dms:us-east-1:111111111111:endpoint:target',
        computeConfig: { maxCapacityUnits: 4 },
        tableMappings: { rules: [] },
      });
      new dms.CfnMigrationProject(nested, 'Project', {
        sourceDataProviderDescriptors: [{ dataProviderIdentifier: 'orders-prod' }],
        targetDataProviderDescriptors: [{ dataProviderIdentifier: 'warehouse' }],
      });
      new dms.CfnDataMigration(nested, 'Copy', {
        dataMigrationType: 'full-load-and-cdc',
        migrationProjectIdentifier: 'arn:aws:dms:us-east-1:111111111111:migration-project:orders',
        serviceAccessRoleArn: 'arn:aws:iam::111111111111:role/dms',
      });
    });
    expect(
      resultsOf(run, ID)
        .map((r) => `${r.status} ${r.resourceType}`)
        .sort(),
    ).toEqual([
      'cannot-verify AWS::DMS::DataMigration',
      'cannot-verify AWS::DMS::MigrationProject',
      'cannot-verify AWS::DMS::ReplicationConfig',
    ]);
  });

  test('a reviewed migration may be acknowledged in prod', () => {
    const run = judgeStack('prod', (s) =>
      acknowledge(migration(s), {
        ruleId: ID,
        reason: 'The one-off export to the encrypted, private analytics bucket, reviewed by security.',
        owner: 'team-db',
        expires: '2099-01-01',
      }),
    );
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'acknowledged' })]);
  });
});
