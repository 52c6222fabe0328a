/**
 * Builds the kit's CDK app: one `DatabaseStack` per selected environment, from the app's context, with the compliance
 * gate attached. `bin/app.ts` and the report share this so both see exactly the same stacks for the same `-c` overrides.
 */
import { App } from 'aws-cdk-lib';
import { applyCompliance, ComplianceConfigError, ComplianceOptions } from '../aspects/compliance';
import { blocking } from '../aspects/engine';
import type { CompliancePlugin } from '../aspects/plugin';
import { SetupError } from '../aspects/setup';
import { ConfigError, resolveConfig, KitConfig } from './config';
import { DatabaseStack } from './database-stack';
import { stackName } from './profiles';

export interface KitApp {
  readonly config: KitConfig;
  readonly stacks: readonly DatabaseStack[];
  /** The compliance gate; its `lastRun` holds the results after `app.synth()`. */
  readonly compliance: CompliancePlugin;
}

/**
 * Reads every context key of `app`, validates them together (throws `ConfigError`), adds the stacks and attaches the
 * policies and cdk-nag packs.
 */
export function buildKitApp(app: App, compliance: ComplianceOptions = {}): KitApp {
  const config = resolveConfig(app.node.getAllContext() as Record<string, unknown>);
  const stacks = config.environments.map((profile) => new DatabaseStack(app, stackName(profile.name), { profile }));
  return { config, stacks, compliance: applyCompliance(app, compliance) };
}

/** Exit codes of the app: 0 synthesized, 1 the policy gate failed, 2 the configuration is invalid, 3 unexpected. */
export const EXIT_OK = 0;
export const EXIT_POLICY = 1;
export const EXIT_CONFIG = 2;
/** An error the kit did not expect (a bug, a broken install): one line, or the stack with SPENDSENSE_DEBUG=1. */
export const EXIT_UNEXPECTED = 3;

/**
 * What `bin/app.ts` runs: validate, build, synthesize. Expected failures become lines for `print` and an exit code,
 * never a stack trace; nothing is synthesized when the configuration is invalid.
 */
export function runKitApp(app: App, print: (line: string) => void, compliance: ComplianceOptions = {}): number {
  let kit: KitApp | undefined;
  try {
    kit = buildKitApp(app, compliance);
    app.synth();
    // Under the CDK CLI aws-cdk-lib does not throw: the gate's own verdict decides the exit code.
    const run = kit.compliance.lastRun;
    if (run && run.enforcement.enforced && blocking(run.results).length > 0) return EXIT_POLICY;
    return EXIT_OK;
  } catch (error) {
    if (error instanceof SetupError) {
      print('SpendSense: the kit cannot judge this app, nothing synthesized:');
      error.problems.forEach((p) => print(`  ${p}`));
      return EXIT_CONFIG;
    }
    if (error instanceof ConfigError || error instanceof ComplianceConfigError) {
      print('SpendSense: invalid configuration, nothing synthesized:');
      const problems = error instanceof ConfigError ? error.problems : [error.message];
      problems.forEach((p) => print(`  ${p}`));
      return EXIT_CONFIG;
    }
    const run = kit?.compliance.lastRun;
    if (run && blocking(run.results).length > 0) {
      // aws-cdk-lib has printed the validation report, or (in-memory app mode) put it in the error's message.
      const message = error instanceof Error ? error.message : String(error);
      if (!/^Validation failed/.test(message)) print(message);
      print(`SpendSense: the policy gate failed; see the findings above and ${app.outdir}/compliance.json`);
      return EXIT_POLICY;
    }
    if (process.env.SPENDSENSE_DEBUG) throw error;
    print(
      `SpendSense: synthesis failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (SPENDSENSE_DEBUG=1 shows where)`,
    );
    return EXIT_UNEXPECTED;
  }
}
