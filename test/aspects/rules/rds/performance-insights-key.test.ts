import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { performanceInsightsKey } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = performanceInsightsKey.id;

describe(`${ID} Performance Insights key`, () => {
  test('is not judged when Performance Insights is off', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      ),
    ).toEqual([]);
  });
  test('passes a customer-managed key (L2)', () => {
    const run = judgeStack('prod', (s) =>
      compliantInstance(s, {
        enablePerformanceInsights: true,
        performanceInsightEncryptionKey: new kms.Key(s, 'PiKey', { enableKeyRotation: true }),
      }),
    );
    expect(statusOf(run, ID)).toBe('pass');
  });
  test('fails the AWS-managed key when no key is given', () => {
    const run = judgeStack('prod', (s) => compliantInstance(s, { enablePerformanceInsights: true }));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/AWS-managed key aws\/rds/),
    });
  });
  test('fails alias/aws/rds set by escape hatch', () => {
    const run = judgeStack('prod', (s) => {
      const c = cfnOf(compliantInstance(s));
      c.addPropertyOverride('EnablePerformanceInsights', true);
      c.addPropertyOverride('PerformanceInsightsKMSKeyId', 'alias/aws/rds');
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('fails a cluster with Performance Insights on the AWS-managed key (L1)', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBCluster(s, 'C', { engine: 'aurora-postgresql', performanceInsightsEnabled: true }),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });
});
