import { CfnParameter, CfnResource, NestedStack } from 'aws-cdk-lib';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lightsail from 'aws-cdk-lib/aws-lightsail';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { otherDatabaseNotPublic, otherDatabaseService } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { testVpc } from '../../../support/constructs';

const SERVICE = otherDatabaseService.id;
const PUBLIC = otherDatabaseNotPublic.id;
const verdicts = (run: ReturnType<typeof judgeStack>, id: string) =>
  resultsOf(run, id).map((r) => `${r.resourceType} ${r.status} ${r.severity}`);
const review = (ruleId: string) => ({
  ruleId,
  reason: 'The analytics warehouse was reviewed by the data platform team.',
  owner: 'team-data',
  expires: '2099-01-01',
});

function lightsailDatabase(scope: Parameters<Parameters<typeof judgeStack>[1]>[0], publiclyAccessible?: boolean) {
  return new lightsail.CfnDatabase(scope, 'Lightsail', {
    relationalDatabaseName: 'spendsense',
    relationalDatabaseBlueprintId: 'postgres_16',
    relationalDatabaseBundleId: 'micro_2_0',
    masterDatabaseName: 'spendsense',
    masterUsername: 'spendsense',
    backupRetention: false,
    ...(publiclyAccessible === undefined ? {} : { publiclyAccessible }),
  });
}

function redshiftCluster(scope: Parameters<Parameters<typeof judgeStack>[1]>[0], publiclyAccessible?: unknown) {
  return new redshift.CfnCluster(scope, 'Warehouse', {
    clusterType: 'single-node',
    nodeType: 'ra3.large',
    dbName: 'spendsense',
    masterUsername: 'spendsense',
    manageMasterPassword: true,
    ...(publiclyAccessible === undefined ? {} : { publiclyAccessible: publiclyAccessible as boolean }),
  });
}

describe(`${SERVICE} database on another service`, () => {
  test('an L2 DocumentDB cluster cannot be verified in prod, warns in staging and is not judged in dev', () => {
    const build = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) =>
      new docdb.DatabaseCluster(s, 'Docs', {
        masterUser: { username: 'spendsense' },
        vpc: testVpc(s),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
      });
    expect(verdicts(judgeStack('prod', build), SERVICE)).toEqual(['AWS::DocDB::DBCluster cannot-verify error']);
    expect(verdicts(judgeStack('staging', build), SERVICE)).toEqual(['AWS::DocDB::DBCluster cannot-verify warning']);
    expect(verdicts(judgeStack('dev', build), SERVICE)).toEqual([]);
  });

  test.each([
    ['AWS::Lightsail::Database', { RelationalDatabaseBlueprintId: 'postgres_16' }],
    ['AWS::DSQL::Cluster', { DeletionProtectionEnabled: true }],
    ['AWS::Neptune::DBCluster', {}],
    ['AWS::RedshiftServerless::Namespace', { NamespaceName: 'spendsense' }],
    ['AWS::MemoryDB::Cluster', { NodeType: 'db.r6g.large' }],
    ['AWS::Timestream::InfluxDBInstance', { DbInstanceType: 'db.influx.medium' }],
  ])('a bare %s blocks prod', (type, properties) => {
    const run = judgeStack('prod', (s) => new CfnResource(s, 'Db', { type, properties }));
    expect(verdicts(run, SERVICE)).toEqual([`${type} cannot-verify error`]);
  });

  test('a database inside a NestedStack is judged with its parent', () => {
    const run = judgeStack('prod', (s) => lightsailDatabase(new NestedStack(s, 'Inner'), false));
    expect(verdicts(run, SERVICE)).toEqual(['AWS::Lightsail::Database cannot-verify error']);
  });

  test('a review may accept it in prod', () => {
    const run = judgeStack('prod', (s) => acknowledge(redshiftCluster(s, false), review(SERVICE)));
    expect(resultsOf(run, SERVICE).map((r) => r.status)).toEqual(['acknowledged']);
  });

  test('DynamoDB tables and ElastiCache groups are not its', () => {
    const run = judgeStack('prod', (s) => {
      new CfnResource(s, 'Table', { type: 'AWS::DynamoDB::Table', properties: {} });
      new CfnResource(s, 'Cache', { type: 'AWS::ElastiCache::ReplicationGroup', properties: {} });
    });
    expect(resultsOf(run, SERVICE)).toEqual([]);
  });
});

describe(`${PUBLIC} database of another service is not public`, () => {
  test.each(['dev', 'staging', 'prod'] as const)('fails a public Lightsail PostgreSQL in %s', (env) => {
    expect(
      verdicts(
        judgeStack(env, (s) => lightsailDatabase(s, true)),
        PUBLIC,
      ),
    ).toEqual(['AWS::Lightsail::Database fail error']);
  });

  test('cannot verify a Lightsail database that leaves it unset: CloudFormation documents no default', () => {
    const run = judgeStack('prod', (s) => lightsailDatabase(s));
    expect(resultsOf(run, PUBLIC)).toEqual([
      expect.objectContaining({ status: 'cannot-verify', evidence: expect.stringContaining('documents no default') }),
    ]);
  });

  test('passes a private one, and an unset Redshift cluster (CloudFormation defaults it to false)', () => {
    expect(
      verdicts(
        judgeStack('prod', (s) => lightsailDatabase(s, false)),
        PUBLIC,
      ),
    ).toEqual(['AWS::Lightsail::Database pass error']);
    expect(
      resultsOf(
        judgeStack('prod', (s) => redshiftCluster(s)),
        PUBLIC,
      ),
    ).toEqual([expect.objectContaining({ status: 'pass', evidence: 'PubliclyAccessible=false (not set)' })]);
  });

  test('fails an escape hatch that makes a Redshift cluster public', () => {
    const run = judgeStack('prod', (s) => redshiftCluster(s, false).addPropertyOverride('PubliclyAccessible', 'true'));
    expect(verdicts(run, PUBLIC)).toEqual(['AWS::Redshift::Cluster fail error']);
  });

  test('fails a Redshift Serverless workgroup made public, and a parameter that may make it so', () => {
    const run = judgeStack('prod', (s) => {
      new rss.CfnWorkgroup(s, 'Open', { workgroupName: 'open', publiclyAccessible: true });
      const choice = new CfnParameter(s, 'Public', { type: 'String', allowedValues: ['true', 'false'] });
      new CfnResource(s, 'Chosen', {
        type: 'AWS::RedshiftServerless::Workgroup',
        properties: { WorkgroupName: 'chosen', PubliclyAccessible: choice.valueAsString },
      });
    });
    expect(verdicts(run, PUBLIC)).toEqual([
      'AWS::RedshiftServerless::Workgroup fail error',
      'AWS::RedshiftServerless::Workgroup fail error',
    ]);
  });

  test('fails a Neptune Analytics graph with public connectivity', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Graph', {
          type: 'AWS::NeptuneGraph::Graph',
          properties: { ProvisionedMemory: 16, PublicConnectivity: true },
        }),
    );
    expect(verdicts(run, PUBLIC)).toEqual(['AWS::NeptuneGraph::Graph fail error']);
  });

  test('an acknowledgement of the service does not accept a public endpoint; one of this rule is refused in prod', () => {
    const run = judgeStack('prod', (s) => acknowledge(lightsailDatabase(s, true), review(SERVICE), review(PUBLIC)));
    expect(resultsOf(run, SERVICE).map((r) => r.status)).toEqual(['acknowledged']);
    expect(resultsOf(run, PUBLIC).map((r) => r.status)).toEqual(['fail']);
    expect(resultsOf(run, 'SS-ACK-002').map((r) => r.evidence)).toEqual([`${PUBLIC} may not be acknowledged in prod`]);
  });
});
