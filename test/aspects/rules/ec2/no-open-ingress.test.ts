import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { markComplianceTarget } from '../../../../aspects/environment';
import { isPrivateCidr, noOpenIngress } from '../../../../aspects/rules/ec2/no-open-ingress';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { testVpc } from '../../../support/constructs';

const ID = noOpenIngress.id;

function groupWith(peer: ec2.IPeer) {
  return (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
    const sg = new ec2.SecurityGroup(s, 'Sg', { vpc: testVpc(s) });
    sg.addIngressRule(peer, ec2.Port.tcp(5432));
  };
}
const verdicts = (run: ReturnType<typeof judgeStack>) => resultsOf(run, ID).map((r) => `${r.status} ${r.severity}`);

describe(`${ID} no open ingress`, () => {
  test.each(['10.1.0.0/16', '172.16.4.0/24', '192.168.1.1/32', '100.64.0.0/10'])(
    'passes the private range %s',
    (cidr) => {
      expect(verdicts(judgeStack('prod', groupWith(ec2.Peer.ipv4(cidr))))).toEqual(['pass error']);
    },
  );

  test.each(['prod', 'staging'] as const)('fails 0.0.0.0/0 on an L2 group in %s', (env) => {
    const run = judgeStack(env, groupWith(ec2.Peer.anyIpv4()));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      severity: 'error',
      evidence: 'CidrIp=0.0.0.0/0 (public) on ports 5432-5432',
    });
  });

  test('warns on a wide public range in dev', () => {
    expect(verdicts(judgeStack('dev', groupWith(ec2.Peer.ipv4('203.0.113.0/24'))))).toEqual(['warn warning']);
  });

  test('allows a single public host in dev', () => {
    const run = judgeStack('dev', groupWith(ec2.Peer.ipv4('203.0.113.7/32')));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'pass',
      evidence: expect.stringMatching(/single public host.*allowed in dev/),
    });
  });

  test.each(['staging', 'prod'] as const)('fails a single public host in %s', (env) => {
    expect(verdicts(judgeStack(env, groupWith(ec2.Peer.ipv4('203.0.113.7/32'))))).toEqual(['fail error']);
  });

  test('fails ::/0 and passes a ULA on IPv6', () => {
    expect(verdicts(judgeStack('prod', groupWith(ec2.Peer.anyIpv6())))).toEqual(['fail error']);
    expect(verdicts(judgeStack('prod', groupWith(ec2.Peer.ipv6('fd12:3456::/48'))))).toEqual(['pass error']);
  });

  test('fails a separate L1 AWS::EC2::SecurityGroupIngress', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new ec2.CfnSecurityGroupIngress(s, 'Open', {
          groupId: 'sg-12345678',
          ipProtocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          cidrIp: '0.0.0.0/0',
        }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      constructPath: 'TeamStack/Open',
      resourceType: 'AWS::EC2::SecurityGroupIngress',
    });
  });

  test('fails an escape hatch that opens an L2 group', () => {
    const run = judgeStack('prod', (s) => {
      const sg = new ec2.SecurityGroup(s, 'Sg', { vpc: testVpc(s) });
      (sg.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress', [
        { IpProtocol: '-1', CidrIp: '0.0.0.0/0' },
      ]);
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'CidrIp=0.0.0.0/0 (public) on all ports' });
  });

  test('fails a bare CfnResource security group', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Bare', {
          type: 'AWS::EC2::SecurityGroup',
          properties: { GroupDescription: 'x', SecurityGroupIngress: [{ IpProtocol: 'tcp', CidrIpv6: '::/0' }] },
        }),
    );
    expect(verdicts(run)).toEqual(['fail error']);
  });

  test('cannot verify a prefix list', () => {
    const run = judgeStack('prod', groupWith(ec2.Peer.prefixList('pl-12345678')));
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify', severity: 'error' });
  });

  test('passes security-group sources', () => {
    const run = judgeStack('prod', (s) => {
      const vpc = testVpc(s);
      const a = new ec2.SecurityGroup(s, 'A', { vpc });
      new ec2.SecurityGroup(s, 'B', { vpc }).connections.allowFrom(a, ec2.Port.tcp(5432));
    });
    expect(resultsOf(run, ID)).toEqual([]);
  });
});

describe('isPrivateCidr', () => {
  test.each([
    ['10.0.0.0/8', true],
    ['10.0.0.0/7', false],
    ['172.31.255.0/24', true],
    ['172.32.0.0/16', false],
    ['192.169.0.0/16', false],
    ['100.127.0.0/16', true],
    ['100.128.0.0/16', false],
    ['fc00::/7', true],
    ['fe80::/10', false],
    ['0.0.0.0/0', false],
  ])('%s is private: %s', (cidr, expected) => expect(isPrivateCidr(cidr)).toBe(expected));
});

describe(`${ID} on a group of another stack`, () => {
  // A dev stack that opens the database group of a prod stack of the same app, the group referenced across stacks.
  const openProdGroupFromDev = (cidr: string) =>
    judgeStack(
      'dev',
      () => undefined,
      {},
      (app) => {
        const prod = new Stack(app, 'Prod');
        markComplianceTarget(prod, { environment: 'prod', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 14 });
        const group = new ec2.SecurityGroup(prod, 'Db', { vpc: testVpc(prod), allowAllOutbound: false });
        new ec2.CfnSecurityGroupIngress(app.node.findChild('TeamStack'), 'VendorToProd', {
          groupId: group.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          cidrIp: cidr,
        });
      },
    );
  test.each(['198.51.100.0/24', '198.51.100.7/32'])(
    'judges an ingress rule on it as strictly as that stack (%s: an error, as in prod)',
    (cidr) => {
      const results = resultsOf(openProdGroupFromDev(cidr), ID).filter((r) => r.stack === 'TeamStack');
      expect(results).toEqual([expect.objectContaining({ status: 'fail', severity: 'error', environment: 'dev' })]);
    },
  );
});
