import * as rds from 'aws-cdk-lib/aws-rds';
import { CfnParameter } from 'aws-cdk-lib';
import { proxyTls } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';

const ID = proxyTls.id;
const proxy = (requireTls?: boolean | string) => (s: import('aws-cdk-lib').Stack) =>
  new rds.CfnDBProxy(s, 'Proxy', {
    dbProxyName: 'p',
    engineFamily: 'POSTGRESQL',
    roleArn: 'arn:aws:iam::111111111111:role/p',
    vpcSubnetIds: ['subnet-1'],
    auth: [{ authScheme: 'SECRETS', secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:s' }],
    ...(requireTls === undefined ? {} : { requireTls: requireTls as boolean }),
  });

describe(`${ID} RDS Proxy requires TLS`, () => {
  test('passes RequireTLS true', () => expect(statusOf(judgeStack('prod', proxy(true)), ID)).toBe('pass'));
  test.each([
    ['prod', false, 'fail'],
    ['prod', undefined, 'fail'],
    ['staging', false, 'fail'],
    ['dev', false, 'warn'],
  ] as const)('in %s, RequireTLS %s: %s', (env, value, status) => {
    expect(statusOf(judgeStack(env, proxy(value)), ID)).toBe(status);
  });
  test('fails an escape hatch that turns it off on an L1 set to true', () => {
    const run = judgeStack('prod', (s) => proxy(true)(s).addPropertyOverride('RequireTLS', 'false'));
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'RequireTLS=false' });
  });
  test('cannot verify a parameter', () => {
    const run = judgeStack('prod', (s) =>
      proxy(true)(s).addPropertyOverride('RequireTLS', new CfnParameter(s, 'Tls').valueAsString),
    );
    expect(statusOf(run, ID)).toBe('cannot-verify');
  });
});
