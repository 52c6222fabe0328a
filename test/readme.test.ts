/**
 * The documents against the code: the policy catalogue against RULES, and every link, npm script and file the README
 * and docs/ name against the repository. The README's TypeScript example is compiled and synthesized against the packed
 * package in test/package/consumer.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RULES } from '../aspects/rules';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCUMENTS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

describe('policy catalogue (docs/policies.md)', () => {
  const catalogue = read('docs/policies.md');
  test.each(RULES.map((r) => [r.id, r] as const))('documents %s with its severities', (id, rule) => {
    const row = catalogue.split('\n').find((l) => new RegExp(`^\\| ${id} +\\|`).test(l));
    expect(row).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    // | id | what | why | dev | staging | prod | acknowledgeable |
    const [dev, staging, prod, acknowledgeable] = cells.slice(4, 8);
    if (id !== 'SS-EC2-001') expect(dev).toBe(rule.severity.dev);
    expect(staging).toBe(rule.severity.staging);
    expect(prod).toBe(rule.severity.prod);
    expect(acknowledgeable).toBe(rule.unacknowledgeableIn.includes('prod') ? 'not in prod' : 'yes');
  });
});

describe.each(DOCUMENTS)('%s', (doc) => {
  const text = read(doc);

  test('links only to files that exist', () => {
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1])
      .filter((t) => !/^https?:/.test(t));
    expect(targets.filter((t) => !existsSync(join(ROOT, dirname(doc), t)))).toEqual([]);
  });

  test('names only npm scripts that exist', () => {
    const named = [...text.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => m[1]);
    expect([...new Set(named)].filter((s) => !scripts.includes(s))).toEqual([]);
  });

  test('names only repository files that exist', () => {
    const paths = [
      ...text.matchAll(/`((?:aspects|bin|lib|reports|scripts|test|docs)\/[\w./-]+\.(?:ts|md|json))`/g),
    ].map((m) => m[1]);
    expect(paths.filter((p) => !p.includes('<') && !existsSync(join(ROOT, p)))).toEqual([]);
  });
});

test('the README is an introduction: at most about 250 lines', () => {
  expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
});
