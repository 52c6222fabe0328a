import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';
import { CONNECTION_SECRET_PLACEHOLDER, connectionSecretName, credentialsSecretName } from '../../lib/database-stack';
import { EXIT } from '../../lib/ops/errors';
import { FakeCloudFormation } from '../support/fakes/cloudformation';
import { DUMMY_AWS_ENV, startSilentServer } from '../support/fakes/http';
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
  expect(first.stdout).toContain('  host: changed PENDING_SYNC -> spendsense-dev.');
  expect(first.stdout).toContain('  connection_string: changed (value not shown)');
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
  expect(run.stdout).toContain('  password: changed (value not shown)');
  expect(run.stdout).toContain('nothing written (--dry-run)');
  expect(sm.count('PutSecretValue')).toBe(0);
  expectNoLeak(run, [PASSWORD]);
});

test('--dry-run over a stored secret with extra secret fields prints none of their values', async () => {
  const replica = 'Replica-Pa55-Value';
  const jdbc = 'Jdbc-Pa55-Value';
  sm.put(
    connectionArn,
    JSON.stringify({
      ...CONNECTION_SECRET_PLACEHOLDER,
      replica_password: replica,
      jdbc_url: `jdbc:postgresql://db:5432/app?user=app&password=${jdbc}`,
    }),
  );
  const run = await sync('--outputs-file', outputsFile, '--dry-run');
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toContain('  replica_password: removed (value not shown)');
  expect(run.stdout).toContain('  jdbc_url: removed (value not shown)');
  expectNoLeak(run, [PASSWORD, replica, jdbc]);
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

test('a credentials password with a lone UTF-16 surrogate: invalid input in one line, nothing written', async () => {
  sm.put(credentialsArn, '{"username":"spendsense_admin","password":"half\\ud800pair"}');
  const run = await sync('--outputs-file', outputsFile);
  expect(run.status).toBe(EXIT.invalidInput);
  expect(run.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^secret:sync: credentials secret .*: field 'password' holds a lone UTF-16 surrogate/),
  ]);
  expect(JSON.parse(sm.current(connectionArn)!)).toEqual(CONNECTION_SECRET_PLACEHOLDER);
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/half/);
  expectCleanStderr(run);
});

test('bad arguments give the invalid-input code', async () => {
  const run = await runScript('secret-sync', ['--env', 'qa'], env);
  expect(run.status).toBe(EXIT.invalidInput);
  expect(run.stderr).toMatch(/^secret:sync: Invalid values:.*qa.*\(see --help\)/);
  expectCleanStderr(run);
});

test('with no --region and no AWS_REGION it uses the environment profile region', async () => {
  const childEnv = { ...env };
  delete childEnv.AWS_REGION;
  const run = await runScript('secret-sync', ['--env', 'dev', '--outputs-file', outputsFile], childEnv);
  expect(run.status).toBe(EXIT.ok);
  expect(sm.count('PutSecretValue')).toBe(1);
  // SigV4 names the region in each request's credential scope.
  expect(sm.calls.every((c) => /\/us-east-1\/secretsmanager\//.test(c.authorization ?? ''))).toBe(true);
});

test.each([
  ['an empty AWS_REGION', { AWS_REGION: '' }, [], /^secret:sync: AWS_REGION: set but empty; unset it/],
  [
    'a malformed AWS_REGION',
    { AWS_REGION: 'not a region!' },
    [],
    /^secret:sync: AWS_REGION: got "not a region!", expected an AWS region such as us-east-1/,
  ],
  [
    'a malformed --region',
    {},
    ['--region', 'not a region!'],
    /^secret:sync: --region: got "not a region!", expected an AWS region/,
  ],
])('%s is invalid input, one line, no AWS call', async (_name, extraEnv, args, message) => {
  const run = await runScript('secret-sync', ['--env', 'dev', '--outputs-file', outputsFile, ...args], {
    ...env,
    ...extraEnv,
  });
  expect(run.status).toBe(EXIT.invalidInput);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(sm.calls).toHaveLength(0);
});

test.each([['no credentials', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], /AWS credentials missing or rejected/]])(
  '%s gives the AWS configuration code',
  async (_name, unset, message) => {
    const childEnv = { ...env };
    for (const key of unset) delete childEnv[key];
    const run = await runScript('secret-sync', ['--env', 'dev', '--outputs-file', outputsFile], childEnv);
    expect(run.status).toBe(EXIT.awsConfig);
    expect(run.stderr).toMatch(message);
    expect(sm.calls).toHaveLength(0);
    expectCleanStderr(run);
  },
);

describe('an endpoint that accepts connections and never answers', () => {
  test.each([
    ['Secrets Manager', 'SECRETS_MANAGER', ['--outputs-file']],
    ['CloudFormation', 'CLOUDFORMATION', []],
  ])(
    '%s: exits with the timeout code within its budget, one line naming the service',
    async (service, variable, extra) => {
      const silent = await startSilentServer();
      try {
        const args = extra.length ? ['--outputs-file', outputsFile] : ['--region', 'us-east-1'];
        // The budget counts from process start: enough of it must be left for the call once tsx has started.
        const run = await runScript('secret-sync', ['--env', 'dev', ...args, '--timeout', '4000'], {
          ...env,
          [`AWS_ENDPOINT_URL_${variable}`]: silent.url,
        });
        expect(run.status).toBe(EXIT.timeout);
        expect(run.stderr.trim().split('\n')).toEqual([
          expect.stringMatching(
            new RegExp(
              `^secret:sync: ${service} \\w+ on .*: no answer within the 4 s budget; check the network and AWS_ENDPOINT_URL_${variable}, or raise --timeout \\(ms\\)$`,
            ),
          ),
        ]);
        expect(silent.connections()).toBeGreaterThan(0);
        // The budget plus the start-up of a tsx process; a hang would end only at runScript's 60 s kill.
        expect(run.ms).toBeLessThan(4000 + 8000);
        expectNoLeak(run, [PASSWORD]);
      } finally {
        await silent.close();
      }
    },
  );

  test('the default budget is documented and --timeout must be whole milliseconds', async () => {
    const help = await sync('--help');
    expect(help.stdout).toMatch(/--timeout.*time budget for all AWS calls.*\[default: "30000"\]/s);
    const bad = await sync('--outputs-file', outputsFile, '--timeout', '2s');
    expect(bad.status).toBe(EXIT.invalidInput);
    expect(bad.stderr.trim()).toBe(
      "secret:sync: timeout: got '2s', expected a whole number of milliseconds from 1 to 600000",
    );
  });
});
