import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../lib/ops/errors';
import { FakeEc2 } from '../support/fakes/ec2';
import { FaultProxy, startFaultProxy } from '../support/fakes/faults';
import { DUMMY_AWS_ENV, LocalServer, startLocalServer, startSilentServer } from '../support/fakes/http';
import { stackOutputs, writeOutputsFile } from '../support/fakes/outputs';
import { freePort } from '../support/postgres';
import { expectCleanStderr, runScript } from './run';

const GROUP = 'sg-0bbbbbbbbbbbbbbbb';
const MY_IP = '203.0.113.77';

let ec2: FakeEc2;
let ipService: LocalServer;
let env: Record<string, string>;
let dir: string;
let outputsFile: string;

beforeAll(async () => {
  ec2 = new FakeEc2();
  ec2.addGroup(GROUP);
  ipService = await startLocalServer((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${MY_IP}\n`);
  });
  env = { ...DUMMY_AWS_ENV, AWS_ENDPOINT_URL_EC2: await ec2.start(), SPENDSENSE_IP_SERVICE: ipService.url };
  dir = mkdtempSync(join(tmpdir(), 'spendsense-access-cli-'));
  outputsFile = writeOutputsFile(dir, { 'SpendSense-Database-dev': stackOutputs('a', 'b') });
});
afterAll(async () => {
  await ec2.stop();
  await ipService.close();
  rmSync(dir, { recursive: true, force: true });
});

const access = (...args: string[]) =>
  runScript('dev-access', ['--env', 'dev', '--outputs-file', outputsFile, ...args], env);

test('add with --ip auto, list, add again, remove: only its own rule, safe to repeat', async () => {
  ec2.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '198.51.100.1/32', description: 'office' });

  const added = await access('--add', '--owner', 'alice', '--ttl', '2h');
  expect(added.status).toBe(EXIT.ok);
  expect(added.stdout).toMatch(
    new RegExp(
      `^added sgr-\\d+: ${MY_IP}/32 on port 5432 of ${GROUP} for alice until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ`,
    ),
  );
  expectCleanStderr(added);

  const again = await access('--add', '--owner', 'alice');
  expect(again.status).toBe(EXIT.ok);
  expect(again.stdout).toMatch(/^renewed sgr-/);

  const listed = await access('--list');
  expect(listed.status).toBe(EXIT.ok);
  expect(listed.stdout.trim().split('\n')).toEqual([
    expect.stringMatching(new RegExp(`^sgr-\\d+  ${MY_IP}/32  port 5432  owner alice  expires .* \\(in 3h 59m\\)$`)),
  ]);

  const removed = await access('--remove', '--owner', 'alice');
  expect(removed.status).toBe(EXIT.ok);
  expect(removed.stdout).toMatch(new RegExp(`^removed 1 dev-access rules of owner alice from ${GROUP}:`));
  expect(ec2.rules.map((r) => r.cidr)).toEqual(['198.51.100.1/32']);

  const removedAgain = await access('--remove', '--owner', 'alice');
  expect(removedAgain.status).toBe(EXIT.ok);
  expect(removedAgain.stdout).toMatch(/nothing removed/);
});

test('prune removes expired rules only', async () => {
  ec2.addRule({
    groupId: GROUP,
    fromPort: 5432,
    toPort: 5432,
    cidr: '203.0.113.1/32',
    description: 'spendsense-dev-access owner=bob created=2020-01-01T00:00:00Z expires=2020-01-01T04:00:00Z',
  });
  await access('--add', '--ip', '203.0.113.2', '--owner', 'carol');
  const run = await access('--prune');
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toMatch(/^removed 1 expired dev-access rules/);
  expect(ec2.rules.map((r) => r.cidr)).toEqual(expect.arrayContaining(['203.0.113.2/32']));
  expect(ec2.rules.map((r) => r.cidr)).not.toContain('203.0.113.1/32');
});

test.each(['prod', 'staging'])('refuses %s before any AWS call', async (envName) => {
  const before = ec2.actions.length;
  const run = await runScript('dev-access', ['--env', envName, '--add', '--ip', '203.0.113.2'], env);
  expect(run.status).toBe(EXIT.environmentRefused);
  expect(run.stderr).toMatch(new RegExp(`^dev-access: env: got '${envName}'; .*policy gate forbids`));
  expect(ec2.actions.length).toBe(before);
  expectCleanStderr(run);
});

test('--ip auto fails clearly when the address service cannot be reached', async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const run = await access('--add', '--ip-service', url);
  expect(run.status).toBe(EXIT.addressLookup);
  expect(run.stderr.trim()).toBe(
    `dev-access: ip: cannot reach the address service ${url} (ECONNREFUSED); offline? pass --ip A.B.C.D, or point --ip-service / SPENDSENSE_IP_SERVICE at a reachable service`,
  );
});

test.each([
  [['--add', '--list'], /mutually exclusive/],
  [['--list', '--ttl', '1h'], /mutually exclusive/],
  [[], /give one of --add, --remove, --list or --prune/],
  [['--add', '--ip', '10.0.0'], /ip: got '10.0.0'/],
  [['--add', '--ip', '203.0.113.2', '--ttl', '9d'], /ttl: got '9d'/],
])('bad arguments %p give the invalid-input code', async (args, message) => {
  const run = await access(...args);
  expect(run.status).toBe(EXIT.invalidInput);
  expect(run.stderr).toMatch(message);
  expectCleanStderr(run);
});

test('an EC2 endpoint that never answers: --list ends within its budget with the timeout code and one line', async () => {
  const silent = await startSilentServer();
  try {
    const run = await runScript(
      'dev-access',
      ['--env', 'dev', '--outputs-file', outputsFile, '--list', '--timeout', '1000'],
      {
        ...env,
        AWS_ENDPOINT_URL_EC2: silent.url,
      },
    );
    expect(run.status).toBe(EXIT.timeout);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^dev-access: EC2 DescribeSecurityGroupRules on sg-\w+: no answer within the 1 s budget; .*AWS_ENDPOINT_URL_EC2/,
      ),
    ]);
    expect(run.ms).toBeLessThan(1000 + 8000);
  } finally {
    await silent.close();
  }
});

describe('through a proxy that loses answers', () => {
  let proxy: FaultProxy;
  let proxied: Record<string, string>;

  beforeAll(async () => {
    proxy = await startFaultProxy(env.AWS_ENDPOINT_URL_EC2);
    proxied = { ...env, AWS_ENDPOINT_URL_EC2: proxy.url, AWS_MAX_ATTEMPTS: '3' };
  });
  afterAll(() => proxy.stop());
  beforeEach(() => {
    proxy.reset();
    ec2.rules = [];
  });

  const run = (...args: string[]) =>
    runScript('dev-access', ['--env', 'dev', '--outputs-file', outputsFile, ...args], proxied);

  test('a retried --add whose first attempt succeeded reports the rule it added', async () => {
    proxy.inject('AuthorizeSecurityGroupIngress', { kind: 'drop-after-apply' });
    const added = await run('--add', '--ip', '203.0.113.9', '--owner', 'alice');
    expect(added.status).toBe(EXIT.ok);
    expect(added.stdout).toMatch(
      /^added sgr-\d+: 203\.0\.113\.9\/32 on port 5432 of sg-\w+ for alice until \S+ \(its answer was lost; the rules read back show it done\)$/m,
    );
    expect(ec2.rules).toHaveLength(1);
    expectCleanStderr(added);
  });

  test('a retried --remove whose first attempt succeeded reports the rule removed, exit 0', async () => {
    await run('--add', '--ip', '203.0.113.9', '--owner', 'alice');
    proxy.inject('RevokeSecurityGroupIngress', { kind: 'drop-after-apply' });
    const removed = await run('--remove', '--owner', 'alice');
    expect(removed.status).toBe(EXIT.ok);
    expect(removed.stdout).toMatch(/^removed 1 dev-access rules of owner alice from sg-\w+ \(its answer was lost/);
    expect(ec2.rules).toHaveLength(0);
  });

  test("--add over another owner's rule says whose it is and changes nothing", async () => {
    await run('--add', '--ip', '203.0.113.9', '--owner', 'bob');
    const before = ec2.rules.map((r) => ({ ...r }));
    const other = await run('--add', '--ip', '203.0.113.9', '--owner', 'alice');
    expect(other.status).toBe(EXIT.ok);
    expect(other.stdout.trim()).toMatch(
      /^203\.0\.113\.9\/32 already has access to port 5432 of sg-\w+ through sgr-\d+, the dev-access rule of owner bob \(expires \S+\); nothing changed: it is not taken over, and goes when bob removes it or it expires$/,
    );
    expect(ec2.rules).toEqual(before);
  });

  test('two parallel --add for one owner converge on one rule, and both exit 0', async () => {
    proxy.barrier('DescribeSecurityGroupRules', 2);
    const runs = await Promise.all([
      run('--add', '--ip', '203.0.113.9', '--owner', 'alice'),
      run('--add', '--ip', '203.0.113.9', '--owner', 'alice', '--ttl', '2h'),
    ]);
    expect(runs.map((r) => r.status)).toEqual([EXIT.ok, EXIT.ok]);
    expect(ec2.rules).toHaveLength(1);
    const lines = runs.map((r) => r.stdout.split('\n')[0]).sort();
    expect(lines[0]).toMatch(/^added sgr-/);
    expect(lines[1]).toMatch(/^present sgr-\d+: .* added by another run at \S+; nothing changed$/);
  });
});
