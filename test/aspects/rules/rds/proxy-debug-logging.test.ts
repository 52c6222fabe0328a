import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { proxyDebugLogging } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { compliantInstance } from '../../../support/constructs';

const ID = proxyDebugLogging.id;
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity} ${r.evidence}`);
const l2Proxy = (s: Stack, debugLogging?: boolean) => {
  const db = compliantInstance(s);
  return db.addProxy('Proxy', { secrets: [db.secret!], vpc: db.vpc, requireTLS: true, debugLogging });
};

describe(`${ID} RDS Proxy debug logging is off`, () => {
  test('passes an L2 proxy left at its default', () => {
    expect(verdicts(judgeStack('prod', (s) => l2Proxy(s)))).toEqual(['pass error DebugLogging=not set (false)']);
  });
  test.each([
    ['prod', 'fail error'],
    ['staging', 'warn warning'],
  ] as const)('an L2 proxy with debug logging on, in %s: %s', (env, verdict) => {
    expect(verdicts(judgeStack(env, (s) => l2Proxy(s, true)))).toEqual([
      `${verdict} DebugLogging=true: the SQL sent through the proxy is written to its logs`,
    ]);
  });
  test('is not judged in dev', () => {
    expect(verdicts(judgeStack('dev', (s) => l2Proxy(s, true)))).toEqual([]);
  });
  test('fails an escape hatch that turns it on', () => {
    const run = judgeStack('prod', (s) =>
      (l2Proxy(s).node.defaultChild as rds.CfnDBProxy).addPropertyOverride('DebugLogging', 'true'),
    );
    expect(verdicts(run)).toEqual([expect.stringMatching(/^fail error DebugLogging=true/)]);
  });
  test('cannot verify a value from a parameter', () => {
    const run = judgeStack('prod', (s) =>
      (l2Proxy(s).node.defaultChild as rds.CfnDBProxy).addPropertyOverride(
        'DebugLogging',
        new CfnParameter(s, 'Debug').valueAsString,
      ),
    );
    expect(verdicts(run)).toEqual([expect.stringMatching(/^cannot-verify error DebugLogging is parameter Debug/)]);
  });
  test('prod accepts a bounded debugging window with a review', () => {
    const run = judgeStack('prod', (s) =>
      acknowledge(l2Proxy(s, true), {
        ruleId: ID,
        reason: 'Tracing a connection-pinning problem with support case 1234; turned off after.',
        owner: 'data-platform',
        expires: '2099-01-01',
      }),
    );
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['acknowledged']);
  });
});
