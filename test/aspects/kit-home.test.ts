import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kitHome } from '../../aspects/kit-home';

const ROOT = join(__dirname, '..', '..');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const ACTIONS = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'spendsense/database-kit',
  GITHUB_SHA: SHA,
};

describe("the kit's home in SARIF", () => {
  test("package.json's homepage names the kit and, on GitHub, the policy catalogue on the default branch", () => {
    expect(kitHome({ root: ROOT, homepage: 'https://github.com/spendsense/database-kit/' }, ROOT, {})).toEqual({
      informationUri: 'https://github.com/spendsense/database-kit',
      rulesHelpUri: 'https://github.com/spendsense/database-kit/blob/HEAD/docs/policies.md#policy-catalogue',
    });
    expect(kitHome({ root: ROOT, homepage: 'https://kit.example.org' }, '/elsewhere', ACTIONS)).toEqual({
      informationUri: 'https://kit.example.org',
      rulesHelpUri: undefined,
    });
  });

  test('with no homepage, the kit building on GitHub Actions names its repository at the commit built', () => {
    expect(kitHome({ root: ROOT }, ROOT, ACTIONS)).toEqual({
      informationUri: 'https://github.com/spendsense/database-kit',
      rulesHelpUri: `https://github.com/spendsense/database-kit/blob/${SHA}/docs/policies.md#policy-catalogue`,
    });
  });

  test("a team's repository on GitHub Actions is not the kit's home", () => {
    expect(kitHome({ root: join(ROOT, 'node_modules', 'spendsense-database-kit') }, ROOT, ACTIONS)).toEqual({});
  });

  test.each([
    ['outside GitHub Actions', { ...ACTIONS, GITHUB_ACTIONS: undefined }, undefined],
    ['a malformed repository', { ...ACTIONS, GITHUB_REPOSITORY: 'not a repository' }, undefined],
    ['a server that is not https', { ...ACTIONS, GITHUB_SERVER_URL: 'http://github.com' }, undefined],
    ['a commit that is not a SHA', { ...ACTIONS, GITHUB_SHA: 'main' }, undefined],
    ['a homepage that is not a URL', { ...ACTIONS, GITHUB_ACTIONS: undefined }, 'spendsense'],
    ['a homepage that is not https', { ...ACTIONS, GITHUB_ACTIONS: undefined }, 'http://kit.example.org'],
  ])('no home is named %s', (_, env, homepage) => {
    expect(kitHome({ root: ROOT, homepage }, ROOT, env)).toEqual({});
  });
});

describe('a kit installed from a hosted git repository', () => {
  const apps: string[] = [];
  afterAll(() => apps.forEach((app) => rmSync(app, { recursive: true, force: true })));

  /** A team's app as npm lays it out: the kit under node_modules, its source recorded in the lockfiles. */
  function installed(
    resolved: string | undefined,
    where: 'hidden' | 'project' = 'hidden',
    key = 'node_modules/spendsense-database-kit',
  ) {
    const app = mkdtempSync(join(tmpdir(), 'kit-home-'));
    apps.push(app);
    const kit = join(app, ...key.split('/'));
    mkdirSync(kit, { recursive: true });
    const lock = {
      name: 'app',
      lockfileVersion: 3,
      packages: { [key]: { version: '0.1.0', ...(resolved ? { resolved } : {}) } },
    };
    const file = where === 'hidden' ? join(app, 'node_modules', '.package-lock.json') : join(app, 'package-lock.json');
    writeFileSync(file, JSON.stringify(lock));
    return { app, kit };
  }

  test('names the repository and the catalogue at the commit installed, as npm records it', () => {
    const { app, kit } = installed(`git+ssh://git@github.com/spendsense/database-kit.git#${SHA}`);
    expect(kitHome({ root: kit }, app, ACTIONS)).toEqual({
      informationUri: 'https://github.com/spendsense/database-kit',
      rulesHelpUri: `https://github.com/spendsense/database-kit/tree/${SHA}/docs/policies.md#policy-catalogue`,
    });
  });

  test.each([
    ['the project lockfile', 'project' as const, 'node_modules/spendsense-database-kit'],
    [
      'a copy nested under another package',
      'hidden' as const,
      'node_modules/team-lib/node_modules/spendsense-database-kit',
    ],
  ])('reads %s', (_, where, key) => {
    const { app, kit } = installed(`git+https://gitlab.com/spendsense/database-kit.git#${SHA}`, where, key);
    expect(kitHome({ root: kit }, app, {})).toEqual({
      informationUri: 'https://gitlab.com/spendsense/database-kit',
      rulesHelpUri: `https://gitlab.com/spendsense/database-kit/tree/${SHA}/docs/policies.md#policy-catalogue`,
    });
  });

  test('homepage, when set, still wins', () => {
    const { app, kit } = installed(`git+ssh://git@github.com/spendsense/database-kit.git#${SHA}`);
    expect(kitHome({ root: kit, homepage: 'https://kit.example.org' }, app, {}).informationUri).toBe(
      'https://kit.example.org',
    );
  });

  test.each([
    ['from the registry', 'https://registry.npmjs.org/spendsense-database-kit/-/spendsense-database-kit-0.1.0.tgz'],
    ['from a tarball', 'file:../spendsense-database-kit-0.1.0.tgz'],
    ['from a git server hosted-git-info does not know', `git+file:///srv/git/database-kit#${SHA}`],
    ['with no source recorded', undefined],
  ])('names no home when installed %s', (_, resolved) => {
    const { app, kit } = installed(resolved);
    expect(kitHome({ root: kit }, app, {})).toEqual({});
  });

  test('an unreadable lockfile names no home', () => {
    const { app, kit } = installed(undefined);
    writeFileSync(join(app, 'node_modules', '.package-lock.json'), '{ not json');
    expect(kitHome({ root: kit }, app, {})).toEqual({});
  });
});

describe("package.json's repository", () => {
  test.each([
    ['a shorthand', 'github:spendsense/database-kit'],
    ['an object, as npm writes it', { type: 'git', url: 'git+https://github.com/spendsense/database-kit.git' }],
  ])('%s names the repository and the catalogue on its default branch', (_, repository) => {
    expect(kitHome({ root: ROOT, repository }, ROOT, {})).toEqual({
      informationUri: 'https://github.com/spendsense/database-kit',
      rulesHelpUri: 'https://github.com/spendsense/database-kit/tree/HEAD/docs/policies.md#policy-catalogue',
    });
  });

  test('gives way to the commit GitHub Actions builds', () => {
    expect(kitHome({ root: ROOT, repository: 'github:spendsense/database-kit' }, ROOT, ACTIONS).rulesHelpUri).toBe(
      `https://github.com/spendsense/database-kit/blob/${SHA}/docs/policies.md#policy-catalogue`,
    );
  });

  test.each(['not a repository', 'git+file:///srv/git/database-kit'])('%s names no home', (repository) => {
    expect(kitHome({ root: ROOT, repository }, ROOT, {})).toEqual({});
  });
});
