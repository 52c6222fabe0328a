#!/usr/bin/env node
/** The CDK app: `npx cdk synth [-c environment=dev|staging|prod] [-c key=value ...]`. */
import { App } from 'aws-cdk-lib';
import { runKitApp } from '../lib/app';

process.exitCode = runKitApp(new App(), (line) => process.stderr.write(`${line}\n`));
