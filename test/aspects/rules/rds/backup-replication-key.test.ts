import { NestedStack, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { backupReplicationKey } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = backupReplicationKey.id;
const REPLICA_KEY = 'arn:aws:kms:eu-central-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab';

const replicated = (region: string | undefined, key?: string) => (s: Stack) => {
  const db = cfnOf(compliantInstance(s));
  if (region !== undefined) db.addPropertyOverride('AutomaticBackupReplicationRegion', region);
  if (key !== undefined) db.addPropertyOverride('AutomaticBackupReplicationKmsKeyId', key);
  return db;
};
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity}: ${r.evidence}`);

describe(`${ID} backups replicated to another Region`, () => {
  test('is silent for a database that keeps its backups in its own Region', () => {
    expect(verdicts(judgeStack('prod', replicated(undefined)))).toEqual([]);
  });

  test.each([
    [
      'alias/aws/rds',
      'fail error: AutomaticBackupReplicationRegion=eu-central-1, AutomaticBackupReplicationKmsKeyId=alias/aws/rds (AWS-managed)',
    ],
    [
      REPLICA_KEY,
      expect.stringMatching(
        /^cannot-verify error: AutomaticBackupReplicationRegion=eu-central-1, .*a key outside this app/,
      ),
    ],
    [
      undefined,
      'cannot-verify error: AutomaticBackupReplicationRegion=eu-central-1, AutomaticBackupReplicationKmsKeyId not set: RDS picks the key of the copy',
    ],
  ])('in prod, key %s', (key, verdict) => {
    expect(verdicts(judgeStack('prod', replicated('eu-central-1', key)))).toEqual([verdict]);
  });

  test('warns in dev, and judges an L1 instance in a nested stack', () => {
    expect(verdicts(judgeStack('dev', replicated('eu-central-1', 'alias/aws/rds')))).toEqual([
      expect.stringMatching(/^warn warning/),
    ]);
    const nested = judgeStack('prod', (s) => {
      new rds.CfnDBInstance(new NestedStack(s, 'Db'), 'Raw', {
        engine: 'postgres',
        storageEncrypted: true,
        automaticBackupReplicationRegion: 'eu-central-1',
        automaticBackupReplicationKmsKeyId: 'alias/aws/rds',
      });
    });
    expect(resultsOf(nested, ID).map((r) => r.status)).toEqual(['fail']);
  });

  test('a reviewed key of the other Region may be acknowledged in prod', () => {
    const run = judgeStack('prod', (s) =>
      acknowledge(replicated('eu-central-1', REPLICA_KEY)(s), {
        ruleId: ID,
        reason: 'The multi-Region replica of the database key, owned by the platform team, rotates yearly.',
        owner: 'team-db',
        expires: '2099-01-01',
      }),
    );
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'acknowledged' })]);
  });
});
