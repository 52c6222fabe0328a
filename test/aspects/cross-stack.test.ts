import { App, CustomResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { markComplianceTarget } from '../../aspects/environment';
import { judgeStack } from '../support/compliance';
import { compliantInstance, testVpc } from '../support/constructs';

/**
 * Resources that cross stacks are judged as strictly as the strictest stack that depends on them or that they act
 * on. The team's stack (`TeamStack`) is dev; `Prod` is marked prod.
 */
const PROD = { environment: 'prod', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 14 } as const;

function prodStack(app: App): Stack {
  const prod = new Stack(app, 'Prod');
  markComplianceTarget(prod, PROD);
  return prod;
}

const team = (app: App) => app.node.findChild('TeamStack') as Stack;
/** The team's dev stack (empty) beside the stacks `build` adds to the app. */
const judgeApp = (build: (app: App) => void) => judgeStack('dev', () => undefined, {}, build);
const inTeam = (run: ReturnType<typeof judgeStack>, ruleId: string) =>
  run.results.filter((r) => r.stack === 'TeamStack' && r.ruleId === ruleId);

describe('a resource of a dev stack that a prod stack uses is judged as prod', () => {
  test('a security group open to a public range, in front of a prod database (L2 group, L1 database)', () => {
    const run = judgeApp((app) => {
      const vpc = testVpc(team(app));
      const vendor = new ec2.SecurityGroup(team(app), 'Vendor', { vpc, allowAllOutbound: false });
      vendor.addIngressRule(ec2.Peer.ipv4('198.51.100.0/24'), ec2.Port.tcp(5432), 'vendor office');
      new rds.CfnDBInstance(prodStack(app), 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.m7g.large',
        vpcSecurityGroups: [vendor.securityGroupId],
      });
    });
    expect(inTeam(run, 'SS-EC2-001')).toEqual([
      expect.objectContaining({
        status: 'fail',
        severity: 'error',
        judgedIn: 'prod',
        evidence: expect.stringMatching(/198\.51\.100\.0\/24 \(public\).*\(judged as prod: used by Prod\/Db\)$/),
      }),
    ]);
  });
  test('an ingress rule (L1) of the dev stack on that group is judged as prod too', () => {
    const run = judgeApp((app) => {
      const vpc = testVpc(team(app));
      const vendor = new ec2.SecurityGroup(team(app), 'Vendor', { vpc, allowAllOutbound: false });
      new ec2.CfnSecurityGroupIngress(team(app), 'Office', {
        groupId: vendor.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        cidrIp: '198.51.100.7/32',
      });
      new rds.CfnDBInstance(prodStack(app), 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.m7g.large',
        vpcSecurityGroups: [vendor.securityGroupId],
      });
    });
    // A single public host is tolerated in dev only.
    expect(inTeam(run, 'SS-EC2-001').map((r) => `${r.logicalId} ${r.status} ${r.severity} ${r.judgedIn}`)).toEqual([
      expect.stringMatching(/^Office\w* fail error prod$/),
    ]);
  });
  test("a key a prod database's storage uses, with rotation off (escape hatch), is judged as prod", () => {
    const run = judgeApp((app) => {
      const key = new kms.Key(team(app), 'Shared', { enableKeyRotation: true });
      (key.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);
      new rds.CfnDBInstance(prodStack(app), 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.m7g.large',
        storageEncrypted: true,
        kmsKeyId: key.keyArn,
      });
    });
    expect(inTeam(run, 'SS-KMS-001')).toEqual([
      expect.objectContaining({ status: 'fail', severity: 'error', judgedIn: 'prod' }),
    ]);
  });
  test('the same group used only by dev databases stays dev: a public range is a warning', () => {
    const run = judgeStack('dev', (s) => {
      const db = compliantInstance(s);
      db.connections.allowFrom(ec2.Peer.ipv4('198.51.100.0/24'), ec2.Port.tcp(5432));
    });
    expect(inTeam(run, 'SS-EC2-001').map((r) => `${r.status} ${r.severity} ${r.judgedIn ?? '-'}`)).toContain(
      'warn warning -',
    );
  });
});

describe('a resource of a dev stack that acts on or copies a prod resource is judged as prod', () => {
  test('a point-in-time restore (L1) of a prod database, unprotected and on one day of backups', () => {
    const run = judgeApp((app) => {
      const source = compliantInstance(prodStack(app));
      new rds.CfnDBInstance(team(app), 'Copy', {
        dbInstanceClass: 'db.m7g.large',
        sourceDbInstanceIdentifier: source.instanceIdentifier,
        useLatestRestorableTime: true,
        deletionProtection: false,
        multiAz: false,
        backupRetentionPeriod: 1,
      });
    });
    const verdicts = run.results
      .filter((r) => r.stack === 'TeamStack' && r.source === 'spendsense' && r.status === 'fail')
      .map((r) => `${r.ruleId} ${r.severity} ${r.judgedIn}`);
    expect(verdicts).toEqual(
      expect.arrayContaining(['SS-RDS-001 error prod', 'SS-RDS-002 error prod', 'SS-RDS-006 error prod']),
    );
  });
  test('an AwsCustomResource (L2) that turns off the prod database deletion protection', () => {
    const run = judgeApp((app) => {
      const db = compliantInstance(prodStack(app));
      new cr.AwsCustomResource(team(app), 'Maintenance', {
        onUpdate: {
          service: 'RDS',
          action: 'modifyDBInstance',
          parameters: { DBInstanceIdentifier: db.instanceIdentifier, DeletionProtection: false },
          physicalResourceId: cr.PhysicalResourceId.of('maintenance'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
    });
    const found = inTeam(run, 'SS-CFN-004');
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) {
      expect(r).toMatchObject({
        severity: 'error',
        judgedIn: 'prod',
        evidence: expect.stringMatching(/\(judged as prod: acts on Prod\/Db\w+\)$/),
      });
    }
  });
  test('a point-in-time restore of a dev database in the same dev stack stays dev', () => {
    const run = judgeStack('dev', (s) => {
      const source = compliantInstance(s);
      new rds.CfnDBInstance(s, 'Copy', {
        dbInstanceClass: 'db.m7g.large',
        sourceDbInstanceIdentifier: source.instanceIdentifier,
        useLatestRestorableTime: true,
        multiAz: false,
      });
    });
    expect(run.results.filter((r) => r.ruleId.startsWith('SS-')).length).toBeGreaterThan(0);
    expect(run.results.filter((r) => r.judgedIn !== undefined)).toEqual([]);
  });
});

describe('the forms an acting resource takes', () => {
  test('through an SSM parameter of its own stack holding the imported group id (L1 ingress)', () => {
    const run = judgeApp((app) => {
      const db = compliantInstance(prodStack(app));
      const held = new ssm.CfnParameter(team(app), 'GroupId', {
        type: 'String',
        value: db.connections.securityGroups[0].securityGroupId,
      });
      new ec2.CfnSecurityGroupIngress(team(app), 'Office', {
        groupId: held.attrValue,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        cidrIp: '198.51.100.7/32',
      });
    });
    expect(inTeam(run, 'SS-EC2-001').map((r) => `${r.status} ${r.severity} ${r.judgedIn}`)).toEqual([
      'fail error prod',
    ]);
  });
  test('a custom resource naming the prod database by its physical identifier, written out', () => {
    const run = judgeApp((app) => {
      compliantInstance(prodStack(app), { instanceIdentifier: 'orders-prod' });
      new CustomResource(team(app), 'Unprotect', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:maintenance',
        properties: { DBInstanceIdentifier: 'orders-prod', DeletionProtection: false },
      });
    });
    expect(inTeam(run, 'SS-CFN-004')).toEqual([expect.objectContaining({ severity: 'error', judgedIn: 'prod' })]);
  });
  test('an RDS Proxy of the dev stack in front of the prod database: the proxy is judged as prod', () => {
    const run = judgeApp((app) => {
      const db = compliantInstance(prodStack(app));
      const proxy = new rds.CfnDBProxy(team(app), 'Proxy', {
        dbProxyName: 'orders-dev-proxy',
        engineFamily: 'POSTGRESQL',
        roleArn: 'arn:aws:iam::111111111111:role/proxy',
        auth: [{ authScheme: 'SECRETS', secretArn: db.secret!.secretArn }],
        vpcSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        requireTls: false,
        debugLogging: true,
      });
      new rds.CfnDBProxyTargetGroup(team(app), 'Targets', {
        dbProxyName: proxy.ref,
        targetGroupName: 'default',
        dbInstanceIdentifiers: [db.instanceIdentifier],
      });
    });
    expect(
      run.results
        .filter((r) => r.stack === 'TeamStack' && ['SS-RDS-008', 'SS-RDS-015'].includes(r.ruleId))
        .map((r) => `${r.ruleId} ${r.status} ${r.severity} ${r.judgedIn}`),
    ).toEqual(['SS-RDS-008 fail error prod', 'SS-RDS-015 fail error prod']);
  });
  test('an alarm of a prod stack watching a dev database leaves the database dev', () => {
    const run = judgeApp((app) => {
      const db = new rds.CfnDBInstance(team(app), 'Db', {
        engine: 'postgres',
        dbInstanceClass: 'db.t4g.micro',
        multiAz: false,
      });
      new cloudwatch.CfnAlarm(prodStack(app), 'Cpu', {
        namespace: 'AWS/RDS',
        metricName: 'CPUUtilization',
        dimensions: [{ name: 'DBInstanceIdentifier', value: db.ref }],
        statistic: 'Average',
        period: 300,
        evaluationPeriods: 1,
        threshold: 80,
        comparisonOperator: 'GreaterThanThreshold',
      });
    });
    expect(run.results.filter((r) => r.stack === 'TeamStack' && r.judgedIn !== undefined)).toEqual([]);
  });
});
