#!/usr/bin/env node
/** The CDK app: `npx cdk synth [-c environment=dev|staging|prod] [-c key=value ...]`. */
import { App } from 'aws-cdk-lib';
import { runKitApp } from '../lib/app';

// runKitApp synthesizes once itself; an automatic second synthesis at exit would rethrow what it already reported.
process.exitCode = runKitApp(new App({ autoSynth: false }), (line) => process.stderr.write(`${line}\n`));
