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
  test("package.json's homepage names the kit and, on GitHub, the policy catalogue on main", () => {
    expect(kitHome({ root: ROOT, homepage: 'https://github.com/spendsense/database-kit/' }, ROOT, {})).toEqual({
      informationUri: 'https://github.com/spendsense/database-kit',
      rulesHelpUri: 'https://github.com/spendsense/database-kit/blob/main/docs/policies.md#policy-catalogue',
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
  ])('no home is named %s', (_, env, homepage) => {
    expect(kitHome({ root: ROOT, homepage }, ROOT, env)).toEqual({});
  });
});
