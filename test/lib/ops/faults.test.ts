/**
 * The operations' writes under faults, with real SDK clients through a fault-injecting proxy in front of the fakes:
 * answers lost after the write was applied (dropped connection, no answer), 5xx and throttling answers, endpoints that
 * hang, and two runs racing on the same state. Whatever the fault, the result is what the state then holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectionSecretName,
  credentialsSecretName,
  CONNECTION_SECRET_PLACEHOLDER,
} from '../../../lib/database-stack';
import { Budget, ec2 as ec2Client, secretsManager as smClient } from '../../../lib/ops/aws-clients';
import { addAccess, removeAccess, pruneAccess, ruleDescription } from '../../../lib/ops/dev-access';
import { EXIT } from '../../../lib/ops/errors';
import { Redactor } from '../../../lib/ops/redact';
import { syncConnectionSecret } from '../../../lib/ops/secret-sync';
import { FakeEc2 } from '../../support/fakes/ec2';
import { FaultProxy, startFaultProxy } from '../../support/fakes/faults';
import { useDummyAws } from '../../support/fakes/http';
import { stackOutputs, writeOutputsFile } from '../../support/fakes/outputs';
import { FakeSecretsManager } from '../../support/fakes/secrets-manager';
import { opsFailure } from '../../support/failure';

const GROUP = 'sg-0bbbbbbbbbbbbbbbb';
const CIDR = '203.0.113.7/32';
const NOW = new Date('2026-11-25T10:00:00Z');
const HOUR = 3600_000;
const DROP = { kind: 'drop-after-apply' } as const;
const HANG_AFTER = { kind: 'hang-after-apply' } as const;
const HANG = { kind: 'hang' } as const;
const INTERNAL = { kind: 'error', status: 500, code: 'InternalError' } as const;
const THROTTLED = { kind: 'error', status: 503, code: 'RequestLimitExceeded' } as const;

let fakeEc2: FakeEc2;
let ec2Proxy: FaultProxy;
let fakeSm: FakeSecretsManager;
let smProxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  useDummyAws(3);
  fakeEc2 = new FakeEc2();
  fakeEc2.addGroup(GROUP);
  ec2Proxy = await startFaultProxy(await fakeEc2.start());
  process.env.AWS_ENDPOINT_URL_EC2 = ec2Proxy.url;
  fakeSm = new FakeSecretsManager();
  smProxy = await startFaultProxy(await fakeSm.start());
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = smProxy.url;
  dir = mkdtempSync(join(tmpdir(), 'spendsense-faults-'));
});
afterAll(async () => {
  await ec2Proxy.stop();
  await fakeEc2.stop();
  await smProxy.stop();
  await fakeSm.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fakeEc2.rules = [];
  fakeEc2.actions.length = 0;
  ec2Proxy.reset();
  smProxy.reset();
  process.env.AWS_MAX_ATTEMPTS = '3';
});

/** A client as the scripts make it: bounded by a budget (ms), with `attempts` tries per call. */
function ec2(attempts = 3, budgetMs = 30_000) {
  process.env.AWS_MAX_ATTEMPTS = String(attempts);
  return ec2Client({ region: 'us-east-1', budget: new Budget(budgetMs) });
}

const add = (client = ec2(), owner = 'alice', now = NOW) =>
  addAccess({ ec2: client, groupId: GROUP, port: 5432, cidr: CIDR, owner, ttlMs: 4 * HOUR, now });

describe('dev-access --add', () => {
  test.each([
    ['the SDK retries and meets its own rule (duplicate)', 3],
    ['no retry', 1],
  ])('a dropped answer after the rule was created: added, confirmed from the rules (%s)', async (_, attempts) => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', DROP);
    const result = await add(ec2(attempts));
    expect(result).toMatchObject({ status: 'added', confirmed: 'state', rule: { owner: 'alice', cidr: CIDR } });
    expect(fakeEc2.rules).toHaveLength(1);
  });

  test('no answer after the rule was created: added, read back within the budget', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', HANG_AFTER);
    const started = Date.now();
    const result = await add(ec2(3, 3000));
    expect(result).toMatchObject({ status: 'added', confirmed: 'state' });
    expect(Date.now() - started).toBeLessThan(3000 + 1000);
  });

  test('no answer and nothing applied: the timeout code, and the state read back says so', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', HANG);
    const err = await opsFailure(add(ec2(3, 3000)));
    expect(err.exitCode).toBe(EXIT.timeout);
    expect(err.message).toMatch(
      /^EC2 AuthorizeSecurityGroupIngress on sg-\w+: no answer within [\d.]+ s of the 3 s budget; .*; read back: the change did not take effect$/,
    );
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('5xx on every attempt: the AWS error, and nothing added', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', INTERNAL, 3);
    const err = await opsFailure(add());
    expect(err.exitCode).toBe(EXIT.awsOther);
    expect(err.message).toMatch(/InternalError.*read back: the change did not take effect$/);
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('throttling then success: the SDK retry adds the rule', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', THROTTLED, 2);
    expect(await add()).toMatchObject({ status: 'added', confirmed: 'answer' });
    expect(ec2Proxy.count('AuthorizeSecurityGroupIngress', 'error')).toBe(2);
  });

  test('throttling after every retry: the throttled code, and nothing added', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', THROTTLED, 3);
    const err = await opsFailure(add());
    expect(err.exitCode).toBe(EXIT.awsThrottled);
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('a lost answer and an unreadable state: the write error, and how to check', async () => {
    ec2Proxy.inject('AuthorizeSecurityGroupIngress', DROP);
    // The read before the write passes; every read after it is refused.
    ec2Proxy.inject('DescribeSecurityGroupRules', { kind: 'error', status: 403, code: 'UnauthorizedOperation' }, 5, 1);
    const err = await opsFailure(add(ec2(1)));
    expect(err.exitCode).toBe(EXIT.awsOther);
    expect(err.message).toMatch(
      /reading the state back failed too \(.*access denied.*\), so whether the change took effect is unknown: check with npm run dev-access -- --env dev --list$/,
    );
    expect(fakeEc2.rules).toHaveLength(1);
  });

  test('a renewal whose answer was dropped: renewed, confirmed from the rules', async () => {
    await add();
    ec2Proxy.inject('UpdateSecurityGroupRuleDescriptionsIngress', DROP);
    const result = await add(ec2(1), 'alice', new Date(NOW.getTime() + HOUR));
    expect(result).toMatchObject({ status: 'renewed', confirmed: 'state' });
    expect(fakeEc2.rules[0].description).toMatch(/expires=2026-11-25T15:00:00Z$/);
  });

  test('two parallel runs for one owner converge on one rule, both truthful', async () => {
    ec2Proxy.barrier('DescribeSecurityGroupRules', 2);
    const results = await Promise.all([add(ec2()), add(ec2(), 'alice', new Date(NOW.getTime() + 1000))]);
    expect(fakeEc2.rules).toHaveLength(1);
    expect(results.map((r) => r.status).sort()).toEqual(['added', 'present']);
    const kept = fakeEc2.rules[0].description;
    const present = results.find((r) => r.status === 'present')!;
    expect(ruleDescription(present.rule)).toBe(kept);
  });

  test("two parallel runs for different owners: one adds, the other is told it is the first's", async () => {
    ec2Proxy.barrier('DescribeSecurityGroupRules', 2);
    const results = await Promise.all([add(ec2(), 'alice'), add(ec2(), 'bob')]);
    expect(fakeEc2.rules).toHaveLength(1);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual(['added', 'owned-by-other']);
    const added = results.find((r) => r.status === 'added')!;
    const other = results.find((r) => r.status === 'owned-by-other')!;
    expect(other.status === 'owned-by-other' && other.rule.owner).toBe(added.status === 'added' && added.rule.owner);
  });

  test("another owner's rule for the address is neither renewed nor taken over", async () => {
    await add(ec2(), 'bob');
    const bobs = fakeEc2.rules[0].description;
    const result = await add(ec2(), 'alice', new Date(NOW.getTime() + HOUR));
    expect(result).toMatchObject({ status: 'owned-by-other', rule: { owner: 'bob' } });
    expect(fakeEc2.rules).toEqual([expect.objectContaining({ description: bobs })]);
    expect(fakeEc2.count('UpdateSecurityGroupRuleDescriptionsIngress')).toBe(0);
  });

  test.each([
    ['a wider range on the port', '203.0.113.0/24', 5432, 5432, 'tcp', 'already-allowed'],
    ['a port range that holds the port', '0.0.0.0/0', 5000, 6000, 'tcp', 'already-allowed'],
    ['all protocols', '203.0.0.0/16', -1, -1, '-1', 'already-allowed'],
    ['another port', '203.0.113.0/24', 5433, 5433, 'tcp', 'added'],
    ['another range', '198.51.100.0/24', 5432, 5432, 'tcp', 'added'],
    ['udp', '203.0.113.0/24', 5432, 5432, 'udp', 'added'],
  ])('a foreign rule with %s: %s', async (_, cidr, fromPort, toPort, protocol, status) => {
    fakeEc2.addRule({ groupId: GROUP, fromPort, toPort, cidr, description: 'office' });
    fakeEc2.rules[0] = { ...fakeEc2.rules[0], protocol };
    const result = await add();
    expect(result.status).toBe(status);
    expect(fakeEc2.rules[0]).toMatchObject({ cidr, description: 'office' });
  });
});

describe('dev-access --remove and --prune', () => {
  test.each([
    ['the SDK retries and meets the rule gone (not found)', 3],
    ['no retry', 1],
  ])('a dropped answer after the rule was revoked: removed, confirmed from the rules (%s)', async (_, attempts) => {
    await add();
    ec2Proxy.inject('RevokeSecurityGroupIngress', DROP);
    const result = await removeAccess(ec2(attempts), GROUP, 'alice');
    expect(result).toMatchObject({ confirmed: 'state', rules: [expect.objectContaining({ owner: 'alice' })] });
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('no answer after the rule was revoked: removed, within the budget', async () => {
    await add();
    ec2Proxy.inject('RevokeSecurityGroupIngress', HANG_AFTER);
    const result = await removeAccess(ec2(3, 3000), GROUP, 'alice');
    expect(result.confirmed).toBe('state');
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('5xx on every attempt: the AWS error, and the rule is still there', async () => {
    await add();
    ec2Proxy.inject('RevokeSecurityGroupIngress', INTERNAL, 3);
    const err = await opsFailure(removeAccess(ec2(), GROUP, 'alice'));
    expect(err.exitCode).toBe(EXIT.awsOther);
    expect(err.message).toMatch(/read back: the change did not take effect$/);
    expect(fakeEc2.rules).toHaveLength(1);
  });

  test('two parallel removes both report the rule gone', async () => {
    await add();
    ec2Proxy.barrier('DescribeSecurityGroupRules', 2);
    const results = await Promise.all([removeAccess(ec2(), GROUP, 'alice'), removeAccess(ec2(), GROUP, 'alice')]);
    expect(results.map((r) => r.rules.length)).toEqual([1, 1]);
    expect(results.map((r) => r.confirmed).sort()).toEqual(['answer', 'state']);
    expect(fakeEc2.rules).toHaveLength(0);
  });

  test('a prune racing a remove: the rules both meant to revoke are gone, the rest stays', async () => {
    await add(ec2(), 'alice');
    await addAccess({
      ec2: ec2(),
      groupId: GROUP,
      port: 5432,
      cidr: '203.0.113.8/32',
      owner: 'bob',
      ttlMs: HOUR,
      now: NOW,
    });
    ec2Proxy.barrier('DescribeSecurityGroupRules', 2);
    const later = new Date(NOW.getTime() + 5 * HOUR);
    const [pruned, removed] = await Promise.all([
      pruneAccess(ec2(), GROUP, later),
      removeAccess(ec2(), GROUP, 'alice'),
    ]);
    expect(pruned.rules.map((r) => r.owner).sort()).toEqual(['alice', 'bob']);
    expect(removed.rules.map((r) => r.owner)).toEqual(['alice']);
    expect(fakeEc2.rules).toHaveLength(0);
  });
});

describe('secret:sync writes', () => {
  let outputsFile: string;
  let connectionArn: string;
  const PASSWORD = 'fault-tolerant-Passw0rd!';

  beforeEach(() => {
    const credentialsArn = fakeSm.create(
      credentialsSecretName('dev'),
      JSON.stringify({ username: 'spendsense_admin', password: PASSWORD }),
    );
    connectionArn = fakeSm.create(connectionSecretName('dev'), JSON.stringify(CONNECTION_SECRET_PLACEHOLDER));
    outputsFile = writeOutputsFile(dir, { 'SpendSense-Database-dev': stackOutputs(credentialsArn, connectionArn) });
  });

  const sync = (attempts = 3, budgetMs = 30_000) => {
    process.env.AWS_MAX_ATTEMPTS = String(attempts);
    return syncConnectionSecret({
      env: 'dev',
      outputs: { kind: 'file', path: outputsFile },
      secretsManager: smClient({ region: 'us-east-1', budget: new Budget(budgetMs) }),
      dryRun: false,
      redactor: new Redactor(),
    });
  };
  const written = () => fakeSm.versions(connectionArn).filter((v) => v.secretString.includes(PASSWORD));

  test('a dropped answer, retried with the same token: written once, the retry is the same version', async () => {
    smProxy.inject('PutSecretValue', DROP);
    const result = await sync(3);
    expect(result).toMatchObject({ status: 'written', confirmed: 'answer' });
    expect(written()).toHaveLength(1);
    expect(smProxy.count('PutSecretValue', 'drop-after-apply') + smProxy.count('PutSecretValue')).toBe(2);
  });

  test.each([
    ['dropped', DROP, 1, 30_000],
    ['never answered', HANG_AFTER, 3, 3000],
  ])('an answer %s after the write: written, confirmed from the value read back', async (_, fault, attempts, ms) => {
    smProxy.inject('PutSecretValue', fault);
    const result = await sync(attempts, ms);
    expect(result).toMatchObject({ status: 'written', confirmed: 'state' });
    expect(written()).toHaveLength(1);
  });

  test('no answer and nothing written: the timeout code, and the value read back says so', async () => {
    smProxy.inject('PutSecretValue', HANG);
    const err = await opsFailure(sync(3, 3000));
    expect(err.exitCode).toBe(EXIT.timeout);
    expect(err.message).toMatch(
      /^Secrets Manager PutSecretValue on .*: no answer within .*; read back: the change did not take effect$/,
    );
    expect(written()).toHaveLength(0);
  });

  test('5xx on every attempt: the AWS error, nothing written', async () => {
    smProxy.inject('PutSecretValue', { kind: 'error', status: 500, code: 'InternalServiceError' }, 3);
    const err = await opsFailure(sync());
    expect(err.exitCode).toBe(EXIT.awsOther);
    expect(written()).toHaveLength(0);
  });

  test('two parallel runs over the same version send the same request: one version', async () => {
    smProxy.barrier('GetSecretValue', 2);
    const results = await Promise.all([sync(), sync()]);
    expect(results.map((r) => r.status)).toEqual(['written', 'written']);
    expect(written()).toHaveLength(1);
  });
});
