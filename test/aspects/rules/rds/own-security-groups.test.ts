import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ownSecurityGroups } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { cfnOf, compliantInstance, testVpc } from '../../../support/constructs';

const ID = ownSecurityGroups.id;
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.resourceType} ${r.status} ${r.severity} ${r.evidence}`);

describe(`${ID} database security groups are defined in the app`, () => {
  test('passes the group an L2 instance creates', () => {
    expect(verdicts(judgeStack('prod', (s) => compliantInstance(s)))).toEqual([
      'AWS::RDS::DBInstance pass error VPCSecurityGroups: 1 security group of the app',
    ]);
  });

  test.each(['dev', 'prod'] as const)(
    'cannot verify a group imported by id (L2 SecurityGroup.fromSecurityGroupId), in %s',
    (env) => {
      const run = judgeStack(env, (s) =>
        compliantInstance(s, {
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'Shared', 'sg-0123456789abcdef0')],
        }),
      );
      expect(verdicts(run)).toEqual([
        `AWS::RDS::DBInstance cannot-verify ${env === 'prod' ? 'error' : 'warning'} VPCSecurityGroups: sg-0123456789abcdef0: a group outside this app, whose rules the gate cannot read`,
      ]);
    },
  );

  test('cannot verify an L1 instance with no group (the VPC default) or a group from a parameter', () => {
    const run = judgeStack('prod', (s: Stack) => {
      new rds.CfnDBInstance(s, 'NoGroup', { engine: 'postgres' });
      new rds.CfnDBInstance(s, 'Param', {
        engine: 'postgres',
        vpcSecurityGroups: [new CfnParameter(s, 'Group', { type: 'AWS::EC2::SecurityGroup::Id' }).valueAsString],
      });
    });
    expect(verdicts(run)).toEqual([
      "AWS::RDS::DBInstance cannot-verify error VPCSecurityGroups not set: RDS uses the VPC's default security group, whose rules the template does not show",
      'AWS::RDS::DBInstance cannot-verify error VPCSecurityGroups: parameter Group: a group outside this app, whose rules the gate cannot read',
    ]);
  });

  test('cannot verify an escape hatch that swaps the group of an L2 instance', () => {
    const run = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addPropertyOverride('VPCSecurityGroups', ['sg-0123456789abcdef0']),
    );
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'cannot-verify' })]);
  });

  test('judges an Aurora cluster and a proxy, not the cluster members', () => {
    const run = judgeStack('prod', (s) => {
      const vpc = testVpc(s);
      const cluster = new rds.DatabaseCluster(s, 'Cluster', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        writer: rds.ClusterInstance.provisioned('Writer'),
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'Shared', 'sg-0123456789abcdef0')],
      });
      cluster.addProxy('Proxy', { secrets: [cluster.secret!], vpc });
    });
    expect(resultsOf(run, ID).map((r) => `${r.resourceType} ${r.status}`)).toEqual([
      'AWS::RDS::DBProxy pass',
      'AWS::RDS::DBCluster cannot-verify',
    ]);
  });

  describe('a proxy endpoint, a door of its own to the database', () => {
    const withEndpoint = (groups: (s: Stack, vpc: ec2.IVpc) => string[] | undefined) => (s: Stack) => {
      const db = compliantInstance(s);
      const proxy = db.addProxy('Proxy', { secrets: [db.secret!], vpc: db.vpc, requireTLS: true });
      new rds.CfnDBProxyEndpoint(s, 'Endpoint', {
        dbProxyName: proxy.dbProxyName,
        dbProxyEndpointName: 'orders-vendor',
        vpcSubnetIds: db.vpc.isolatedSubnets.map((n) => n.subnetId),
        vpcSecurityGroupIds: groups(s, db.vpc),
      });
    };
    const endpoint = (run: ReturnType<typeof judgeStack>) =>
      verdicts(run).filter((v) => v.startsWith('AWS::RDS::DBProxyEndpoint'));
    test.each([
      ['a group imported by id (L1)', () => ['sg-0123456789abcdef0'], /sg-0123456789abcdef0: a group outside this app/],
      ["no group (the VPC's default)", () => undefined, /VpcSecurityGroupIds not set: RDS uses the VPC's default/],
    ])('cannot verify %s', (_, groups, evidence) => {
      expect(endpoint(judgeStack('prod', withEndpoint(groups)))).toEqual([
        expect.stringMatching(new RegExp(`^AWS::RDS::DBProxyEndpoint cannot-verify error .*${evidence.source}`)),
      ]);
    });
    test('passes a group of the app', () => {
      const run = judgeStack(
        'prod',
        withEndpoint((s, vpc) => [new ec2.SecurityGroup(s, 'Vendor', { vpc }).securityGroupId]),
      );
      expect(endpoint(run)).toEqual([
        'AWS::RDS::DBProxyEndpoint pass error VpcSecurityGroupIds: 1 security group of the app',
      ]);
    });
  });

  test('passes a group of another stack of the app, followed through the export', () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const network = new Stack(app, 'Network');
        const group = new ec2.SecurityGroup(network, 'Db', { vpc: testVpc(network) });
        new rds.CfnDBInstance(new Stack(app, 'Data'), 'Db', {
          engine: 'postgres',
          dbSubnetGroupName: 'x',
          vpcSecurityGroups: [group.securityGroupId],
        });
      },
    );
    expect(resultsOf(run, ID).map((r) => `${r.stack} ${r.status} ${r.evidence}`)).toEqual([
      'Data pass VPCSecurityGroups: 1 security group of the app',
    ]);
  });
});
