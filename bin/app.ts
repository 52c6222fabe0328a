#!/usr/bin/env node
/** The CDK app: `npx cdk synth [-c environment=dev|staging|prod] [-c key=value ...]`. */
import { App } from 'aws-cdk-lib';
import { ComplianceConfigError } from '../aspects/compliance';
import { buildKitApp } from '../lib/app';
import { ConfigError } from '../lib/config';

/** Exit codes: 1 the policy gate failed, 2 the configuration is invalid. */
const EXIT_POLICY = 1;
const EXIT_CONFIG = 2;

let app: App | undefined;
try {
  app = new App();
  buildKitApp(app);
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(
      `SpendSense: invalid configuration, nothing synthesized:\n${error.problems.map((p) => `  ${p}\n`).join('')}`,
    );
    process.exit(EXIT_CONFIG);
  }
  if (error instanceof ComplianceConfigError) {
    process.stderr.write(`SpendSense: invalid configuration, nothing synthesized:\n  ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  // The validation report has been printed above, one entry per finding.
  if (error instanceof Error && /Validation failed/.test(error.message)) {
    process.stderr.write(
      `SpendSense: the policy gate failed; see the findings above and ${app?.outdir ?? 'cdk.out'}/compliance.json\n`,
    );
    process.exit(EXIT_POLICY);
  }
  throw error;
}
