/**
 * Builds the kit's CDK app: one `DatabaseStack` per selected environment, from the app's context.
 * `bin/app.ts` and the report share this so both see exactly the same stacks for the same `-c` overrides.
 */
import { App } from 'aws-cdk-lib';
import { resolveConfig, KitConfig } from './config';
import { DatabaseStack } from './database-stack';
import { stackName } from './profiles';

export interface KitApp {
  readonly config: KitConfig;
  readonly stacks: readonly DatabaseStack[];
}

/** Reads every context key of `app`, validates them together (throws `ConfigError`) and adds the stacks. */
export function buildKitApp(app: App): KitApp {
  const config = resolveConfig(app.node.getAllContext() as Record<string, unknown>);
  const stacks = config.environments.map((profile) => new DatabaseStack(app, stackName(profile.name), { profile }));
  return { config, stacks };
}
