import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCommand } from '../support/bundle';
import { cleanEnv, ROOT } from '../support/cli';

/**
 * `npm run report` in a fresh process (its bundle; the tsx entry point itself in entry-points.test.ts), no AWS
 * identity, not a terminal.
 */

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const awsHome = mkdtempSync(join(tmpdir(), 'spendsense-aws-home-'));

function report(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      ...bundledCommand('scripts/report.ts', args),
      {
        cwd: ROOT,
        env: cleanEnv({
          AWS_CONFIG_FILE: join(awsHome, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(awsHome, 'credentials'),
        }),
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status: code, stdout, stderr });
      },
    );
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'spendsense-report-out-'));
const committed = join(ROOT, 'reports');
const GENERATED = ['dev.md', 'staging.md', 'prod.md', 'SUMMARY.md', 'report.json'];

const outdatedDir = tmp();
const writeDir = tmp();
const strictDir = tmp();
const liveDir = tmp();
const diffDir = tmp();
const checkDiffDir = tmp();
let runs: Record<string, Run>;

beforeAll(async () => {
  for (const f of GENERATED) cpSync(join(committed, f), join(outdatedDir, f));
  writeFileSync(join(outdatedDir, 'dev.md'), readFileSync(join(committed, 'dev.md'), 'utf8').replace('31.90', '31.60'));
  rmSync(join(outdatedDir, 'report.json'));
  for (const f of GENERATED) cpSync(join(committed, f), join(checkDiffDir, f));
  const cases: Record<string, string[]> = {
    check: ['--check'],
    outdated: ['--check', '--out', outdatedDir],
    write: ['--out', writeDir],
    strict: ['--strict', '--pricing', 'snapshot', '-c', 'environment=dev', '-c', 'multiAz=true', '--out', strictDir],
    config: ['-c', 'environment=prod', '-c', 'instanceClass=bogus', '-c', 'allocatedStorage=-5', '--out', tmp()],
    unknown: ['--bogus'],
    live: ['--pricing', 'live', '--out', liveDir],
    checkLive: ['--check', '--pricing', 'live'],
    usage: ['--pricing', 'snapshot', '--usage', join(ROOT, 'no-such-usage.json'), '--out', tmp()],
    diffDir: ['--diff', committed, '-c', 'environment=prod', '-c', 'instanceClass=db.m7g.xlarge', '--out', diffDir],
    diffGit: ['--diff', 'HEAD', '-c', 'environment=prod', '-c', 'multiAz=false'],
    diffDefault: ['--diff'],
    failIncrease: [
      '--diff',
      committed,
      '-c',
      'environment=prod',
      '-c',
      'instanceClass=db.m7g.xlarge',
      '--fail-on-increase',
      '10%',
    ],
    badThreshold: ['--diff', '--fail-on-increase', 'lots'],
    partialEnv: ['--env', 'prod'],
    partialContext: ['-c', 'environment=prod'],
    partialFormat: ['--format', 'md'],
    checkDiff: ['--check', '--out', checkDiffDir, '-c', 'environment=prod', '-c', 'instanceClass=db.m7g.xlarge'],
  };
  const entries = await Promise.all(Object.entries(cases).map(async ([k, a]) => [k, await report(a)] as const));
  runs = Object.fromEntries(entries);
});

test('--check passes on the committed reports, quietly when not on a terminal', () => {
  expect(runs.check).toEqual({
    status: 0,
    stdout: expect.stringMatching(
      /^report: 5 files in reports are up to date \(dev \$31\.90, staging \$\d+\.\d\d, prod \$\d+\.\d\d a month\)\n$/,
    ),
    // Log groups, flow logs and the rotation Lambda are listed as unpriced until the model prices them.
    stderr: 'report: warning: 6 line(s) unpriced and left out of the totals; see "Unpriced lines"\n',
  });
});

test('--check exits 9 naming each out-of-date or missing file', () => {
  expect(runs.outdated.status).toBe(9);
  const lines = runs.outdated.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(
      `^report: out of date: ${join(outdatedDir, 'dev.md')}, ${join(outdatedDir, 'report.json')}; run npm run report`,
    ),
  );
});

test('with no credentials, the default (auto) writes the snapshot reports, identical to the committed ones', () => {
  expect(runs.write.status).toBe(0);
  expect(runs.write.stdout).toMatch(
    /wrote dev\.md, staging\.md, prod\.md, SUMMARY\.md, report\.json .*\(snapshot prices;/,
  );
  for (const f of GENERATED) {
    expect(readFileSync(join(writeDir, f), 'utf8')).toBe(readFileSync(join(committed, f), 'utf8'));
  }
  // Written through a temporary directory that is gone afterwards.
  expect(readdirSync(writeDir).sort()).toEqual([...GENERATED].sort());
});

test('--strict writes the reports, then exits 8 when a line is unpriced', () => {
  expect(runs.strict.status).toBe(8);
  // The instance with no snapshot price, the RDSOSMetrics storage RDS sets up itself, and the rotation Lambda.
  expect(runs.strict.stderr).toBe(`report: --strict: 3 lines unpriced; see the reports' "Unpriced lines"\n`);
  const dev = readFileSync(join(strictDir, 'dev.md'), 'utf8');
  expect(dev).toMatch(
    /> \*\*3 lines unpriced\*\* and left out of the total: .*RDS instance spendsense-dev, db\.t4g\.micro Multi-AZ, 730 hours a month/,
  );
  expect(dev).toMatch(/no price for AmazonRDS Multi-AZUsage:db\.t4g\.micro in us-east-1/);
});

test('invalid -c values: the same lines and exit code 2 as cdk synth, nothing written', () => {
  expect(runs.config.status).toBe(2);
  expect(runs.config.stderr).toBe(
    [
      'SpendSense: invalid configuration, nothing synthesized:',
      "  instanceClass: got 'bogus', expected an RDS for PostgreSQL class such as db.t4g.micro or db.m7g.large (-c instanceClass=...)",
      "  allocatedStorage: got '-5', expected a whole number from 20 to 65536 GiB (-c allocatedStorage=...)",
      '',
    ].join('\n'),
  );
});

test('an unknown option exits 2 with one line', () => {
  expect(runs.unknown.status).toBe(2);
  expect(runs.unknown.stderr).toBe('report: Unknown argument: bogus (see --help)\n');
});

test('--pricing live with no credentials exits 3, one line, nothing written', () => {
  expect(runs.live.status).toBe(3);
  expect(runs.live.stderr).toMatch(
    /^report: --pricing live needs AWS credentials and none resolved \(.+\); set AWS_PROFILE.*\n$/,
  );
  expect(runs.live.stderr.split('\n')).toHaveLength(2);
  expect(existsSync(join(liveDir, 'dev.md'))).toBe(false);
});

test('--check compares snapshot reports only', () => {
  expect(runs.checkLive).toEqual({
    status: 2,
    stdout: '',
    stderr: 'report: --check compares with reports generated from the snapshot; drop --pricing live\n',
  });
});

test('an unreadable usage file exits 2 with one line', () => {
  expect(runs.usage).toEqual({
    status: 2,
    stdout: '',
    stderr: `report: cannot read usage file ${join(ROOT, 'no-such-usage.json')} (ENOENT)\n`,
  });
});

describe('--diff', () => {
  test('against a directory: the markdown on stdout, diff.md and diff.json with --out', () => {
    expect(runs.diffDir.status).toBe(0);
    expect(runs.diffDir.stdout).toContain(`Compared with the report in ${committed}.`);
    expect(runs.diffDir.stdout).toContain('| RDS instance spendsense-prod (instance) | changed |');
    expect(runs.diffDir.stdout).toContain('+$246.01 (+100.0%)');
    expect(runs.diffDir.stdout).toContain('Not in this run (left out of the total): dev, staging.');
    expect(readFileSync(join(diffDir, 'diff.md'), 'utf8')).toBe(runs.diffDir.stdout);
    const json = JSON.parse(readFileSync(join(diffDir, 'diff.json'), 'utf8'));
    expect(json.environments.find((e: { name: string }) => e.name === 'prod').total.change).toBe('+267.91');
  });

  test('against a git ref: posture changes too', () => {
    expect(runs.diffGit.status).toBe(0);
    expect(runs.diffGit.stdout).toContain('Compared with reports/ at HEAD.');
    expect(runs.diffGit.stdout).toMatch(
      /\| prod \| \$331\.53 \| \$196\.66 \| -\$134\.87 \(-40\.7%\) \| 3 new findings, 1 control changed \|/,
    );
  });

  test('by default against the committed reports at the merge base: no change on a clean tree', () => {
    expect(runs.diffDefault.status).toBe(0);
    expect(runs.diffDefault.stdout).toMatch(
      /Compared with reports\/ (at [0-9a-f]{7} \(merge base with .+\)|as committed at HEAD)\./,
    );
    for (const env of ['dev', 'staging', 'prod'])
      expect(runs.diffDefault.stdout).toMatch(new RegExp(`\\| ${env} \\| .* \\| no change \\|`));
  });

  test('--fail-on-increase exits 10 naming what grew beyond it', () => {
    expect(runs.failIncrease.status).toBe(10);
    expect(runs.failIncrease.stderr.trim()).toBe(
      'report: --fail-on-increase 10%: monthly cost grows beyond it: prod +267.91 USD (+80.8%); total +267.91 USD (+80.8%)',
    );
  });

  test('a threshold that is neither USD nor a percentage exits 2', () => {
    expect(runs.badThreshold).toMatchObject({ status: 2, stdout: '' });
    expect(runs.badThreshold.stderr).toMatch(
      /^report: --fail-on-increase lots: expected USD a month \(50, 12\.5\) or a percentage \(10%\)/,
    );
  });

  test('--check prints the diff when it fails', () => {
    expect(runs.checkDiff.status).toBe(9);
    expect(runs.checkDiff.stderr).toContain('### SpendSense: monthly cost and posture change');
    expect(runs.checkDiff.stderr).toContain('+$246.01 (+100.0%)');
    expect(runs.checkDiff.stderr.trim().split('\n').pop()).toMatch(/^report: out of date: /);
  });
});

test.each([
  ['partialEnv', '--env prod'],
  ['partialContext', '-c environment=prod'],
  ['partialFormat', '--format md'],
])('a partial run (%s) without --out refuses to overwrite the committed reports: exit 2, one line', (name, what) => {
  expect(runs[name]).toMatchObject({ status: 2, stdout: '' });
  expect(runs[name].stderr.trim()).toBe(
    `report: ${what}: a partial report would overwrite the committed reports/ (every environment, md and json); pass --out DIR, e.g. --out /tmp/spendsense-report`,
  );
});
