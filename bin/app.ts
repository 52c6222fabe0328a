#!/usr/bin/env node
/** The CDK app: `npx cdk synth [-c environment=dev|staging|prod] [-c key=value ...]`. */
import { App } from 'aws-cdk-lib';
import { buildKitApp } from '../lib/app';
import { ConfigError } from '../lib/config';

const EXIT_CONFIG = 2;

try {
  const app = new App();
  buildKitApp(app);
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(
      `SpendSense: invalid configuration, nothing synthesized:\n${error.problems.map((p) => `  ${p}\n`).join('')}`,
    );
    process.exit(EXIT_CONFIG);
  }
  throw error;
}
