#!/usr/bin/env node
/** The CDK app: `npx cdk synth [-c environment=dev|staging|prod] [-c key=value ...]`. */
import { App } from 'aws-cdk-lib';
import { runKitApp } from '../lib/app';

// runKitApp synthesizes once itself; an automatic second synthesis at exit would rethrow what it already reported.
// aws-cdk-lib's built-in CloudFormation validation stays on, as aws-cdk-lib ships it: it checks every template against
// CloudFormation's resource schemas, which the policy gate does not. `cdk synth --no-validation` skips it (about half
// the synth's wall time; see docs/benchmark.md); the policy gate runs either way.
process.exitCode = runKitApp(new App({ autoSynth: false }), (line) => process.stderr.write(`${line}\n`));
