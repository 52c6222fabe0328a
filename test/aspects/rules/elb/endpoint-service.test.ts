import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { noOpenEndpointService } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { testVpc } from '../../../support/constructs';

const ID = noOpenEndpointService.id;
const verdicts = (run: ReturnType<typeof judgeStack>) => resultsOf(run, ID).map((r) => `${r.status} ${r.evidence}`);

/** An internal NLB in front of an address on `port`, published as an endpoint service. */
function service(
  scope: Stack,
  options: { port?: number; principals: string[]; acceptanceRequired?: boolean; l1?: boolean },
) {
  const nlb = new elbv2.NetworkLoadBalancer(scope, 'Nlb', { vpc: testVpc(scope), internetFacing: false });
  nlb.addListener('Db', { port: options.port ?? 5432 }).addTargets('Db', {
    port: options.port ?? 5432,
    targets: [new targets.IpTarget('10.0.1.25')],
  });
  if (options.l1) {
    const svc = new ec2.CfnVPCEndpointService(scope, 'Service', {
      networkLoadBalancerArns: [nlb.loadBalancerArn],
      ...(options.acceptanceRequired === undefined ? {} : { acceptanceRequired: options.acceptanceRequired }),
    });
    new ec2.CfnVPCEndpointServicePermissions(scope, 'Permissions', {
      serviceId: svc.ref,
      allowedPrincipals: options.principals,
    });
    return;
  }
  new ec2.VpcEndpointService(scope, 'Service', {
    vpcEndpointServiceLoadBalancers: [nlb],
    acceptanceRequired: options.acceptanceRequired ?? true,
    allowedPrincipals: options.principals.map((p) => new iam.ArnPrincipal(p)),
  });
}

describe(`${ID} no endpoint service opens a database port to every account`, () => {
  test('fails an L1 service open to * that accepts without review (the default)', () => {
    expect(verdicts(judgeStack('prod', (s) => service(s, { principals: ['*'], l1: true })))).toEqual([
      expect.stringMatching(
        /^fail reaches listener port 5432 \(PostgreSQL's default\).*AllowedPrincipals \* with AcceptanceRequired=not set \(false\)$/,
      ),
    ]);
  });

  test('fails an L2 service open to * with acceptance turned off', () => {
    const run = judgeStack('prod', (s) => service(s, { principals: ['*'], acceptanceRequired: false }));
    expect(verdicts(run)).toEqual([expect.stringMatching(/^fail .*AllowedPrincipals \*/)]);
  });

  test('passes one that requires acceptance, or allows named accounts only', () => {
    expect(verdicts(judgeStack('prod', (s) => service(s, { principals: ['*'], acceptanceRequired: true })))).toEqual([
      'pass AcceptanceRequired=true: each connection is approved',
    ]);
    const named = judgeStack('prod', (s) =>
      service(s, { principals: ['arn:aws:iam::222222222222:root'], acceptanceRequired: false, l1: true }),
    );
    expect(verdicts(named)).toEqual([
      expect.stringMatching(/^pass .*allowed principals: arn:aws:iam::222222222222:root$/),
    ]);
  });

  test('cannot verify a service open to * whose listener port the template does not fix; named accounts need no port', () => {
    const build = (principals: string[]) => (s: Stack) => {
      const nlb = new elbv2.CfnLoadBalancer(s, 'Lb', {
        type: 'network',
        scheme: 'internal',
        subnets: ['subnet-0123456789abcdef0'],
      });
      new elbv2.CfnListener(s, 'Listener', {
        loadBalancerArn: nlb.ref,
        port: new CfnParameter(s, 'Port', { type: 'Number' }).valueAsNumber,
        protocol: 'TCP',
        defaultActions: [{ type: 'fixed-response' }],
      });
      const svc = new ec2.CfnVPCEndpointService(s, 'Service', { networkLoadBalancerArns: [nlb.ref] });
      new ec2.CfnVPCEndpointServicePermissions(s, 'Permissions', { serviceId: svc.ref, allowedPrincipals: principals });
    };
    expect(resultsOf(judgeStack('prod', build(['*'])), ID).map((r) => `${r.status} ${r.severity}`)).toEqual([
      'cannot-verify error',
    ]);
    expect(verdicts(judgeStack('prod', build(['arn:aws:iam::222222222222:root'])))).toEqual([
      'pass allowed principals: arn:aws:iam::222222222222:root',
    ]);
  });

  test('passes a service in front of no database port', () => {
    expect(verdicts(judgeStack('prod', (s) => service(s, { port: 8443, principals: ['*'], l1: true })))).toEqual([
      'pass AllowedPrincipals * with AcceptanceRequired=not set (false), but forwards to no database port',
    ]);
  });
});
