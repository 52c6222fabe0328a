/**
 * The entry points as users start them: `npm run <script> -- --help` through package.json and tsx. Every other test of
 * the scripts starts their bundles (test/support/bundle.ts), which are built from the same sources; this one keeps the
 * path users take honest: the package.json script names, tsx, and each file's module loading.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../support/cli';
import { BUNDLED_ENTRIES } from '../support/bundle';

const PACKAGE_SCRIPTS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

const SCRIPTS: Record<string, string> = {
  report: 'scripts/report.ts',
  'secret:sync': 'scripts/secret-sync.ts',
  'db:test': 'scripts/db-test.ts',
  'dev-access': 'scripts/dev-access.ts',
  'pricing:snapshot': 'scripts/pricing-snapshot.ts',
};

test('every bundled script is one of these entry points', () => {
  const scripts = BUNDLED_ENTRIES.filter((e) => e.startsWith('scripts/'));
  expect([...scripts].sort()).toEqual(Object.values(SCRIPTS).sort());
});

test.each(Object.entries(SCRIPTS))('npm run %s -- --help prints its usage and exits 0', (name, file) => {
  const r = spawnSync('npm', ['run', '-s', name, '--', '--help'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^npm run ${name} --`));
  expect(PACKAGE_SCRIPTS[name]).toBe(`tsx ${file}`);
});
