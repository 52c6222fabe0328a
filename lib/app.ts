/**
 * Builds the kit's CDK app: one `DatabaseStack` per selected environment, from the app's context, with the compliance
 * gate attached. `bin/app.ts` and the report share this so both see exactly the same stacks for the same `-c` overrides.
 */
import { App } from 'aws-cdk-lib';
import { applyCompliance, ComplianceConfigError, ComplianceOptions } from '../aspects/compliance';
import type { CompliancePlugin } from '../aspects/plugin';
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

/** Exit codes of the app: 0 synthesized, 1 the policy gate failed, 2 the configuration is invalid. */
export const EXIT_OK = 0;
export const EXIT_POLICY = 1;
export const EXIT_CONFIG = 2;

/**
 * What `bin/app.ts` runs: validate, build, synthesize. Expected failures become lines for `print` and an exit code,
 * never a stack trace; nothing is synthesized when the configuration is invalid.
 */
export function runKitApp(app: App, print: (line: string) => void, compliance: ComplianceOptions = {}): number {
  try {
    buildKitApp(app, compliance);
    app.synth();
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ComplianceConfigError) {
      print('SpendSense: invalid configuration, nothing synthesized:');
      const problems = error instanceof ConfigError ? error.problems : [error.message];
      problems.forEach((p) => print(`  ${p}`));
      return EXIT_CONFIG;
    }
    // aws-cdk-lib has printed the validation report, one entry per finding.
    if (error instanceof Error && /Validation failed/.test(error.message)) {
      print(`SpendSense: the policy gate failed; see the findings above and ${app.outdir}/compliance.json`);
      return EXIT_POLICY;
    }
    throw error;
  }
}
