import { opsFailure } from '../../support/failure';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  addAccess,
  assertDevAccessAllowed,
  formatRule,
  listAccessRules,
  lookupPublicIp,
  parseRuleDescription,
  parseTtl,
  pruneAccess,
  removeAccess,
  resolveDatabaseGroup,
  ruleDescription,
  validateOwner,
} from '../../../lib/ops/dev-access';
import { EXIT, OpsError } from '../../../lib/ops/errors';
import { FakeEc2 } from '../../support/fakes/ec2';
import { useDummyAws, LocalServer, startLocalServer } from '../../support/fakes/http';
import { stackOutputs, writeOutputsFile } from '../../support/fakes/outputs';
import { freePort } from '../../support/postgres';

const GROUP = 'sg-0bbbbbbbbbbbbbbbb';
const NOW = new Date('2026-11-25T10:00:00Z');
const HOUR = 3600_000;

let fake: FakeEc2;
let ec2: EC2Client;

beforeAll(async () => {
  useDummyAws(1);
  fake = new FakeEc2();
  process.env.AWS_ENDPOINT_URL_EC2 = await fake.start();
  ec2 = new EC2Client({});
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.rules = [];
  fake.actions.length = 0;
  fake.addGroup(GROUP);
});

const failure = opsFailure;

const add = (owner: string, cidr: string, ttlMs = 4 * HOUR, now = NOW) =>
  addAccess({ ec2, groupId: GROUP, port: 5432, cidr, owner, ttlMs, now });

describe('dev-access against an EC2 endpoint', () => {
  test('add admits the address /32 on the database port with owner, creation and expiry', async () => {
    const result = await add('alice', '203.0.113.7/32');
    expect(result.status).toBe('added');
    expect(fake.rules).toEqual([
      expect.objectContaining({
        groupId: GROUP,
        protocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        cidr: '203.0.113.7/32',
        description: 'spendsense-dev-access owner=alice created=2026-11-25T10:00:00Z expires=2026-11-25T14:00:00Z',
      }),
    ]);
  });

  test('adding the same address twice renews the expiry instead of failing or duplicating', async () => {
    await add('alice', '203.0.113.7/32');
    const later = new Date(NOW.getTime() + HOUR);
    const result = await add('alice', '203.0.113.7/32', 2 * HOUR, later);
    expect(result.status).toBe('renewed');
    expect(fake.rules).toHaveLength(1);
    expect(fake.rules[0].description).toMatch(/expires=2026-11-25T13:00:00Z$/);
    expect(fake.count('AuthorizeSecurityGroupIngress')).toBe(1);
  });

  test('an address already admitted by a foreign rule is left alone', async () => {
    fake.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '203.0.113.7/32', description: 'office' });
    const result = await add('alice', '203.0.113.7/32');
    expect(result).toEqual({
      status: 'already-allowed',
      cidr: '203.0.113.7/32',
      port: 5432,
      rule: expect.objectContaining({ cidr: '203.0.113.7/32', description: 'office' }),
    });
    expect(fake.rules).toHaveLength(1);
  });

  test('list shows only the rules this command created', async () => {
    fake.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '198.51.100.1/32', description: 'office' });
    fake.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '198.51.100.2/32' });
    fake.addRule({
      groupId: GROUP,
      fromPort: 5432,
      toPort: 5432,
      cidr: '198.51.100.3/32',
      description: 'spendsense-dev-access but written by hand',
    });
    await add('alice', '203.0.113.7/32');
    await add('bob', '203.0.113.8/32');
    const rules = await listAccessRules(ec2, GROUP);
    expect(rules.map((r) => [r.owner, r.cidr])).toEqual([
      ['alice', '203.0.113.7/32'],
      ['bob', '203.0.113.8/32'],
    ]);
    expect(formatRule(rules[0], new Date(NOW.getTime() + HOUR))).toBe(
      `${rules[0].ruleId}  203.0.113.7/32  port 5432  owner alice  expires 2026-11-25T14:00:00Z (in 3h 0m)`,
    );
  });

  test("remove deletes only the owner's own rules, and a second run removes nothing", async () => {
    fake.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '198.51.100.1/32', description: 'office' });
    await add('alice', '203.0.113.7/32');
    await add('bob', '203.0.113.8/32');
    const removed = await removeAccess(ec2, GROUP, 'alice');
    expect(removed.rules.map((r) => r.cidr)).toEqual(['203.0.113.7/32']);
    expect(fake.rules.map((r) => r.cidr).sort()).toEqual(['198.51.100.1/32', '203.0.113.8/32']);
    expect((await removeAccess(ec2, GROUP, 'alice')).rules).toEqual([]);
    expect(fake.count('RevokeSecurityGroupIngress')).toBe(1);
  });

  test('prune deletes expired rules of any owner and keeps live and foreign ones', async () => {
    fake.addRule({ groupId: GROUP, fromPort: 5432, toPort: 5432, cidr: '198.51.100.1/32', description: 'office' });
    await add('alice', '203.0.113.7/32', HOUR); // expires 11:00
    await add('bob', '203.0.113.8/32', 8 * HOUR); // expires 18:00
    await add('carol', '203.0.113.9/32', 2 * HOUR); // expires 12:00
    const removed = await pruneAccess(ec2, GROUP, new Date('2026-11-25T12:00:00Z'));
    expect(removed.rules.map((r) => r.owner).sort()).toEqual(['alice', 'carol']);
    expect(fake.rules.map((r) => r.cidr).sort()).toEqual(['198.51.100.1/32', '203.0.113.8/32']);
  });

  test('a missing security group gives the not-found code', async () => {
    const err = await failure(
      addAccess({ ec2, groupId: 'sg-0missing', port: 5432, cidr: '203.0.113.7/32', owner: 'a', ttlMs: HOUR, now: NOW }),
    );
    expect(err.exitCode).toBe(EXIT.awsNotFound);
  });

  test('UnauthorizedOperation gives the access-denied code with the action to grant', async () => {
    fake.deny('AuthorizeSecurityGroupIngress');
    const err = await failure(add('alice', '203.0.113.7/32'));
    expect(err.exitCode).toBe(EXIT.awsAccessDenied);
    expect(err.message).toMatch(/grant ec2:AuthorizeSecurityGroupIngress/);
  });
});

describe('rules and inputs', () => {
  test.each(['prod', 'staging'] as const)('refuses %s', (env) => {
    let err: unknown;
    try {
      assertDevAccessAllowed(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).exitCode).toBe(EXIT.environmentRefused);
    expect((err as OpsError).message).toMatch(new RegExp(`got '${env}'.*policy gate forbids`));
  });

  test('accepts dev', () => {
    expect(() => assertDevAccessAllowed('dev')).not.toThrow();
  });

  test('descriptions round-trip', () => {
    const meta = { owner: 'a.b@c', created: NOW, expires: new Date(NOW.getTime() + HOUR) };
    expect(parseRuleDescription(ruleDescription(meta))).toEqual(meta);
    expect(parseRuleDescription('spendsense-dev-access owner=x created=never expires=never')).toBeUndefined();
  });

  test.each([
    ['4h', 4 * HOUR],
    ['30m', 30 * 60_000],
    ['1d', 24 * HOUR],
    ['1h30m', 90 * 60_000],
  ])('ttl %s', (text, ms) => expect(parseTtl(text)).toBe(ms));

  test.each(['', '0m', '8d', '4 hours', '-1h', 'h'])('refuses ttl %p', (text) => {
    expect(() => parseTtl(text)).toThrow(/^ttl: got '.*', expected a duration from 1m to 7d/);
  });

  test('refuses owners EC2 descriptions cannot hold', () => {
    expect(() => validateOwner('Jörg Müller', 'OS user name')).toThrow(
      /owner: got 'Jörg Müller' \(OS user name\).*--owner/,
    );
  });

  test('finds the group and port in the stack outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spendsense-access-'));
    try {
      const path = writeOutputsFile(dir, {
        'SpendSense-Database-dev': stackOutputs('a', 'b', { DatabasePort: '6543' }),
      });
      expect(await resolveDatabaseGroup('dev', { kind: 'file', path })).toEqual({ groupId: GROUP, port: 6543 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--ip auto against a local address service', () => {
  let service: LocalServer;
  let answer: { status: number; body: string };

  beforeAll(async () => {
    service = await startLocalServer((_req, _body, res) => {
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    });
  });
  afterAll(() => service.close());

  test('reads the address the service answers', async () => {
    answer = { status: 200, body: '203.0.113.7\n' };
    expect(await lookupPublicIp(service.url)).toBe('203.0.113.7');
  });

  test('refuses an answer that is not an IPv4 address', async () => {
    answer = { status: 200, body: '<html>captive portal</html>' };
    await expect(lookupPublicIp(service.url)).rejects.toThrow(/answered '<html>captive portal<\/html>', not an IPv4/);
  });

  test('refuses an HTTP error', async () => {
    answer = { status: 503, body: 'down' };
    const err = await failure(lookupPublicIp(service.url));
    expect(err.exitCode).toBe(EXIT.addressLookup);
    expect(err.message).toMatch(/answered HTTP 503/);
  });

  test('fails clearly when offline (nothing listens)', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await failure(lookupPublicIp(url));
    expect(err.exitCode).toBe(EXIT.addressLookup);
    expect(err.message).toBe(
      `ip: cannot reach the address service ${url} (ECONNREFUSED); offline? pass --ip A.B.C.D, or point --ip-service / SPENDSENSE_IP_SERVICE at a reachable service`,
    );
  });
});
