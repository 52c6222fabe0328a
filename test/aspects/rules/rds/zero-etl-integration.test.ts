import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import { zeroEtlIntegration } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';

const ID = zeroEtlIntegration.id;
const SOURCE = 'arn:aws:rds:us-east-1:111111111111:cluster:orders-prod';
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity} ${r.location} ${r.evidence}`);

describe(`${ID} zero-ETL integrations stay in the app under the team's key`, () => {
  test("passes a target of the app and the team's key", () => {
    const run = judgeStack('prod', (s) => {
      const namespace = new rss.CfnNamespace(s, 'Warehouse', { namespaceName: 'orders' });
      new rds.CfnIntegration(s, 'ToWarehouse', {
        sourceArn: SOURCE,
        targetArn: namespace.attrNamespaceNamespaceArn,
        kmsKeyId: new kms.Key(s, 'Key', { enableKeyRotation: true }).keyArn,
      });
    });
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  test("cannot verify another account's warehouse, and fails the AWS owned key it defaults to", () => {
    const run = judgeStack('prod', (s) => {
      new rds.CfnIntegration(s, 'ToPartner', {
        sourceArn: SOURCE,
        targetArn: 'arn:aws:redshift-serverless:us-east-1:222222222222:namespace/partner',
      });
    });
    expect(verdicts(run)).toEqual([
      'fail error Properties/KMSKeyId KMSKeyId not set: RDS encrypts the integration with an AWS owned key',
      'cannot-verify error Properties/TargetArn TargetArn=arn:aws:redshift-serverless:us-east-1:222222222222:namespace/partner: a warehouse outside the app',
    ]);
  });

  test('warns in staging and is not judged in dev', () => {
    const build = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) =>
      new rds.CfnIntegration(s, 'ToPartner', {
        sourceArn: SOURCE,
        targetArn: 'arn:aws:redshift:us-east-1:222222222222:namespace:x',
      });
    expect(resultsOf(judgeStack('staging', build), ID).map((r) => r.severity)).toEqual(['warning', 'warning']);
    expect(resultsOf(judgeStack('dev', build), ID)).toEqual([]);
  });
});
