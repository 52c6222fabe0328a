import { NO_AWS_FILES } from '../support/fakes/http';
import { spawn } from 'node:child_process';
import { BUNDLED_ENTRIES, BundledEntry, bundledCommand } from '../support/bundle';
import { ROOT, cleanEnv } from '../support/cli';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs one of the operations scripts as a real process (its bundle, test/support/bundle.ts), asynchronously so that fakes served
 * by the test process keep answering. The environment is a newcomer's shell: no AWS identity besides `env`, no AWS
 * config files; the SDK's Node version switch only where the harness runs on an unsupported Node (node-version.ts).
 */
function scriptEntry(name: string): BundledEntry {
  const entry = BUNDLED_ENTRIES.find((e) => e === `scripts/${name}.ts`);
  if (!entry) throw new Error(`no bundle for scripts/${name}.ts: add it to BUNDLED_ENTRIES`);
  return entry;
}

export function runScript(name: string, args: readonly string[], env: Record<string, string> = {}): Promise<ScriptRun> {
  const childEnv = cleanEnv({ ...NO_AWS_FILES, ...env });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const [command, argv] = bundledCommand(scriptEntry(name), args);
    const child = spawn(command, argv, {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every spelling in which a password could leak into output. */
export function leakForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), encodeURI(secret), JSON.stringify(secret).slice(1, -1)];
}

/** Fails the test if the run's stdout or stderr contains any of the secrets, in any spelling. */
export function expectNoLeak(run: ScriptRun, secrets: readonly string[]): void {
  const output = `${run.stdout}\n${run.stderr}`;
  for (const secret of secrets) {
    for (const form of leakForms(secret)) expect(output).not.toContain(form);
  }
}

/** The SDK's Node version warning and stack traces never reach users. */
export function expectCleanStderr(run: ScriptRun): void {
  expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|will require Node|\n\s+at /);
}
