#!/usr/bin/env node
/**
 * The kit's three stacks as a CDK app without the kit's gate, for `npm run bench`'s whole-process figures:
 * `cdk synth --app 'node dist/bench/cold-app.js bare'` (no checks) or `... cdk-nag` (cdk-nag's packs alone, the packs
 * each environment's profile selects, the kit's acknowledgements made natively). The kit's own figure is its real app.
 */
import { App, Stack } from 'aws-cdk-lib';
import { addNagAlone } from './variants';
import { DatabaseStack } from '../lib/database-stack';
import { ENVIRONMENT_NAMES, profiles, stackName } from '../lib/profiles';

const variant = process.argv[2];
if (variant !== 'bare' && variant !== 'cdk-nag') {
  process.stderr.write('usage: node dist/bench/cold-app.js <bare|cdk-nag>\n');
  process.exit(2);
}
const app = new App();
const stacks = new Map<Stack, (typeof profiles)[keyof typeof profiles]>();
for (const name of ENVIRONMENT_NAMES) {
  const profile = profiles[name];
  stacks.set(new DatabaseStack(app, stackName(name), { profile }), profile);
}
if (variant === 'cdk-nag') addNagAlone(app, (stack) => stacks.get(stack)?.nagPacks ?? []);
app.synth();
