import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseStack } from '../../lib/database-stack';
import { EnvironmentName, EnvironmentProfile, profiles, stackName } from '../../lib/profiles';

/** A fresh app with one kit stack for `env`, profile fields overridden as given. */
export function kitStack(env: EnvironmentName, overrides: Partial<EnvironmentProfile> = {}): DatabaseStack {
  const app = new App();
  return new DatabaseStack(app, stackName(env), { profile: { ...profiles[env], ...overrides } });
}

export function kitTemplate(env: EnvironmentName, overrides: Partial<EnvironmentProfile> = {}): Template {
  return Template.fromStack(kitStack(env, overrides));
}
