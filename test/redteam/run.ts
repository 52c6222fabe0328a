/**
 * Runs red-team cases through the real CDK CLI, a few processes at a time. Shared by the jest suite and compare.ts so
 * that both judge exactly the same invocation.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../support/cli';
import { bundledCommand } from '../support/bundle';
import { CASE_ENV, Gate, GATE_ENV, GUARD_PATH_ENV, RedteamCase } from './cases';

export const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
/** app.ts bundled (test/support/bundle.ts; jest's global setup and compare.ts write it), run by the tests' node. */
const [NODE, APP_ARGS] = bundledCommand('test/redteam/app.ts');
const APP_COMMAND = [NODE, ...APP_ARGS].join(' ');

/** Per-process budget; a synth that needs longer is reported as timed out, and its process group is killed. */
export const CASE_TIMEOUT_MS = 120_000;
export const DEFAULT_CONCURRENCY = 2;

export interface CaseRun {
  readonly name: string;
  readonly gate: Gate;
  /** Exit code, or null when the process was killed. */
  readonly status: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** The cloud assembly's compliance.sarif, parsed, when the run wrote one. */
  readonly sarif?: unknown;
  /** The cloud assembly's compliance.junit.xml, when the run wrote one. */
  readonly junit?: string;
}

export interface Invocation {
  readonly command: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/** Classes whose holes live in the CLI or in how a run is started and ended: always through the real CLI. */
const CLI_CLASSES: ReadonlySet<string> = new Set(['A', 'F', 'G']);

/**
 * Whether a case needs the CDK CLI to be judged faithfully: its class is about enforcement, lowering the bar or the
 * kit's context, it passes CLI arguments or `-c` values, or it tampers with how the app ends. Every other case is a
 * template a team builds; the gate's verdict on it is formed in the app process, which the CLI only starts.
 */
export function needsCli(c: RedteamCase): boolean {
  return CLI_CLASSES.has(c.klass) || c.kitContext !== undefined || c.cliArgs !== undefined || c.after !== undefined;
}

/**
 * The app alone, as `node app.js` runs it (a supported way to run a CDK app, which the gate must fail closed in just
 * the same): CDK_OUTDIR as the CLI would set it, built-in validation off as `--no-validation` turns it off.
 */
function appInvocation(c: RedteamCase, gate: Gate, outdir: string, guardPath?: string): Invocation {
  const extra: Record<string, string> = {
    [CASE_ENV]: c.name,
    [GATE_ENV]: gate,
    CDK_OUTDIR: outdir,
    CDK_VALIDATION: 'false',
  };
  if (guardPath) extra[GUARD_PATH_ENV] = guardPath;
  return { command: NODE, args: [...APP_ARGS], env: cleanEnv(extra) };
}

/**
 * The CLI call for one case under one gate. The kit gate runs `kitContext` cases through cdk.json's app (`bin/app.ts`);
 * every other run goes through app.ts (bundled), which for `kitContext` cases builds the kit's stacks from the same
 * `-c` values.
 * `--no-validation` only turns off aws-cdk-lib's built-in CloudFormation schema check (about 2 s a synth).
 */
export function invocation(c: RedteamCase, gate: Gate, outdir: string, guardPath?: string): Invocation {
  const args = ['synth', '-q', '--no-notices', '--no-validation', '-o', outdir];
  const throughKitApp = c.kitContext !== undefined && gate === 'kit';
  if (!throughKitApp) args.push('--app', APP_COMMAND);
  for (const kv of c.kitContext ?? []) args.push('-c', kv);
  args.push(...(c.cliArgs ?? []));
  const extra: Record<string, string> = { [CASE_ENV]: c.name, [GATE_ENV]: gate };
  if (guardPath) extra[GUARD_PATH_ENV] = guardPath;
  return { command: CDK, args, env: cleanEnv(extra) };
}

export interface RunOptions {
  /** Where @cdklabs/cdk-validator-cfnguard is installed, for the guard gate. */
  readonly guardPath?: string;
  /** Keep each run's cloud assembly (for debugging); removed by default. */
  readonly keepOutput?: boolean;
  /**
   * `cli` (default): every case through `cdk synth`. `fewest-cli`: only the cases that need the CLI (needsCli), the
   * rest as the app process alone, which saves the CLI's start (about 1.3 s of CPU) on most cases.
   */
  readonly via?: 'cli' | 'fewest-cli';
}

/** One run of one case (`cdk synth`, or the app alone: RunOptions.via); never rejects. */
export function runCase(c: RedteamCase, gate: Gate, options: RunOptions = {}): Promise<CaseRun> {
  const outdir = mkdtempSync(join(tmpdir(), `spendsense-redteam-${c.name}-`));
  const app = options.via === 'fewest-cli' && !needsCli(c);
  const { command, args, env } = (app ? appInvocation : invocation)(c, gate, outdir, options.guardPath);
  const started = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so that a timeout also ends the app process the CLI started.
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, CASE_TIMEOUT_MS);
    const finish = (status: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      const sarifFile = join(outdir, 'compliance.sarif');
      const sarif: unknown = existsSync(sarifFile) ? JSON.parse(readFileSync(sarifFile, 'utf8')) : undefined;
      const junitFile = join(outdir, 'compliance.junit.xml');
      const junit = existsSync(junitFile) ? readFileSync(junitFile, 'utf8') : undefined;
      if (!options.keepOutput) rmSync(outdir, { recursive: true, force: true });
      resolve({
        name: c.name,
        gate,
        status,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (spawnError ? `\n${spawnError.message}` : ''),
        ms: Date.now() - started,
        sarif,
        junit,
      });
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

/** Runs `jobs` with at most `concurrency` at a time; results come back in the order of `jobs`. */
export async function pool<T, R>(jobs: readonly T[], concurrency: number, run: (job: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

/** A stack trace printed from library code: an exception nobody turned into a finding. */
export const LIBRARY_STACK_TRACE = /\n\s+at .*node_modules/;

export interface Verdict {
  readonly ok: boolean;
  /** Why not, one line. */
  readonly reason: string;
}

/**
 * The kit gate's contract for one case: a must-fail case exits non-zero, names each of its rule ids on an error line and
 * prints no library stack trace; a must-pass case exits 0.
 */
export function judgeKitRun(c: RedteamCase, run: CaseRun): Verdict {
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.timedOut) return { ok: false, reason: `timed out after ${CASE_TIMEOUT_MS / 1000} s` };
  if (c.expect === 'pass') {
    return run.status === 0 ? { ok: true, reason: 'exit 0' } : { ok: false, reason: `exit ${run.status}` };
  }
  if (run.status === 0) return { ok: false, reason: 'exit 0: the gate let it through' };
  const missing = c.ruleIds.filter((id) => !output.includes(id));
  if (missing.length > 0) return { ok: false, reason: `exit ${run.status} but ${missing.join(', ')} not reported` };
  // A rule id printed only as a warning means the gate saw the finding and let it off.
  const lines = output.split('\n');
  const notErrors = c.ruleIds.filter((id) => !lines.some((l) => l.includes(id) && /\berror\b/i.test(l)));
  if (notErrors.length > 0) {
    return { ok: false, reason: `exit ${run.status} but ${notErrors.join(', ')} reported only as a warning` };
  }
  if (LIBRARY_STACK_TRACE.test(output)) return { ok: false, reason: `exit ${run.status} with a library stack trace` };
  return { ok: true, reason: `exit ${run.status}, ${c.ruleIds.join(', ')} reported` };
}

/** For gates other than the kit's, blocked means a non-zero exit; no rule id is required. */
export function blocked(run: CaseRun): boolean {
  return run.timedOut || run.status !== 0;
}

/** The lines of output that say why, for a failure message or a report. */
export function findingLines(run: CaseRun, max = 12): string[] {
  const lines = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((l) => /(ERROR|error|failed|cannot verify|Error:|not installed)/.test(l))
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines.slice(0, max);
}
