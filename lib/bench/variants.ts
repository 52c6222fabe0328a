/**
 * The synthesis variants the benchmark compares, built in-process so that only synthesis is timed.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { collectAcknowledgements } from '../../aspects/acknowledgements';
import { applyCompliance } from '../../aspects/compliance';
import { DatabaseStack } from '../database-stack';
import { ENVIRONMENT_NAMES, NagPackName, profiles } from '../profiles';

export const VARIANTS = ['bare', 'cdk-nag', 'kit'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The same packs in every variant that runs cdk-nag, so that the kit's own cost is what differs. */
export const BENCH_PACKS: readonly NagPackName[] = ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'];

function nagPlugins(): NagPack[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()];
}

export interface SynthMeasurement {
  readonly variant: Variant;
  readonly environments: number;
  readonly resources: number;
  readonly ms: number;
}

/**
 * Builds `environments` database stacks (cycling through dev, staging, prod) and synthesizes them with the variant's
 * checks, built-in CloudFormation validation off. Findings never fail the run: only time is measured.
 */
export function synthesizeVariant(variant: Variant, environments: number, outdir: string): SynthMeasurement {
  const started = process.hrtime.bigint();
  // As `cdk synth` runs an app: with path metadata on.
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:enable-path-metadata': true },
  });
  for (let i = 0; i < environments; i++) {
    const base = profiles[ENVIRONMENT_NAMES[i % ENVIRONMENT_NAMES.length]];
    const suffix = environments > ENVIRONMENT_NAMES.length ? `-${String(i + 1).padStart(2, '0')}` : '';
    new DatabaseStack(app, `SpendSense-Database-${base.name}${suffix}`, {
      profile: { ...base, nagPacks: BENCH_PACKS },
      stackName: `SpendSense-Database-${base.name}${suffix}`,
    });
  }
  if (variant === 'cdk-nag') {
    // What a cdk-nag-only setup would do: acknowledge the same findings natively, so synthesis completes.
    const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
    for (const a of collectAcknowledgements(app)) {
      const scope = byPath.get(a.scope);
      if (scope && !a.ruleId.startsWith('SS-')) Validations.of(scope).acknowledge({ id: a.ruleId, reason: a.reason });
    }
    Validations.of(app).addPlugins(...nagPlugins());
  }
  if (variant === 'kit') applyCompliance(app, { enforce: false, writeFiles: true });
  let resources = 0;
  try {
    const assembly = app.synth();
    for (const stack of assembly.stacks)
      resources += Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
  } catch (error) {
    // A finding left unacknowledged fails synthesis once all checks have run; the time still counts.
    if (!(error instanceof Error && /Validation failed/.test(error.message))) throw error;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { variant, environments, resources, ms };
}
