/**
 * Builds the kit's CDK app: one `DatabaseStack` per selected environment, from the app's context, with the compliance
 * gate attached. `bin/app.ts` and the report share this so both see exactly the same stacks for the same `-c` overrides.
 */
import { App } from 'aws-cdk-lib';
import { applyCompliance, ComplianceOptions } from '../aspects/compliance';
import type { CompliancePlugin } from '../aspects/plugin';
import { resolveConfig, KitConfig } from './config';
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
