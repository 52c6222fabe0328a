import { CfnOutput, CfnParameter, CfnResource, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import { acknowledge } from '../../../../aspects/acknowledgements';
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
  const openProdGroupFromDev = (cidr: string, acknowledged = false) =>
    judgeStack(
      'dev',
      () => undefined,
      {},
      (app) => {
        const prod = new Stack(app, 'Prod');
        markComplianceTarget(prod, { environment: 'prod', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 14 });
        const group = new ec2.SecurityGroup(prod, 'Db', { vpc: testVpc(prod), allowAllOutbound: false });
        const team = app.node.findChild('TeamStack') as Stack;
        const rule = new ec2.CfnSecurityGroupIngress(team, 'VendorToProd', {
          groupId: group.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          cidrIp: cidr.startsWith('param:') ? new CfnParameter(team, cidr.slice(6)).valueAsString : cidr,
        });
        if (acknowledged) {
          acknowledge(rule, {
            ruleId: ID,
            reason: 'The vendor reaches the database from its own office range.',
            owner: 'team-db',
            expires: '2099-01-01',
          });
        }
      },
    );
  const teamResults = (run: ReturnType<typeof judgeStack>, id = ID) =>
    resultsOf(run, id).filter((r) => r.stack === 'TeamStack');
  test.each(['198.51.100.0/24', '198.51.100.7/32'])(
    'judges an ingress rule on it as strictly as that stack (%s: an error, as in prod)',
    (cidr) => {
      expect(teamResults(openProdGroupFromDev(cidr))).toEqual([
        expect.objectContaining({
          status: 'fail',
          severity: 'error',
          environment: 'dev',
          judgedIn: 'prod',
          evidence: expect.stringMatching(/ \(judged as prod: acts on Prod\/Db\w+\)$/),
        }),
      ]);
    },
  );

  test('refuses an acknowledgement in the dev stack, as prod refuses one on its own group', () => {
    const run = openProdGroupFromDev('198.51.100.0/24', true);
    expect(teamResults(run)).toEqual([expect.objectContaining({ status: 'fail', severity: 'error' })]);
    expect(teamResults(run, 'SS-ACK-002')).toEqual([
      expect.objectContaining({
        status: 'fail',
        evidence: expect.stringContaining(`${ID} may not be acknowledged in prod`),
      }),
    ]);
    expect(run.acknowledgements.filter((a) => a.ruleId === ID).map((a) => a.state)).toEqual(['forbidden']);
  });

  test('a source it cannot read blocks as in prod, not as a dev warning', () => {
    expect(teamResults(openProdGroupFromDev('param:VendorCidr'))).toEqual([
      expect.objectContaining({ status: 'cannot-verify', severity: 'error', judgedIn: 'prod' }),
    ]);
  });

  test('the same acknowledgement on a dev group of its own still counts', () => {
    const run = judgeStack('dev', (s) => {
      const sg = new ec2.SecurityGroup(s, 'Sg', { vpc: testVpc(s) });
      sg.addIngressRule(ec2.Peer.ipv4('198.51.100.0/24'), ec2.Port.tcp(5432));
      acknowledge(sg, {
        ruleId: ID,
        reason: 'The vendor reaches the database from its office.',
        owner: 'team-db',
        expires: '2099-01-01',
      });
    });
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['acknowledged']);
  });
});

describe(`${ID} on a dual-stack VPC's own IPv6 block`, () => {
  /** A dual-stack VPC: AWS assigns it a /56, and its subnets a /64 each out of it (Fn::Cidr). */
  const dualStackVpc = (s: Stack) =>
    new ec2.Vpc(s, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      ipProtocol: ec2.IpProtocol.DUAL_STACK,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
  const ingressFrom = (cidrIpv6: (vpc: ec2.Vpc, s: Stack) => string) => (s: Stack) => {
    const vpc = dualStackVpc(s);
    const sg = new ec2.SecurityGroup(s, 'Sg', { vpc });
    sg.addIngressRule(ec2.Peer.ipv6(cidrIpv6(vpc, s)), ec2.Port.tcp(5432));
  };
  const passes = (run: ReturnType<typeof judgeStack>) =>
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({ status: 'pass', evidence: expect.stringMatching(/an IPv6 block of the VPC \(.+\)/) }),
    ]);

  test("passes the VPC's block (L2 peer)", () => {
    passes(
      judgeStack(
        'prod',
        ingressFrom((vpc) => Fn.select(0, vpc.vpcIpv6CidrBlocks)),
      ),
    );
  });

  test("passes a subnet's block", () => {
    passes(
      judgeStack(
        'prod',
        ingressFrom((vpc) => Fn.select(0, (vpc.isolatedSubnets[0] as ec2.Subnet).subnetIpv6CidrBlocks)),
      ),
    );
  });

  test('passes an L1 VPC with an Amazon-provided block, and a Fn::Cidr part of it', () => {
    passes(
      judgeStack('prod', (s) => {
        const vpc = new ec2.CfnVPC(s, 'Vpc', { cidrBlock: '10.0.0.0/16' });
        new ec2.CfnVPCCidrBlock(s, 'V6', { vpcId: vpc.ref, amazonProvidedIpv6CidrBlock: true });
        new ec2.CfnSecurityGroup(s, 'Sg', {
          groupDescription: 'db',
          vpcId: vpc.ref,
          securityGroupIngress: [
            {
              ipProtocol: 'tcp',
              fromPort: 5432,
              toPort: 5432,
              cidrIpv6: Fn.select(1, Fn.cidr(Fn.select(0, vpc.attrIpv6CidrBlocks), 4, '64')),
            },
          ],
        });
      }),
    );
  });

  test('passes the block of a VPC in another stack, through its export', () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const network = new Stack(app, 'Network');
        markComplianceTarget(network, { environment: 'prod', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 14 });
        const vpc = dualStackVpc(network);
        const team = app.node.findChild('TeamStack') as Stack;
        const sg = new ec2.CfnSecurityGroup(team, 'Sg', { groupDescription: 'db', vpcId: vpc.vpcId });
        sg.securityGroupIngress = [
          { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv6: Fn.select(0, vpc.vpcIpv6CidrBlocks) },
        ];
      },
    );
    expect(resultsOf(run, ID).filter((r) => r.stack === 'TeamStack')).toEqual([
      expect.objectContaining({ status: 'pass', evidence: expect.stringContaining('Network/Vpc') }),
    ]);
  });

  test('passes the block passed into a nested stack', () => {
    passes(
      judgeStack('prod', (s) => {
        const vpc = dualStackVpc(s);
        const nested = new NestedStack(s, 'Db');
        const block = new CfnParameter(nested, 'VpcBlock');
        new ec2.CfnSecurityGroup(nested, 'Sg', {
          groupDescription: 'db',
          vpcId: 'vpc-12345678',
          securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv6: block.valueAsString }],
        });
        (nested.node.defaultChild as CfnResource).addPropertyOverride(
          'Parameters.VpcBlock',
          Fn.select(0, vpc.vpcIpv6CidrBlocks),
        );
      }),
    );
  });

  test('a split on a character CIDRs hold is not taken for a list of the blocks', () => {
    // Splitting `2a05:d018:1234:ab00::/56` on "6" gives `2a05:d018:1234:ab00::/5`, a far wider range.
    expect(
      verdicts(
        judgeStack(
          'prod',
          ingressFrom((vpc) => Fn.select(0, Fn.split('6', Fn.join('6', vpc.vpcIpv6CidrBlocks)))),
        ),
      ),
    ).toEqual(['cannot-verify error']);
  });

  test('imports that export each other are not followed forever', () => {
    const run = judgeStack(
      'prod',
      (s) => {
        const vpc = dualStackVpc(s);
        const sg = new ec2.SecurityGroup(s, 'Sg', { vpc });
        sg.addIngressRule(ec2.Peer.ipv6(Fn.select(0, Fn.split(',', Fn.importValue('X')))), ec2.Port.tcp(5432));
      },
      {},
      (app) => {
        const a = new Stack(app, 'A');
        const b = new Stack(app, 'B');
        new CfnOutput(a, 'X', { exportName: 'X', value: Fn.join(',', Fn.split(',', Fn.importValue('Y'))) });
        new CfnOutput(b, 'Y', { exportName: 'Y', value: Fn.join(',', Fn.split(',', Fn.importValue('X'))) });
      },
    );
    expect(verdicts(run)).toEqual(['cannot-verify error']);
  });

  test.each([
    ['a public block written in a Fn::Cidr', () => Fn.select(0, Fn.cidr('2001:db8::/56', 4, '64'))],
    [
      'another list attribute',
      (_: ec2.Vpc, s: Stack) => Fn.select(0, new ec2.CfnVPC(s, 'Other', {}).attrCidrBlockAssociations),
    ],
    ['a parameter', (_: ec2.Vpc, s: Stack) => new CfnParameter(s, 'Block').valueAsString],
  ])('cannot verify %s', (_, cidr) => {
    expect(verdicts(judgeStack('prod', ingressFrom(cidr)))).toEqual(['cannot-verify error']);
  });
});
