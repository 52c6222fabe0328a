import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { applyCompliance, ComplianceOptions } from '../../aspects/compliance';
import type { ComplianceRun } from '../../aspects/plugin';
import type { CheckResult } from '../../aspects/types';
import type { EnvironmentName } from '../../lib/profiles';

export const TODAY = '2026-11-25';

/** Synthesizes a team stack built by `build`, judged as `environment`, and returns everything the gate found. */
export function judgeStack(
  environment: EnvironmentName,
  build: (stack: Stack) => void,
  options: ComplianceOptions = {},
  /** More for the app itself: other stacks, stages. */
  buildApp?: (app: App) => void,
): ComplianceRun {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'spendsense-judge-')) });
  const stack = new Stack(app, 'TeamStack');
  build(stack);
  buildApp?.(app);
  const plugin = applyCompliance(app, { environment, enforce: false, writeFiles: false, date: TODAY, ...options });
  app.synth();
  return plugin.lastRun!;
}

/** The results of one rule only. */
export function resultsOf(run: ComplianceRun, ruleId: string): CheckResult[] {
  return run.results.filter((r) => r.ruleId === ruleId);
}

/** `status` of the only result of `ruleId`. */
export function statusOf(run: ComplianceRun, ruleId: string): string {
  const found = resultsOf(run, ruleId);
  if (found.length !== 1)
    throw new Error(`expected one ${ruleId} result, got ${found.length}: ${JSON.stringify(found)}`);
  return found[0].status;
}
