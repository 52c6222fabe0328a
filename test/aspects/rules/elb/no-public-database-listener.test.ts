import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ga from 'aws-cdk-lib/aws-globalaccelerator';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { markComplianceTarget } from '../../../../aspects/environment';
import { noPublicDatabaseListener } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { compliantInstance } from '../../../support/constructs';

const ID = noPublicDatabaseListener.id;
const failures = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID)
    .filter((r) => r.status !== 'pass')
    .map((r) => `${r.status} ${r.severity} ${r.evidence}`);

/** A VPC with public subnets, where an internet-facing load balancer can live. */
function publicVpc(scope: Stack): ec2.Vpc {
  return new ec2.Vpc(scope, 'EdgeVpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'edge', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** An L2 Network Load Balancer in front of an address in the VPC, as a team exposing its database would build it. */
function nlbToDatabase(scope: Stack, options: { internetFacing: boolean; listenerPort?: number; targetPort?: number }) {
  const vpc = publicVpc(scope);
  const nlb = new elbv2.NetworkLoadBalancer(scope, 'Nlb', { vpc, internetFacing: options.internetFacing });
  nlb.addListener('Postgres', { port: options.listenerPort ?? 5432 }).addTargets('Db', {
    port: options.targetPort ?? 5432,
    targets: [new targets.IpTarget('10.0.1.25')],
  });
  return nlb;
}

describe(`${ID} no internet-facing load balancer to a database port`, () => {
  test.each(['staging', 'prod'] as const)('fails an internet-facing L2 NLB on 5432 in %s', (env) => {
    expect(failures(judgeStack(env, (s) => nlbToDatabase(s, { internetFacing: true })))).toEqual([
      expect.stringMatching(/^fail error internet-facing: Nlb\w+ forwards to NlbPostgresDbGroup\w+ port 5432/),
      expect.stringMatching(/^fail error internet-facing: Nlb\w+ listener port 5432 \(PostgreSQL's default\)$/),
    ]);
  });

  test('warns in dev', () => {
    expect(failures(judgeStack('dev', (s) => nlbToDatabase(s, { internetFacing: true })))[0]).toMatch(/^warn warning/);
  });

  test('fails a public listener port that forwards to another port, and a target on the database port', () => {
    const run = judgeStack('prod', (s) => nlbToDatabase(s, { internetFacing: true, listenerPort: 443 }));
    expect(failures(run)).toEqual([expect.stringMatching(/forwards to \w+ port 5432/)]);
  });

  test("judges a database's own port as a database port", () => {
    const run = judgeStack('prod', (s) => {
      compliantInstance(s, { port: 6543 });
      nlbToDatabase(s, { internetFacing: true, listenerPort: 443, targetPort: 6543 });
    });
    expect(failures(run)).toEqual([expect.stringMatching(/port 6543 \(\w+'s port\)$/)]);
  });

  test('passes an internal NLB and an internet-facing one on other ports', () => {
    expect(failures(judgeStack('prod', (s) => nlbToDatabase(s, { internetFacing: false })))).toEqual([]);
    const web = judgeStack('prod', (s) =>
      nlbToDatabase(s, { internetFacing: true, listenerPort: 443, targetPort: 8443 }),
    );
    expect(failures(web)).toEqual([]);
    expect(resultsOf(web, ID).map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  test('fails an escape hatch that turns an internal NLB internet-facing', () => {
    const run = judgeStack('prod', (s) => {
      const nlb = nlbToDatabase(s, { internetFacing: false });
      (nlb.node.defaultChild as elbv2.CfnLoadBalancer).addPropertyOverride('Scheme', 'internet-facing');
    });
    expect(failures(run)).toHaveLength(2);
  });

  test('fails L1 resources that leave the scheme to its internet-facing default', () => {
    const run = judgeStack('prod', (s) => {
      const lb = new elbv2.CfnLoadBalancer(s, 'Lb', { type: 'network', subnets: ['subnet-0123456789abcdef0'] });
      const group = new elbv2.CfnTargetGroup(s, 'Group', {
        port: 5432,
        protocol: 'TCP',
        targetType: 'ip',
        vpcId: 'vpc-0123456789abcdef0',
        targets: [{ id: '10.0.1.25' }],
      });
      new elbv2.CfnListener(s, 'Listener', {
        loadBalancerArn: lb.ref,
        port: 15432,
        protocol: 'TCP',
        defaultActions: [{ type: 'forward', forwardConfig: { targetGroups: [{ targetGroupArn: group.ref }] } }],
      });
    });
    expect(failures(run)).toEqual([
      expect.stringMatching(/^fail error internet-facing: Lb forwards to Group port 5432/),
    ]);
  });

  test('fails a listener in a nested stack on an internet-facing NLB of its parent', () => {
    const run = judgeStack('prod', (s) => {
      const vpc = publicVpc(s);
      const nlb = new elbv2.NetworkLoadBalancer(s, 'Nlb', { vpc, internetFacing: true });
      const inner = new NestedStack(s, 'Inner');
      new elbv2.NetworkListener(inner, 'Listener', {
        loadBalancer: nlb,
        port: 5432,
        defaultTargetGroups: [
          new elbv2.NetworkTargetGroup(inner, 'Group', { vpc, port: 5432, targetType: elbv2.TargetType.IP }),
        ],
      });
    });
    expect(failures(run).length).toBeGreaterThan(0);
    expect(failures(run).every((f) => f.startsWith('fail error'))).toBe(true);
  });

  test('judges a listener of a dev stack on a prod stack NLB as prod, which cannot acknowledge it', () => {
    const run = judgeStack(
      'dev',
      () => undefined,
      {},
      (app) => {
        const prod = new Stack(app, 'Prod');
        markComplianceTarget(prod, { environment: 'prod', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 14 });
        const nlb = new elbv2.NetworkLoadBalancer(prod, 'Nlb', { vpc: publicVpc(prod), internetFacing: true });
        const team = app.node.findChild('TeamStack') as Stack;
        const listener = new elbv2.CfnListener(team, 'VendorListener', {
          loadBalancerArn: nlb.loadBalancerArn,
          port: 5432,
          protocol: 'TCP',
          defaultActions: [{ type: 'fixed-response' }],
        });
        acknowledge(listener, {
          ruleId: ID,
          reason: 'The load balancer is a temporary migration path for a vendor.',
          owner: 'team-db',
          expires: '2099-01-01',
        });
      },
    );
    expect(failures(run)).toEqual([expect.stringMatching(/^fail error .*port 5432.* \(on Nlb\w+ of a prod stack\)$/)]);
    expect(resultsOf(run, 'SS-ACK-002')).toHaveLength(1);
  });

  test('fails a classic load balancer that passes the database port, and skips an internal one', () => {
    const build = (internal: boolean) => (s: Stack) =>
      new elb.CfnLoadBalancer(s, 'Classic', {
        listeners: [{ loadBalancerPort: '5432', instancePort: '5432', protocol: 'TCP' }],
        subnets: ['subnet-0123456789abcdef0'],
        ...(internal ? { scheme: 'internal' } : {}),
      });
    expect(failures(judgeStack('prod', build(false)))).toHaveLength(2);
    expect(failures(judgeStack('prod', build(true)))).toEqual([]);
  });

  test('fails a Global Accelerator listener whose port range holds a database port, and passes one that does not', () => {
    const run = judgeStack('prod', (s) => {
      const accelerator = new ga.CfnAccelerator(s, 'Accelerator', { name: 'edge' });
      new ga.CfnListener(s, 'Db', {
        acceleratorArn: accelerator.ref,
        protocol: 'TCP',
        portRanges: [{ fromPort: 5000, toPort: 6000 }],
      });
      new ga.CfnListener(s, 'Web', {
        acceleratorArn: accelerator.ref,
        protocol: 'TCP',
        portRanges: [{ fromPort: 443, toPort: 443 }],
      });
    });
    expect(failures(run)).toEqual(["fail error accelerator: ports 5000-6000 include 5432 (PostgreSQL's default)"]);
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['fail', 'pass']);
  });

  test('does not judge HTTP listeners of an Application Load Balancer or a Gateway Load Balancer', () => {
    const run = judgeStack('prod', (s) => {
      const vpc = publicVpc(s);
      const alb = new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc, internetFacing: true });
      alb.addListener('Http', { port: 80, open: false }).addAction('Fixed', {
        action: elbv2.ListenerAction.fixedResponse(200),
      });
      const gwlb = new CfnResource(s, 'Gwlb', {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        properties: { Type: 'gateway' },
      });
      new CfnResource(s, 'GwlbListener', {
        type: 'AWS::ElasticLoadBalancingV2::Listener',
        properties: { LoadBalancerArn: gwlb.ref, DefaultActions: [] },
      });
    });
    expect(resultsOf(run, ID)).toEqual([]);
  });
});
