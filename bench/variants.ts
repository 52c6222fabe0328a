/**
 * The synthesis variants the benchmark compares: the kit's stacks with no checks (`bare`), with cdk-nag's packs alone
 * (`cdk-nag`, acknowledging the same findings natively so that synthesis completes) and with every kit check (`kit`).
 * Compiled with the kit, so that what is timed is the JavaScript users run.
 */
import { App, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { collectAcknowledgements } from '../aspects/acknowledgements';
import { applyCompliance } from '../aspects/compliance';
import { DatabaseStack } from '../lib/database-stack';
import { ENVIRONMENT_NAMES, NagPackName, profiles } from '../lib/profiles';

export const VARIANTS = ['bare', 'cdk-nag', 'kit'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The same packs in every in-process variant that runs cdk-nag, so that the kit's own cost is what differs. */
export const BENCH_PACKS: readonly NagPackName[] = ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'];

const MAKE_PACK: Record<NagPackName, () => NagPack> = {
  AwsSolutions: () => new AwsSolutionsChecks(),
  HIPAA: () => new HIPAASecurityChecks(),
  NIST80053R5: () => new NIST80053R5Checks(),
  PCIDSS321: () => new PCIDSS321Checks(),
};

/**
 * cdk-nag rules that report one finding per detail, and the details the kit's stacks produce: a native cdk-nag
 * acknowledgement must name the finding (`AwsSolutions-IAM4[Policy::...]`), where the kit's covers the whole rule.
 */
const NAG_FINDINGS: Readonly<Record<string, readonly string[]>> = {
  'AwsSolutions-IAM4': ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
};

/**
 * cdk-nag's packs as a validation plugin, each stack judged by the packs its profile selects (AwsSolutions always), as
 * the kit selects them; the packs' own `validateScope` does the work.
 */
class PacksPerStack implements IPolicyValidationPlugin {
  public readonly name = 'cdk-nag';
  constructor(
    private readonly app: App,
    private readonly packsOf: (stack: Stack) => readonly NagPackName[],
  ) {}

  public validate(): PolicyValidationPluginReport {
    const violations = this.app.node
      .findAll()
      .filter((c): c is Stack => Stack.isStack(c))
      .flatMap((stack) =>
        [...new Set<NagPackName>(['AwsSolutions', ...this.packsOf(stack)])].flatMap(
          (name) => MAKE_PACK[name]().validateScope(stack).violations,
        ),
      );
    return { success: violations.length === 0, violations };
  }
}

/** What a cdk-nag-only setup would do: the kit's acknowledgements of cdk-nag rules made natively, and the packs. */
export function addNagAlone(app: App, packsOf: (stack: Stack) => readonly NagPackName[]): void {
  const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
  for (const a of collectAcknowledgements(app)) {
    const scope = byPath.get(a.scope);
    if (!scope || a.ruleId.startsWith('SS-')) continue;
    const ids = NAG_FINDINGS[a.ruleId]?.map((detail) => `${a.ruleId}[${detail}]`) ?? [a.ruleId];
    Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason: a.reason })));
  }
  Validations.of(app).addPlugins(new PacksPerStack(app, packsOf));
}

export interface SynthMeasurement {
  readonly variant: Variant;
  readonly environments: number;
  readonly resources: number;
  /** Wall time. */
  readonly ms: number;
  /** CPU time of the process (user and system, every thread: the garbage collector's helpers too). */
  readonly cpuMs: number;
}

/**
 * Builds `environments` database stacks (cycling through dev, staging, prod) and synthesizes them with the variant's
 * checks, built-in CloudFormation validation off. Every variant must synthesize cleanly: a finding left unacknowledged
 * would add cdk-nag's report printing to its figure.
 */
export function synthesizeVariant(variant: Variant, environments: number, outdir: string): SynthMeasurement {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
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
  if (variant === 'cdk-nag') addNagAlone(app, () => BENCH_PACKS);
  if (variant === 'kit') applyCompliance(app, { enforce: false, writeFiles: true });
  let resources = 0;
  try {
    const assembly = app.synth();
    for (const stack of assembly.stacks)
      resources += Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
  } catch (error) {
    const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`the ${variant} variant did not synthesize cleanly: ${first}`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return {
    variant,
    environments,
    resources,
    ms,
    cpuMs: (used.user + used.system) / 1000,
  };
}
