/**
 * `generateReport(options)`: synthesizes the kit in-process exactly as `cdk synth` would (same context, same stacks),
 * prices each environment's rendered resources and renders the reports. It writes nothing: the CLI decides whether the
 * files are written or compared (`--check`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { byCodePoint, CfnTemplate } from '../aspects/template';
import { buildKitApp } from '../lib/app';
import { resolveConfig } from '../lib/config';
import { PriceCache } from '../lib/pricing/cache';
import { costModel, priceLines, totalOf } from '../lib/pricing/estimate';
import { LivePriceList } from '../lib/pricing/live';
import { PricingMode, PricingOutcome, quoteDimensions } from '../lib/pricing/quotes';
import { billableResources } from '../lib/pricing/resources';
import { PriceSnapshot, loadSnapshot } from '../lib/pricing/snapshot';
import { UsageFile, usageFor } from '../lib/pricing/usage';
import type { AcknowledgementRecord, CheckResult } from '../aspects/types';
import type { EnvironmentName, EnvironmentProfile } from '../lib/profiles';
import { cdkContext, ReportInputError } from './context';
import { securityControls } from './controls';
import type { EnvironmentReport, ReportFormat, ReportModel } from './model';
import { renderJson } from './render-json';
import { renderEnvironment } from './render-markdown';
import { renderSummary } from './render-summary';
import { coverageOf } from '../lib/pricing/coverage';

export const REPORT_JSON = 'report.json';
export const SUMMARY_MD = 'SUMMARY.md';

export interface GenerateReportOptions {
  /** Environments to report (`--env`). @default every environment the context synthesizes */
  readonly environments?: readonly EnvironmentName[];
  /** @default 'auto' */
  readonly pricing?: PricingMode;
  /** @default ['md', 'json'] */
  readonly formats?: readonly ReportFormat[];
  /** `-c key=value` arguments, applied after cdk.json and cdk.context.json. */
  readonly context?: readonly string[];
  /** Where cdk.json is. @default process.cwd() */
  readonly projectDir?: string;
  /** Usage assumptions that override the defaults (`--usage FILE`, already parsed). */
  readonly usage?: UsageFile;
  /** Ignore cached Price List answers. */
  readonly refresh?: boolean;
  /** @default <projectDir>/.cache/pricing */
  readonly cacheDir?: string;
  readonly cacheTtlMs?: number;
  /** Attempts per Price List request. @default AWS_MAX_ATTEMPTS, else 5 */
  readonly maxAttempts?: number;
  /** Concurrent Price List requests. @default 4 */
  readonly concurrency?: number;
  /** @default the bundled snapshot */
  readonly snapshot?: PriceSnapshot;
  /** Called at the start of each phase with one line. */
  readonly onProgress?: (message: string) => void;
}

export interface ReportFile {
  /** File name inside the output directory. */
  readonly name: string;
  readonly content: string;
}

export interface GeneratedReport {
  readonly model: ReportModel;
  readonly files: readonly ReportFile[];
  readonly pricing: Omit<PricingOutcome, 'quotes'>;
  /** Unpriced lines over all environments. */
  readonly unpriced: number;
  /** The day the gate judged acknowledgements on, as `cdk synth` decides it. */
  readonly complianceDate: string;
}

/** One environment as synthesis left it: its profile, rendered template and compliance results. */
export interface SynthesizedEnvironment {
  readonly profile: EnvironmentProfile;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly findings: readonly CheckResult[];
  readonly acknowledgements: readonly AcknowledgementRecord[];
  /** The day the gate judged acknowledgements on (`YYYY-MM-DD`), as `cdk synth` decides it. */
  readonly complianceDate: string;
}

export type SynthesisOptions = Pick<GenerateReportOptions, 'environments' | 'context' | 'projectDir'>;

/**
 * Synthesizes the kit in-process as `cdk synth` does: the CLI's context, the same stacks (`buildKitApp`), the
 * compliance plugin recording (not enforcing) its results. Throws `ConfigError` for invalid `-c` values.
 */
export function synthesizeKit(options: SynthesisOptions = {}): SynthesizedEnvironment[] {
  const context = cdkContext(options.projectDir ?? process.cwd(), options.context ?? []);
  // Checked before synthesis: the context decides which environments exist (throws ConfigError as synth would).
  const selected = resolveConfig(context).environments.map((p) => p.name);
  const wanted = options.environments ?? selected;
  const absent = wanted.filter((e) => !selected.includes(e));
  if (absent.length > 0) {
    throw new ReportInputError(
      `--env ${absent.join(',')}: not synthesized; the context selects ${selected.join(', ')} (-c environment=...)`,
    );
  }
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-report-'));
  try {
    const app = new App({ context, outdir, builtinCloudFormationValidation: false });
    const kit = buildKitApp(app, { enforce: false, writeFiles: false });
    const assembly = app.synth();
    const run = kit.compliance.lastRun;
    return kit.stacks
      .filter((stack) => wanted.includes(stack.profile.name))
      .map((stack) => ({
        profile: stack.profile,
        stackName: stack.stackName,
        template: assembly.getStackByName(stack.stackName).template as CfnTemplate,
        findings: sortFindings((run?.results ?? []).filter((r) => r.stack === stack.stackName)),
        acknowledgements: (run?.acknowledgements ?? [])
          .filter((a) => a.stack === stack.stackName)
          .map(({ stack: _s, environment: _e, ...a }) => a)
          .sort((a, b) => byCodePoint(a.scope, b.scope) || byCodePoint(a.ruleId, b.ruleId)),
        complianceDate: run?.date ?? new Date().toISOString().slice(0, 10),
      }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The kit's policy results first, then each cdk-nag pack; by rule, resource and evidence within. */
function sortFindings(results: readonly CheckResult[]): CheckResult[] {
  const rank = (r: CheckResult) => (r.source === 'spendsense' ? '0' : `1${r.source}`);
  return [...results].sort(
    (a, b) =>
      byCodePoint(rank(a), rank(b)) ||
      byCodePoint(a.ruleId, b.ruleId) ||
      byCodePoint(a.constructPath, b.constructPath) ||
      byCodePoint(a.evidence, b.evidence),
  );
}

/** Synthesizes, prices and renders. The benchmark and the CLI call this. */
export async function generateReport(options: GenerateReportOptions = {}): Promise<GeneratedReport> {
  (options.onProgress ?? (() => undefined))('synthesizing the app');
  return reportFromSynthesis(synthesizeKit(options), options);
}

/** Prices and renders environments already synthesized. */
export async function reportFromSynthesis(
  synthesized: readonly SynthesizedEnvironment[],
  options: Omit<GenerateReportOptions, 'environments' | 'context'> = {},
): Promise<GeneratedReport> {
  const progress = options.onProgress ?? (() => undefined);
  const formats = options.formats ?? ['md', 'json'];
  const snapshot = options.snapshot ?? loadSnapshot();
  const projectDir = options.projectDir ?? process.cwd();
  const envs = synthesized.map((s) => {
    const usage = usageFor(s.profile.name, options.usage);
    const priced = costModel(billableResources(s.template), s.profile.region, usage);
    // Every other resource of the template, not billed or not priced yet, each with its reason.
    const coverage = coverageOf(s.template);
    const model = {
      ...priced,
      unaskable: [...priced.unaskable, ...coverage.unaskable],
      free: [...priced.free, ...coverage.free],
    };
    const build = (priced: ReturnType<typeof priceLines>): EnvironmentReport => ({
      name: s.profile.name,
      stack: s.stackName,
      region: s.profile.region,
      instanceClass: s.profile.instanceClass,
      monthlyCostUsd: totalOf(priced.items),
      lineItems: priced.items,
      unpriced: priced.unpriced,
      notBilled: model.free,
      freeTiers: model.freeTiers,
      assumptions: usage,
      controls: securityControls(s.template, s.profile, s.findings),
      findings: s.findings,
      acknowledgements: s.acknowledgements,
    });
    return { model, build };
  });

  const dimensions = envs.flatMap((e) => e.model.lines.map((l) => l.dimension));
  const distinct = new Set(dimensions.map((d) => d.key)).size;
  const mode = options.pricing ?? 'auto';
  progress(`pricing ${distinct} price dimensions (--pricing ${mode})`);
  const outcome = await quoteDimensions(dimensions, {
    mode,
    snapshot,
    concurrency: options.concurrency,
    live: () =>
      LivePriceList.create({
        maxAttempts: options.maxAttempts,
        refresh: options.refresh,
        cache: new PriceCache(options.cacheDir ?? join(projectDir, '.cache', 'pricing'), options.cacheTtlMs),
      }),
  });

  progress('rendering');
  const environments = envs.map((e) => e.build(priceLines(e.model, outcome.quotes)));
  const items = environments.flatMap((e) => e.lineItems);
  const model: ReportModel = {
    pricing: {
      // "live" only when the live API priced at least one line.
      source: outcome.used === 'live' && items.every((i) => i.fallbackReason !== undefined) ? 'snapshot' : outcome.used,
      snapshotChecked: [
        ...new Set(items.flatMap((i) => (i.source.kind === 'snapshot' ? [i.source.checked] : []))),
      ].sort(),
      fellBack: items.filter((i) => i.fallbackReason !== undefined).length,
    },
    environments,
  };
  const files: ReportFile[] = [];
  if (formats.includes('md')) {
    for (const e of environments) files.push({ name: `${e.name}.md`, content: renderEnvironment(e, model.pricing) });
    files.push({ name: SUMMARY_MD, content: renderSummary(model) });
  }
  if (formats.includes('json')) files.push({ name: REPORT_JSON, content: renderJson(model) });
  return {
    model,
    files,
    pricing: { requested: outcome.requested, used: outcome.used, note: outcome.note, requests: outcome.requests },
    unpriced: environments.reduce((n, e) => n + e.unpriced.length, 0),
    complianceDate: synthesized[0]?.complianceDate ?? new Date().toISOString().slice(0, 10),
  };
}
