import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { privateSubnets } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { compliantInstance } from '../../../support/constructs';

const ID = privateSubnets.id;

describe(`${ID} database subnets have no route to an internet gateway`, () => {
  test('passes isolated subnets of a VPC in the template, naming them', () => {
    const run = judgeStack('prod', (s) => compliantInstance(s));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'pass',
      evidence: expect.stringMatching(/have no route to an internet gateway/),
    });
  });

  test('fails public subnets (L2)', () => {
    const run = judgeStack('prod', (s) => {
      const vpc = new ec2.Vpc(s, 'Pub', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }],
      });
      compliantInstance(s, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/route to an internet gateway/),
    });
  });

  test('fails an L1 instance with no subnet group (the default VPC)', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'Db', { engine: 'postgres' })),
        ID,
      ),
    ).toBe('fail');
  });

  test('fails the named default subnet group', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', dbSubnetGroupName: 'default' }),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });

  test('cannot verify a subnet group or subnets outside the app', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', dbSubnetGroupName: 'shared' })),
        ID,
      ),
    ).toBe('cannot-verify');
    const run = judgeStack('prod', (s) => {
      const group = new rds.CfnDBSubnetGroup(s, 'G', {
        dbSubnetGroupDescription: 'g',
        subnetIds: ['subnet-1', 'subnet-2'],
      });
      new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', dbSubnetGroupName: group.ref });
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'cannot-verify',
      evidence: expect.stringMatching(/subnet-1 is a subnet outside this app/),
    });
  });

  test('fails a raw route to an internet gateway added to isolated subnets (escape hatch)', () => {
    const run = judgeStack('prod', (s) => {
      const db = compliantInstance(s);
      const vpc = db.vpc as ec2.Vpc;
      const igw = new ec2.CfnInternetGateway(s, 'Igw');
      const subnet = vpc.isolatedSubnets[0] as ec2.Subnet;
      new CfnResource(s, 'Route', {
        type: 'AWS::EC2::Route',
        properties: {
          RouteTableId: subnet.routeTable.routeTableId,
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: igw.ref,
        },
      });
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
});
