import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';
import { CONNECTION_SECRET_PLACEHOLDER, connectionSecretName, credentialsSecretName } from '../../lib/database-stack';
import { EXIT } from '../../lib/ops/errors';
import { FakeCloudFormation } from '../support/fakes/cloudformation';
import { DUMMY_AWS_ENV } from '../support/fakes/http';
import { stackOutputs, writeOutputsFile } from '../support/fakes/outputs';
import { FakeSecretsManager } from '../support/fakes/secrets-manager';
import { expectCleanStderr, expectNoLeak, runScript } from './run';

const PASSWORD = 'q7@:/?#[]%&=+ é€日本😀"\'\\PENDING';
const STACK = 'SpendSense-Database-dev';

let sm: FakeSecretsManager;
let cfn: FakeCloudFormation;
let env: Record<string, string>;
let dir: string;
let credentialsArn: string;
let connectionArn: string;
let outputsFile: string;

beforeAll(async () => {
  sm = new FakeSecretsManager();
  cfn = new FakeCloudFormation();
  env = {
    ...DUMMY_AWS_ENV,
    AWS_MAX_ATTEMPTS: '2',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: await sm.start(),
    AWS_ENDPOINT_URL_CLOUDFORMATION: await cfn.start(),
  };
  dir = mkdtempSync(join(tmpdir(), 'spendsense-sync-cli-'));
});
afterAll(async () => {
  await sm.stop();
  await cfn.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  credentialsArn = sm.create(
    credentialsSecretName('dev'),
    JSON.stringify({ username: 'spendsense_admin', password: PASSWORD }),
  );
  connectionArn = sm.create(connectionSecretName('dev'), JSON.stringify(CONNECTION_SECRET_PLACEHOLDER));
  outputsFile = writeOutputsFile(dir, { [STACK]: stackOutputs(credentialsArn, connectionArn) });
  sm.calls.length = 0;
  sm.clearFaults();
});

const sync = (...args: string[]) => runScript('secret-sync', ['--env', 'dev', ...args], env);

test('writes a connection secret that round-trips, then a second run writes nothing; no output shows the password', async () => {
  const first = await sync('--outputs-file', outputsFile);
  expect(first.status).toBe(EXIT.ok);
  expect(first.stdout).toMatch(/^wrote connection secret arn:aws:secretsmanager:.*; read back and verified:/);
  expect(first.stdout).toContain('connection_string: PENDING_SYNC -> postgresql://spendsense_admin:****@');
  const stored = JSON.parse(sm.current(connectionArn)!);
  expect(parse(stored.connection_string)).toMatchObject({ user: 'spendsense_admin', password: PASSWORD });

  const second = await sync('--outputs-file', outputsFile);
  expect(second.status).toBe(EXIT.ok);
  expect(second.stdout).toMatch(/already matches .*; nothing written/);
  expect(sm.count('PutSecretValue')).toBe(1);
  for (const run of [first, second]) {
    expectNoLeak(run, [PASSWORD]);
    expectCleanStderr(run);
  }
});

test('--dry-run shows the changes masked and writes nothing', async () => {
  const run = await sync('--outputs-file', outputsFile, '--dry-run');
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toContain('password: changed (****)');
  expect(run.stdout).toContain('nothing written (--dry-run)');
  expect(sm.count('PutSecretValue')).toBe(0);
  expectNoLeak(run, [PASSWORD]);
});

test('reads the outputs from CloudFormation when no outputs file is given', async () => {
  cfn.setStack(STACK, stackOutputs(credentialsArn, connectionArn));
  const run = await sync('--region', 'us-east-1');
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toContain(`(from CloudFormation stack ${STACK})`);
  expect(cfn.requests.map((r) => r.get('StackName'))).toEqual([STACK]);
  expectNoLeak(run, [PASSWORD]);
  expect(sm.count('PutSecretValue')).toBe(1);
});

test.each([
  [
    'malformed credentials',
    () => sm.put(credentialsArn, `not json ${PASSWORD}`),
    EXIT.invalidInput,
    /value is not JSON/,
  ],
  [
    'incomplete credentials',
    () => sm.put(credentialsArn, JSON.stringify({ password: PASSWORD })),
    EXIT.invalidInput,
    /field 'username' is missing/,
  ],
  ['AccessDenied', () => sm.fail('GetSecretValue', 'AccessDenied'), EXIT.awsAccessDenied, /access denied/],
  ['throttling', () => sm.fail('PutSecretValue', 'Throttling'), EXIT.awsThrottled, /throttled by AWS after 2 attempts/],
])('%s: one line on stderr, its own exit code, nothing written, no password', async (_name, arrange, code, message) => {
  arrange();
  const run = await sync('--outputs-file', outputsFile);
  expect(run.status).toBe(code);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^secret:sync: .*${message.source}`));
  expect(run.stdout).toBe('');
  expect(JSON.parse(sm.current(connectionArn)!)).toEqual(CONNECTION_SECRET_PLACEHOLDER);
  expectNoLeak(run, [PASSWORD]);
  expectCleanStderr(run);
});

test('bad arguments give the invalid-input code', async () => {
  const run = await runScript('secret-sync', ['--env', 'qa'], env);
  expect(run.status).toBe(EXIT.invalidInput);
  expect(run.stderr).toMatch(/^secret:sync: Invalid values:.*qa.*\(see --help\)/);
  expectCleanStderr(run);
});

test.each([
  ['no credentials', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], /AWS credentials missing or rejected/],
  ['no region', ['AWS_REGION'], /no AWS region configured; pass --region or set AWS_REGION/],
])('%s gives the AWS configuration code', async (_name, unset, message) => {
  const childEnv = { ...env };
  for (const key of unset) delete childEnv[key];
  const run = await runScript('secret-sync', ['--env', 'dev', '--outputs-file', outputsFile], childEnv);
  expect(run.status).toBe(EXIT.awsConfig);
  expect(run.stderr).toMatch(message);
  expect(sm.calls).toHaveLength(0);
  expectCleanStderr(run);
});
