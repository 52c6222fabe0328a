/**
 * The offline quick start makes no network connection: `npm run report` on a machine with no AWS configuration at all
 * (no variables, no ~/.aws) prices from the snapshot without even probing the instance metadata address. Every TCP
 * connection and DNS lookup the process tries is recorded by a preloaded module.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../support/cli';
import { freePort } from '../support/postgres';

const RECORDER = join(ROOT, 'test', 'support', 'record-connections.cjs');

function report(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ status: number | null; log: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'spendsense-offline-'));
  const log = join(dir, 'connections.log');
  const childEnv = cleanEnv({
    HOME: dir,
    NODE_OPTIONS: `--require ${RECORDER}`,
    SPENDSENSE_CONNECTIONS_LOG: log,
    ...env,
  });
  // A newcomer's machine: nothing turns the SDK's instance-metadata probe off.
  delete childEnv.AWS_EC2_METADATA_DISABLED;
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'report.ts'), ...args, '--out', join(dir, 'out')],
      {
        cwd: ROOT,
        env: childEnv,
        timeout: 120_000,
      },
      (error) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, log: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] });
      },
    );
  });
}

test('with no AWS configuration, npm run report makes no network connection and no DNS lookup', async () => {
  const run = await report([], {});
  expect(run.status).toBe(0);
  expect(run.log).toEqual([]);
});

test('the recorder sees a connection when one is made (credentials configured, a local endpoint)', async () => {
  const port = await freePort();
  const run = await report(['--env', 'dev', '-c', 'environment=dev'], {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ENDPOINT_URL_PRICING: `http://127.0.0.1:${port}`,
  });
  expect(run.status).toBe(0);
  expect(run.log).toContain(`connect 127.0.0.1:${port}`);
});
