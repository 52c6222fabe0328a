/**
 * `applyCompliance(scope)`: attaches the kit's policies and the selected cdk-nag packs to an App, Stage or Stack.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stage, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentName, NagPackName } from '../lib/profiles';
import { isIsoDate } from './acknowledgements';
import { DEFAULT_MIN_BACKUP_RETENTION_DAYS, markComplianceTarget } from './environment';
import { assertSetup } from './setup';
import { COMPLIANCE_JSON, COMPLIANCE_JUNIT, COMPLIANCE_SARIF, CompliancePlugin } from './plugin';
import { expectRun } from './exit-guard';

/** Context key and environment variable that pin the date deciding acknowledgement expiry. */
export const COMPLIANCE_DATE_CONTEXT = 'complianceDate';
export const COMPLIANCE_DATE_ENV = 'SPENDSENSE_COMPLIANCE_DATE';

export interface ComplianceOptions {
  /**
   * The environment of the stacks under `scope`. It only adds strictness: a kit `DatabaseStack` keeps its profile's
   * environment when this one is laxer. @default - stacks nothing else marks are judged as prod
   */
  readonly environment?: EnvironmentName;
  /** cdk-nag packs for those stacks. @default ['AwsSolutions'] */
  readonly nagPacks?: readonly NagPackName[];
  /** Backup minimum for those stacks. @default dev 1, staging 7, prod 14 */
  readonly minBackupRetentionDays?: number;
  /**
   * `YYYY-MM-DD` deciding whether acknowledgements have expired. The latest of this, context `complianceDate`, env
   * SPENDSENSE_COMPLIANCE_DATE and today (UTC) is used: a date before another counts as the later one.
   * @default - today (UTC), or a later date of context `complianceDate` or env SPENDSENSE_COMPLIANCE_DATE
   */
  readonly date?: string;
  /** Fail synthesis on errors. @default true */
  readonly enforce?: boolean;
  /** Write compliance.json, compliance.sarif and compliance.junit.xml into the cloud assembly. @default true */
  readonly writeFiles?: boolean;
  /**
   * Base for repository-relative paths in SARIF and findings.
   * @default - the git repository (the nearest directory with `.git`) around the working directory, else the latter
   */
  readonly repositoryRoot?: string;
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file in a worktree); else `dir`. */
export function repositoryRootOf(dir: string): string {
  const start = resolve(dir);
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return start;
  }
}

/** Raised for a bad compliance option, before anything is synthesized. */
export class ComplianceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComplianceConfigError';
  }
}

const PLUGIN = Symbol.for('spendsense.compliance.plugin');
type WithPlugin = Stage & { [PLUGIN]?: CompliancePlugin };

/**
 * The day acknowledgements are judged on: the pinned date (option, context, env) when it is later than today, else
 * today (UTC). Pinning an earlier date keeps a report reproducible but never revives an expired acknowledgement.
 */
/**
 * Today (UTC) by the later of two clocks: `Date`, and the wall time Node took at start plus the time since
 * (`perf_hooks`), so that an app that replaces `Date` to bring an expired acknowledgement back must fake both.
 */
export function clockToday(): string {
  const ms = Math.max(Date.now(), performance.timeOrigin + performance.now());
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The date acknowledgements are judged on: the latest of today and every date given (the option, context
 * `complianceDate`, env SPENDSENSE_COMPLIANCE_DATE), since a later date only ever expires more of them. A CI job that
 * pins the date from outside the app cannot be lowered by one the app writes.
 */
function resolveDate(scope: IConstruct, explicit?: string): string {
  const fromContext: unknown = scope.node.tryGetContext(COMPLIANCE_DATE_CONTEXT);
  const given = [explicit, typeof fromContext === 'string' ? fromContext : undefined, process.env[COMPLIANCE_DATE_ENV]];
  let latest = clockToday();
  for (const value of given) {
    if (value === undefined || value === '') continue;
    if (!isIsoDate(value)) {
      throw new ComplianceConfigError(
        `${COMPLIANCE_DATE_CONTEXT}: got '${value}', expected a date YYYY-MM-DD (-c ${COMPLIANCE_DATE_CONTEXT}=2026-11-25)`,
      );
    }
    if (value > latest) latest = value;
  }
  return latest;
}

/**
 * Judges every stack under `scope` at synthesis: kit `DatabaseStack`s by their profile, other stacks by
 * `options.environment`. Returns the plugin, whose `lastRun` holds the results after `app.synth()`.
 */
export function applyCompliance(scope: IConstruct, options: ComplianceOptions = {}): CompliancePlugin {
  if (options.environment !== undefined) {
    markComplianceTarget(scope, {
      environment: options.environment,
      nagPacks: options.nagPacks ?? ['AwsSolutions'],
      minBackupRetentionDays: options.minBackupRetentionDays ?? DEFAULT_MIN_BACKUP_RETENTION_DAYS[options.environment],
    });
  }
  // Before anything of aws-cdk-lib is called on the app: with a second copy or an older version that fails obscurely.
  assertSetup(scope);
  const stage: WithPlugin | undefined = Stage.isStage(scope) ? scope : Stage.of(scope);
  if (!stage) throw new ComplianceConfigError('applyCompliance: the scope has no enclosing App or Stage');
  const existing = stage[PLUGIN];
  if (existing) return existing;
  refuseSynthesized(stage);
  const plugin = new CompliancePlugin({
    today: resolveDate(scope, options.date),
    enforce: options.enforce ?? true,
    writeFiles: options.writeFiles ?? true,
    repositoryRoot: options.repositoryRoot ?? repositoryRootOf(process.cwd()),
  });
  stage[PLUGIN] = plugin;
  // The results of an earlier synthesis into the same directory go now: they would describe another app, and
  // aws-cdk-lib (2.262 to 2.26x) refuses a plugin that rewrites a file that existed before validation.
  const app = stage.node.root;
  if (plugin.writesFiles && App.isApp(app)) {
    for (const file of [COMPLIANCE_JSON, COMPLIANCE_SARIF, COMPLIANCE_JUNIT])
      rmSync(join(app.outdir, file), { force: true });
  }
  Validations.of(stage).addPlugins(plugin);
  expectRun(plugin);
  return plugin;
}

/**
 * aws-cdk-lib keeps a stage's first cloud assembly and hands it back from every later `synth()` while no construct
 * was added: a gate attached after one (an `app.synth()`, `Template.fromStack()`) would never run, and the assembly
 * already written would be deployed unjudged. Refused, for the stage and each stage around it.
 */
function refuseSynthesized(stage: Stage): void {
  for (let s: Stage | undefined = stage; s; s = s.parentStage) {
    if ((s as unknown as { assembly?: unknown }).assembly !== undefined) {
      throw new ComplianceConfigError(
        `applyCompliance: ${s.node.path ? `the stage ${s.node.path}` : 'the app'} was already synthesized (app.synth(), Template.fromStack()), and aws-cdk-lib reuses that cloud assembly unjudged: call applyCompliance before anything synthesizes the app`,
      );
    }
  }
}
