import { App, Validations } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ACKNOWLEDGEMENT_METADATA, acknowledge } from '../../aspects/acknowledgements';
import { blocking } from '../../aspects/engine';
import { judgeStack, resultsOf } from '../support/compliance';
import { compliantInstance } from '../support/constructs';

const REASON = 'Accepted for the migration window; tracked in the platform backlog.';
const ack = (ruleId: string, expires = '2027-01-31', owner = 'data-platform', reason = REASON) => ({
  ruleId,
  reason,
  owner,
  expires,
});

describe('acknowledgements', () => {
  test('a live acknowledgement turns a failure into acknowledged, recording reason, owner and expiry', () => {
    const run = judgeStack('staging', (s) =>
      acknowledge(compliantInstance(s, { backupRetention: undefined }), ack('SS-RDS-006')),
    );
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({
      status: 'acknowledged',
      acknowledgement: {
        reason: REASON,
        owner: 'data-platform',
        expires: '2027-01-31',
        state: 'live',
        scope: 'TeamStack/Db',
      },
    });
    expect(blocking(run.results).filter((r) => r.source === 'spendsense')).toEqual([]);
    expect(run.acknowledgements).toEqual([expect.objectContaining({ ruleId: 'SS-RDS-006', state: 'live' })]);
  });

  test('an expired acknowledgement no longer counts: the finding fails again', () => {
    const run = judgeStack('staging', (s) =>
      acknowledge(compliantInstance(s, { backupRetention: undefined }), ack('SS-RDS-006', '2026-11-24')),
    );
    expect(resultsOf(run, 'SS-RDS-006')[0].status).toBe('fail');
    expect(run.acknowledgements).toEqual([expect.objectContaining({ state: 'expired' })]);
  });

  test('counts on its expiry day and not the day after (the date is pinned)', () => {
    const build = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) =>
      acknowledge(compliantInstance(s, { backupRetention: undefined }), ack('SS-RDS-006', '2027-01-31'));
    expect(resultsOf(judgeStack('staging', build, { date: '2027-01-31' }), 'SS-RDS-006')[0].status).toBe(
      'acknowledged',
    );
    expect(resultsOf(judgeStack('staging', build, { date: '2027-02-01' }), 'SS-RDS-006')[0].status).toBe('fail');
  });

  test.each([
    ['a short reason', ack('SS-RDS-006', '2027-01-31', 'team', 'because'), /reason is 7 characters, at least 20/],
    ['no owner', ack('SS-RDS-006', '2027-01-31', ' '), /owner is empty/],
    ['a bad date', ack('SS-RDS-006', '2027-02-30'), /expires '2027-02-30' is not a date/],
  ])('a malformed one (%s) is an error and suppresses nothing', (_, a, message) => {
    const run = judgeStack('staging', (s) => acknowledge(compliantInstance(s, { backupRetention: undefined }), a));
    expect(resultsOf(run, 'SS-ACK-001')[0]).toMatchObject({
      status: 'fail',
      severity: 'error',
      evidence: expect.stringMatching(message),
    });
    expect(resultsOf(run, 'SS-RDS-006')[0].status).toBe('fail');
  });

  test.each([
    'SS-RDS-001',
    'SS-RDS-002',
    'SS-EC2-001',
    'SS-RDS-003',
    'SS-SM-001',
    'AwsSolutions-RDS10',
    'AwsSolutions-RDS3',
    'AwsSolutions-EC23',
  ])('acknowledging %s in prod is itself an error', (ruleId) => {
    const run = judgeStack('prod', (s) =>
      acknowledge(compliantInstance(s, { deletionProtection: false, multiAz: false }), ack(ruleId)),
    );
    expect(resultsOf(run, 'SS-ACK-002')[0]).toMatchObject({
      status: 'fail',
      evidence: `${ruleId} may not be acknowledged in prod`,
    });
    expect(run.acknowledgements[0].state).toBe('forbidden');
  });

  test('the same acknowledgement is allowed in staging', () => {
    const run = judgeStack('staging', (s) =>
      acknowledge(compliantInstance(s, { deletionProtection: false }), ack('SS-RDS-001')),
    );
    expect(resultsOf(run, 'SS-RDS-001')[0].status).toBe('acknowledged');
  });

  test('a stale one (matching no finding) is a warning in dev and an error in prod', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => acknowledge(compliantInstance(s), ack('SS-KMS-001'))),
        'SS-ACK-003',
      )[0],
    ).toMatchObject({ status: 'warn' });
    expect(
      resultsOf(
        judgeStack('prod', (s) => acknowledge(compliantInstance(s), ack('SS-KMS-001'))),
        'SS-ACK-003',
      )[0],
    ).toMatchObject({ status: 'fail' });
  });

  test('a stale one for a cdk-nag pack the stack does not run is a warning, even in prod; one of a pack it runs is not', () => {
    const stale = (ruleId: string) =>
      resultsOf(
        judgeStack('prod', (s) => acknowledge(compliantInstance(s), ack(ruleId))),
        'SS-ACK-003',
      );
    expect(stale('HIPAA.Security-RDSInstanceBackupEnabled')).toEqual([
      expect.objectContaining({
        status: 'warn',
        evidence: expect.stringMatching(/the HIPAA pack does not run in prod/),
      }),
    ]);
    expect(stale('AwsSolutions-RDS13')).toEqual([
      expect.objectContaining({ status: 'fail', evidence: expect.stringMatching(/matches no finding/) }),
    ]);
  });

  test('acknowledges one cdk-nag finding on the narrowest construct', () => {
    const run = judgeStack('dev', (s) => {
      const db = compliantInstance(s, { multiAz: false });
      acknowledge(db, ack('AwsSolutions-RDS3'));
    });
    expect(resultsOf(run, 'AwsSolutions-RDS3')[0]).toMatchObject({ status: 'acknowledged', source: 'AwsSolutions' });
  });

  test('a cdk-nag acknowledgement made with Validations.of().acknowledge() is malformed: it has no owner or expiry', () => {
    const run = judgeStack('dev', (s) => {
      const db = compliantInstance(s, { multiAz: false });
      Validations.of(db).acknowledge({ id: 'AwsSolutions-RDS3', reason: 'single AZ is fine here' });
    });
    expect(resultsOf(run, 'SS-ACK-001')[0]).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/Validations.of\(x\).acknowledge\(\)/),
    });
  });

  test('covers the constructs under its scope when made, not those added later', () => {
    const run = judgeStack('staging', (s) => {
      const scope = new Construct(s, 'Data');
      new rds.CfnDBInstance(scope, 'Before', { engine: 'postgres', deletionProtection: true, multiAz: true });
      acknowledge(scope, ack('SS-RDS-006'));
      new rds.CfnDBInstance(scope, 'After', { engine: 'postgres', deletionProtection: true, multiAz: true });
    });
    const byPath = new Map(resultsOf(run, 'SS-RDS-006').map((r) => [r.constructPath, r.status]));
    expect(byPath.get('TeamStack/Data/Before')).toBe('acknowledged');
    expect(byPath.get('TeamStack/Data/After')).toBe('fail');
  });

  test('reaches constructs added later with subtree: true', () => {
    const run = judgeStack('staging', (s) => {
      const scope = new Construct(s, 'Data');
      acknowledge(scope, { ...ack('SS-RDS-006'), subtree: true });
      new rds.CfnDBInstance(scope, 'After', { engine: 'postgres', deletionProtection: true, multiAz: true });
    });
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ status: 'acknowledged' });
  });

  test('written as raw metadata, covers only its own construct', () => {
    const run = judgeStack('staging', (s) => {
      const scope = new Construct(s, 'Data');
      new rds.CfnDBInstance(scope, 'Db', { engine: 'postgres', deletionProtection: true, multiAz: true });
      scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA, ack('SS-RDS-006'));
    });
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ status: 'fail' });
  });

  test('written as raw metadata with a forged covered set, still covers only its own construct', () => {
    const run = judgeStack('staging', (s) => {
      new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', deletionProtection: true, multiAz: true });
      const decoy = new Construct(s, 'Decoy');
      const forged = { [Symbol.for('spendsense.acknowledgement.covers')]: new Set(['TeamStack/Db']) };
      decoy.node.addMetadata(ACKNOWLEDGEMENT_METADATA, { ...ack('SS-RDS-006'), ...forged });
    });
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ constructPath: 'TeamStack/Db', status: 'fail' });
  });

  test('does not cover a construct that replaced one it was made over, at the same path', () => {
    const run = judgeStack('staging', (s) => {
      const team = new Construct(s, 'Team');
      new Construct(team, 'Db');
      acknowledge(team, ack('SS-RDS-006'));
      team.node.tryRemoveChild('Db');
      new rds.CfnDBInstance(team, 'Db', { engine: 'postgres', deletionProtection: true, multiAz: true });
    });
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ constructPath: 'TeamStack/Team/Db', status: 'fail' });
  });

  test.each([
    [
      'on the App, above every stack',
      (app: App) => Validations.of(app).acknowledge({ id: 'AwsSolutions-RDS11', reason: 'x' }),
    ],
    [
      "with `::` in a finding's detail, as cdk-nag reads it",
      (app: App) =>
        app.node
          .findChild('TeamStack')
          .node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { 'AwsSolutions-IAM5[Resource::*]': 'x' }),
    ],
  ])('a cdk-nag acknowledgement %s is reported as malformed', (_, make) => {
    const run = judgeStack('prod', () => undefined, {}, make);
    expect(resultsOf(run, 'SS-ACK-001')).toEqual([expect.objectContaining({ status: 'fail' })]);
  });

  test("the kit's acknowledgement on the App covers the stacks under it", () => {
    const run = judgeStack(
      'staging',
      (s) => void new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', deletionProtection: true, multiAz: true }),
      {},
      (app) => acknowledge(app, ack('SS-RDS-006')),
    );
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ status: 'acknowledged' });
  });
});
