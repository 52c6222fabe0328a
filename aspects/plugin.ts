/**
 * The compliance gate as a CDK validation plugin: it runs after synthesis on the templates CloudFormation will receive,
 * and also walks the construct tree for cdk-nag and acknowledgements.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import {
  App,
  CfnElement,
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { collectAcknowledgements, coversPath } from './acknowledgements';
import { blocking, evaluateStack, sortResults, StackEvaluation } from './engine';
import { complianceTargetOf } from './environment';
import { runNagPacks } from './nag';
import { toSarif, SourceLocation } from './sarif';
import type { CfnTemplate } from './template';
import type { AcknowledgementRecord, CheckResult } from './types';

export const COMPLIANCE_JSON = 'compliance.json';
export const COMPLIANCE_SARIF = 'compliance.sarif';
const TOOL_VERSION = '1.0.0';

export interface CompliancePluginOptions {
  /** `YYYY-MM-DD` that decides whether acknowledgements have expired. */
  readonly today: string;
  /** Fail synthesis on errors (the gate). Off, the results are only recorded. @default true */
  readonly enforce: boolean;
  /** Write compliance.json and compliance.sarif next to the templates. @default true */
  readonly writeFiles: boolean;
  /** Base for repository-relative paths in SARIF. @default process.cwd() */
  readonly repositoryRoot: string;
}

/** Everything one synthesis found: the input of compliance.json, SARIF and the report. */
export interface ComplianceRun {
  readonly date: string;
  readonly stacks: readonly StackEvaluation[];
  readonly results: readonly CheckResult[];
  readonly acknowledgements: readonly (AcknowledgementRecord & { stack: string; environment: string })[];
}

function stacksOf(root: IConstruct): Stack[] {
  return root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/** The construct path CDK records on each resource of a template synthesized with path metadata (as `cdk synth` does). */
const PATH_METADATA = 'aws:cdk:path';

/**
 * Maps between logical ids and construct paths of one stack's resources. The template's own path metadata answers
 * when present; otherwise each CfnResource's logical id is resolved.
 */
function indexStack(stack: Stack, template: CfnTemplate, constructs: ReadonlyMap<string, IConstruct>) {
  const pathById = new Map<string, string>();
  const idByPath = new Map<string, string>();
  const resources = template.Resources ?? {};
  for (const [id, r] of Object.entries(resources)) {
    const path = r.Metadata?.[PATH_METADATA];
    if (typeof path !== 'string') continue;
    pathById.set(id, path);
    idByPath.set(path, id);
  }
  if (pathById.size < Object.keys(resources).length) {
    for (const c of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack || idByPath.has(c.node.path)) continue;
      const id = stack.resolve((c as CfnElement).logicalId) as string;
      pathById.set(id, c.node.path);
      idByPath.set(c.node.path, id);
    }
  }
  return {
    pathOf: (id: string) => pathById.get(id) ?? `${stack.node.path}/${id}`,
    resourceAt: (path: string) => {
      const id = idByPath.get(path);
      return id !== undefined && resources[id] ? { logicalId: id, type: resources[id].Type } : undefined;
    },
    constructOf: (result: CheckResult) =>
      constructs.get(result.constructPath) ?? constructs.get(pathById.get(result.logicalId) ?? ''),
  };
}

function creationSite(construct: IConstruct | undefined, repositoryRoot: string): SourceLocation | undefined {
  for (let c = construct; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      for (const frame of entry.trace ?? []) {
        const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+\.ts):(\d+):\d+\)?$/.exec(frame.trim());
        if (!m || m[1].includes(`${sep}node_modules${sep}`)) continue;
        const rel = relative(repositoryRoot, m[1]);
        if (rel.startsWith('..') || isAbsolute(rel)) continue;
        return { uri: rel.split(sep).join('/'), line: Number(m[2]) };
      }
    }
    if (Stack.isStack(c)) break;
  }
  return undefined;
}

function templateLine(text: string, logicalId: string): number {
  if (!logicalId) return 1;
  const i = text.indexOf(`"${logicalId}": {`);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}

export class CompliancePlugin implements IPolicyValidationPlugin {
  readonly name = 'SpendSense';
  readonly version = TOOL_VERSION;
  /** Set after each synthesis. */
  lastRun?: ComplianceRun;

  constructor(private readonly options: CompliancePluginOptions) {}

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const stacks = stacksOf(root);
    const acknowledgements = collectAcknowledgements(root);
    const constructs = new Map(root.node.findAll().map((c) => [c.node.path, c]));
    const evaluations: StackEvaluation[] = [];
    const locations = new Map<CheckResult, SourceLocation>();
    const fallbackDir = dirname(context.stackTemplates[0]?.templatePath ?? '.');
    for (const st of context.stackTemplates) {
      const file = st.templatePath.split(sep).pop();
      const stack =
        stacks.find((s) => s.node.path === st.stackConstructPath) ?? stacks.find((s) => s.templateFile === file);
      if (!stack) continue;
      const target = complianceTargetOf(stack);
      if (!target) continue;
      const text = readFileSync(st.templatePath, 'utf8');
      const template = JSON.parse(text) as CfnTemplate;
      const index = indexStack(stack, template, constructs);
      const evaluation = evaluateStack({
        stackName: stack.stackName,
        target,
        template,
        pathOf: index.pathOf,
        resourceAt: index.resourceAt,
        nagFindings: runNagPacks(stack, target.nagPacks),
        acknowledgements: acknowledgements.filter(
          (a) => coversPath(a.scope, stack.node.path) || coversPath(stack.node.path, a.scope),
        ),
        today: this.options.today,
      });
      evaluations.push(evaluation);
      const templateUri = this.repoPath(st.templatePath);
      // Only findings are located: SARIF lists findings, not passes.
      for (const r of evaluation.results) {
        if (r.status === 'pass') continue;
        locations.set(
          r,
          creationSite(index.constructOf(r), this.options.repositoryRoot) ?? {
            uri: templateUri,
            line: templateLine(text, r.logicalId),
          },
        );
      }
    }
    const run: ComplianceRun = {
      date: this.options.today,
      stacks: evaluations,
      results: sortResults(evaluations.flatMap((e) => e.results)),
      acknowledgements: evaluations.flatMap((e) =>
        e.acknowledgements.map((a) => ({ ...a, stack: e.stack, environment: e.environment })),
      ),
    };
    this.lastRun = run;
    if (this.options.writeFiles) {
      const outdir = App.isApp(root) ? root.outdir : fallbackDir;
      mkdirSync(outdir, { recursive: true });
      writeFileSync(join(outdir, COMPLIANCE_JSON), `${JSON.stringify(complianceJson(run), null, 2)}\n`);
      const sarif = toSarif({ results: run.results, toolVersion: TOOL_VERSION, locate: (r) => locations.get(r)! });
      writeFileSync(join(outdir, COMPLIANCE_SARIF), `${JSON.stringify(sarif, null, 2)}\n`);
    }
    if (!this.options.enforce) return { success: true, violations: [] };
    const errors = blocking(run.results);
    const warnings = run.results.filter(
      (r) => r.status === 'warn' || (r.status === 'cannot-verify' && r.severity === 'warning'),
    );
    return {
      success: errors.length === 0,
      violations: [...errors, ...warnings].map((r) => violation(r, this.repoPath(templateOf(r, context)))),
    };
  }

  /** Repository-relative; a cloud assembly outside the repository is named by its file alone. */
  private repoPath(file: string): string {
    const rel = relative(this.options.repositoryRoot, file);
    return (rel.startsWith('..') || isAbsolute(rel) ? basename(file) : rel).split(sep).join('/');
  }
}

function templateOf(r: CheckResult, context: IPolicyValidationContext): string {
  return context.stackTemplates.find((s) => s.templatePath.endsWith(`${r.stack}.template.json`))?.templatePath ?? '';
}

/** The rule-metadata key aws-cdk-lib reads to treat an error as one Validations.of(x).acknowledge() cannot suppress. */
const NOT_NATIVELY_ACKNOWLEDGEABLE = 'cdk:annotation';

const VERDICT: Record<string, string> = { fail: 'failed', warn: 'warning', 'cannot-verify': 'cannot verify' };

/** One violation per finding, so each line names its environment, value and fix. */
function violation(r: CheckResult, templatePath: string): PolicyViolation {
  return {
    ruleName: r.ruleId,
    description: `[${r.environment}] ${r.ruleId} ${VERDICT[r.status] ?? r.status}: ${r.title.replace(/\.$/, '')}. Found: ${r.evidence}.`,
    fix: r.fix,
    severity: r.severity,
    // Errors may only be accepted through the kit's acknowledge() (reason, owner, expiry): aws-cdk-lib then neither
    // offers nor honours its own Validations.of(x).acknowledge() for them.
    ruleMetadata: r.severity === 'error' ? { [NOT_NATIVELY_ACKNOWLEDGEABLE]: 'true' } : undefined,
    violatingResources: [
      {
        constructPath: r.constructPath,
        resourceLogicalId: r.logicalId || undefined,
        templatePath: templatePath || undefined,
        locations: [],
      },
    ],
  };
}

/** The compliance.json document. */
export function complianceJson(run: ComplianceRun): object {
  const count = (status: string) => run.results.filter((r) => r.status === status).length;
  return {
    version: 1,
    date: run.date,
    summary: {
      pass: count('pass'),
      fail: count('fail'),
      warn: count('warn'),
      acknowledged: count('acknowledged'),
      cannotVerify: count('cannot-verify'),
      blocking: blocking(run.results).length,
    },
    stacks: run.stacks.map((s) => ({ stack: s.stack, environment: s.environment })),
    results: run.results,
    acknowledgements: run.acknowledgements,
  };
}
