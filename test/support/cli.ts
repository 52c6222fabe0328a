import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SDK_WARNING_ENV } from './node-version';

export const ROOT = resolve(__dirname, '..', '..');

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
}

/** The environment a newcomer's shell would have: no AWS identity, no telemetry, nothing of the test runner's. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('AWS_') || key.startsWith('CDK_') || key.startsWith('JEST_') || key === 'NODE_ENV')
      delete env[key];
  }
  return {
    ...env,
    CDK_DISABLE_CLI_TELEMETRY: '1',
    ...SDK_WARNING_ENV,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** Runs the real `cdk synth` CLI of this repository, writing to a fresh output directory. */
export function cdkSynth(args: readonly string[], extraEnv: Record<string, string> = {}, cwd = ROOT): RunResult {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-synth-'));
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '-q', '--no-notices', '-o', outdir, ...args],
    {
      cwd,
      env: cleanEnv(extraEnv),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outdir };
}
