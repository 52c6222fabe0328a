/**
 * The compliance gate as a CDK validation plugin: it runs after synthesis on the templates CloudFormation will receive,
 * and also walks the construct tree for cdk-nag and acknowledgements.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  App,
  CfnElement,
  CfnResource,
  CfnStack,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  IResolveContext,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  Token,
  Tokenization,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { collectAcknowledgements, coversPath } from './acknowledgements';
import { blocking, evaluateStack, sortResults, StackEvaluation } from './engine';
import {
  ComplianceTarget,
  complianceTargetOf,
  DEFAULT_MIN_BACKUP_RETENTION_DAYS,
  mergeComplianceTargets,
  ownComplianceTarget,
} from './environment';
import { Exported, Resolver } from './resolve';
import { runNagPacks } from './nag';
import { FindingGroup, groupFindings, groupRuleIds } from './grouping';
import { toJunit } from './junit';
import { toSarif, SourceLocation } from './sarif';
import { kitHome } from './kit-home';
import { assertSetup, kitManifest } from './setup';
import { FileAssets, fileAssetsOf } from './assets';
import { failProcess, guardAssembly, underCdkCli, underTestRunner } from './exit-guard';
import type { CfnTemplate } from './template';
import type { AcknowledgementRecord, CheckResult } from './types';

export const COMPLIANCE_JSON = 'compliance.json';
export const COMPLIANCE_SARIF = 'compliance.sarif';
export const COMPLIANCE_JUNIT = 'compliance.junit.xml';
const TOOL_VERSION = kitManifest().version;

/** A stack nothing marks with an environment is judged as prod: what the gate cannot place is not let off. */
const UNMARKED_TARGET: ComplianceTarget = {
  environment: 'prod',
  nagPacks: ['AwsSolutions'],
  minBackupRetentionDays: DEFAULT_MIN_BACKUP_RETENTION_DAYS.prod,
};

export interface CompliancePluginOptions {
  /** `YYYY-MM-DD` that decides whether acknowledgements have expired. */
  readonly today: string;
  /** Fail synthesis on errors (the gate). Off, the results are only recorded. @default true */
  readonly enforce: boolean;
  /** Write compliance.json, compliance.sarif and compliance.junit.xml next to the templates. @default true */
  readonly writeFiles: boolean;
  /** Base for repository-relative paths in SARIF and findings. */
  readonly repositoryRoot: string;
}

/** Everything one synthesis found: the input of compliance.json, SARIF and the report. */
export interface ComplianceRun {
  readonly date: string;
  readonly stacks: readonly StackEvaluation[];
  readonly results: readonly CheckResult[];
  readonly acknowledgements: readonly (AcknowledgementRecord & { stack: string; environment: string })[];
  /** How the verdict was enforced, and settings of the app that would have weakened it, for the audit record. */
  readonly enforcement: Enforcement;
  /** Where each finding (not the passes) is placed: the user's source line that created it, else its template. */
  readonly locations: ReadonlyMap<CheckResult, SourceLocation>;
}

export interface Enforcement {
  /** False only for a record-only run (enforce: false) outside the CDK CLI or with no prod stack. */
  readonly enforced: boolean;
  /** Settings found that would have weakened the gate, and what the gate did about each. */
  readonly overrides: readonly string[];
}

/** How the run is enforced: `enforce: false` is honoured only where no prod stack goes through `cdk synth`. */
function enforcementOf(root: IConstruct, asked: boolean, stacks: readonly StackEvaluation[]): Enforcement {
  const overrides: string[] = [];
  const fail = root.node.tryGetContext(FAIL_SYNTH_ON_VALIDATION_ERRORS) as unknown;
  if (fail === false || fail === 'false') {
    overrides.push(
      `${FAIL_SYNTH_ON_VALIDATION_ERRORS}=false (the CDK CLI sets it to report validation itself): the gate fails the process through its exit code`,
    );
  }
  const mode = (root.node.tryGetContext('@aws-cdk/core:appMode') as unknown) ?? process.env.CDK_APP_MODE;
  if (mode === 'process') overrides.push("app mode 'process': the gate fails the process through its exit code");
  let enforced = asked;
  if (!asked && underCdkCli() && stacks.some((s) => s.environment === 'prod')) {
    enforced = true;
    overrides.push('enforce: false under cdk synth with a prod stack: refused, the gate enforces');
  } else if (!asked) {
    overrides.push('enforce: false: results recorded, synthesis not failed');
  }
  return { enforced, overrides };
}

function stacksOf(root: IConstruct): Stack[] {
  return root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/**
 * The logical id each element renders with: its `logicalId` token (one Lazy yielding the override or the allocated
 * id) resolved directly, which spares the generic resolver's pass over each string. `undefined` for an element whose
 * id is not that: a `logicalId` replaced by a literal, or an override that is itself a token, whose value can depend
 * on where and when it is resolved, so it may differ from the template's; such an element claims no resource.
 */
function logicalIds(stack: Stack, elements: readonly CfnElement[]): (string | undefined)[] {
  const context: IResolveContext = {
    scope: stack,
    preparing: false,
    documentPath: [],
    resolve: (x: unknown) => stack.resolve(x) as unknown,
    registerPostProcessor: () => undefined,
  };
  return elements.map((c) => {
    const token = Tokenization.reverseCompleteString(c.logicalId);
    const id = token ? (token.resolve(context) as unknown) : undefined;
    return typeof id === 'string' && !Token.isUnresolved(id) ? id : undefined;
  });
}

/**
 * Maps between logical ids and construct paths of one stack's resources, through the construct tree alone: each
 * CfnElement of the stack resolves its own logical id. Template metadata (`aws:cdk:path`) is never read, since the
 * code being judged can write it. A template resource no construct claims, or more than one does, is placed at
 * `<stack>/<logicalId>` (with a suffix when a construct has that path), where no acknowledgement on a construct
 * inside the stack reaches it.
 */
function indexStack(stack: Stack, template: CfnTemplate, constructs: ReadonlyMap<string, IConstruct>) {
  const pathById = new Map<string, string>();
  const idByPath = new Map<string, string>();
  const resources = template.Resources ?? {};
  const elements = stack.node
    .findAll()
    .filter((c): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack);
  const ids = logicalIds(stack, elements);
  const claimed = new Set<string>();
  elements.forEach((c, i) => {
    const id = ids[i];
    if (id === undefined || !(id in resources)) return;
    // A resource element claims only a resource of its own type.
    if (CfnResource.isCfnResource(c) && c.cfnResourceType !== resources[id].Type) return;
    if (claimed.has(id)) {
      // Two constructs cannot render one logical id (aws-cdk-lib refuses that): one resolved differently here than in
      // the template must not pass its resource off as another's. The id stays unclaimed.
      idByPath.delete(pathById.get(id) ?? '');
      pathById.delete(id);
      return;
    }
    claimed.add(id);
    pathById.set(id, c.node.path);
    idByPath.set(c.node.path, id);
  });
  // An unclaimed resource's path is one no construct has, so that only acknowledgements on the stack or above reach it.
  const unclaimedPath = (id: string) => {
    let path = `${stack.node.path}/${id}`;
    for (let n = 1; constructs.has(path); n++) path = `${stack.node.path}/${id} (unclaimed${n > 1 ? ` ${n}` : ''})`;
    return path;
  };
  return {
    pathOf: (id: string) => pathById.get(id) ?? unclaimedPath(id),
    resourceAt: (path: string) => {
      const id = idByPath.get(path);
      return id !== undefined && resources[id] ? { logicalId: id, type: resources[id].Type } : undefined;
    },
    constructOf: (result: CheckResult) =>
      constructs.get(result.constructPath) ?? constructs.get(pathById.get(result.logicalId) ?? ''),
  };
}

/** One template the gate judges: a stack of the cloud assembly or a nested stack's own template file. */
interface Judged {
  readonly stack: Stack;
  readonly templatePath: string;
  readonly text: string;
  readonly template: CfnTemplate;
  readonly parent?: Judged;
  resolver?: Resolver;
}

/** Reads a stack's template and those of its nested stacks, depth first; a missing nested template is reported. */
function readTemplates(
  stack: Stack,
  templatePath: string,
  nestedOf: ReadonlyMap<Stack, Stack[]>,
  parent?: Judged,
): Judged[] {
  const text = readFileSync(templatePath, 'utf8');
  const judged: Judged = { stack, templatePath, text, template: JSON.parse(text) as CfnTemplate, parent };
  const out = [judged];
  for (const nested of nestedOf.get(stack) ?? []) {
    const file = join(dirname(templatePath), nested.templateFile);
    if (existsSync(file)) out.push(...readTemplates(nested, file, nestedOf, judged));
  }
  return out;
}

/**
 * True when the parent's template deploys the nested stack from the template file CDK wrote for it: its rendered
 * TemplateURL is the one the NestedStack itself sets, not one an override put there.
 */
function deploysJudgedTemplate(nested: Stack, parentTemplate: CfnTemplate): boolean {
  const id = nestedStackLogicalId(nested);
  const resource = nested.nestedStackResource;
  if (!id || !(resource instanceof CfnStack) || !nested.nestedStackParent) return false;
  const rendered = parentTemplate.Resources?.[id]?.Properties?.TemplateURL;
  const own: unknown = nested.nestedStackParent.resolve(resource.templateUrl);
  return rendered !== undefined && isDeepStrictEqual(rendered, own);
}

/** The properties of the resource in its parent's template that deploys the nested stack `j`. */
function nestedStackProps(j: Judged): Record<string, unknown> {
  return j.parent?.template.Resources?.[nestedStackLogicalId(j.stack) ?? '']?.Properties ?? {};
}

/** `value` from `j`'s template with each Ref to a parameter its parents pass it replaced by what they pass. */
function passedDown(value: unknown, j: Judged): unknown {
  const passed = (nestedStackProps(j).Parameters ?? {}) as Record<string, unknown>;
  const put = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(put);
    if (typeof v !== 'object' || v === null) return v;
    const ref = (v as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && Object.keys(v).length === 1 && Object.hasOwn(passed, ref))
      return passedDown(passed[ref], j.parent!);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, put(x)]));
  };
  return j.parent ? put(value) : value;
}

/**
 * A stack's name for results and evidence. A nested stack's own `stackName` is `{ Ref: AWS::StackName }`, known only at
 * deploy time: it is named after its parent and its construct id instead.
 */
/** `<account>/<region>` a stack deploys to, `*` for a part left to deploy time: where its exports can be imported. */
function environmentKeyOf(stack: Stack): string {
  const part = (v: string) => (Token.isUnresolved(v) ? '*' : v);
  return `${part(stack.account)}/${part(stack.region)}`;
}

function displayName(stack: Stack): string {
  const parent = stack.nestedStackParent;
  return parent ? `${displayName(parent)}/${stack.node.id}` : stack.stackName;
}

/** The logical id, in its parent's template, of the resource that deploys a nested stack. */
function nestedStackLogicalId(nested: Stack): string | undefined {
  const resource = nested.nestedStackResource;
  const parent = nested.nestedStackParent;
  return resource && parent ? (parent.resolve((resource as CfnElement).logicalId) as string) : undefined;
}

/** `name (/abs/path/file.ts:12:5)` or `/abs/path/file.js:12:5`: a frame of the user's JavaScript or TypeScript. */
const SOURCE_FRAME = /\(?((?:\/|[A-Za-z]:\\)[^()]*?\.(?:[cm]?[jt]s|[jt]sx)):(\d+):(\d+)\)?$/;

/** The stack trace aws-cdk-lib recorded when the construct was created (aws-cdk-lib 2.262 on: creationStack). */
function creationTrace(construct: IConstruct): readonly string[] {
  for (const entry of construct.node.metadata) {
    if (entry.type === 'aws:cdk:creationStack' && Array.isArray(entry.data)) return entry.data as string[];
    if (entry.type === 'aws:cdk:logicalId' && entry.trace) return entry.trace;
  }
  return [];
}

/** The innermost frame of `trace` in the repository and outside node_modules. */
function userFrame(trace: readonly string[], repositoryRoot: string): SourceLocation | undefined {
  for (const frame of trace) {
    const m = SOURCE_FRAME.exec(frame.trim());
    if (!m || m[1].includes(`${sep}node_modules${sep}`)) continue;
    const rel = relative(repositoryRoot, m[1]);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    return { uri: rel.split(sep).join('/'), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * The line of the user's source that created the resource: the innermost user frame of its own creation trace; when
 * that trace ends inside a library (aws-cdk-lib keeps ten frames), the creation trace of the nearest enclosing L2 (its
 * default child), up to but not including the stack. `undefined` when no such line exists.
 */
export function creationSite(construct: IConstruct | undefined, repositoryRoot: string): SourceLocation | undefined {
  for (let c = construct; c && !Stack.isStack(c); c = c.node.scope) {
    for (const candidate of [c, c.node.defaultChild]) {
      const site = candidate && userFrame(creationTrace(candidate), repositoryRoot);
      if (site) return site;
    }
  }
  return undefined;
}

/** The metadata aws-cdk-lib records for `addPropertyOverride` in debug mode (`cdk synth --debug`, CDK_DEBUG). */
const PROPERTY_ASSIGNMENT = 'aws:cdk:propertyAssignment';

/**
 * The line of the user's source that last overrode the property a finding is about (`location`
 * `Properties/DeletionProtection`), when aws-cdk-lib recorded the override: it does so for `addPropertyOverride` in
 * debug mode only. `undefined` otherwise.
 */
export function overrideSite(
  construct: IConstruct | undefined,
  location: string | undefined,
  repositoryRoot: string,
): SourceLocation | undefined {
  const property = /^Properties\/([^/]+)/.exec(location ?? '')?.[1];
  if (!construct || property === undefined) return undefined;
  const traces = construct.node.metadata
    .filter((m) => m.type === PROPERTY_ASSIGNMENT)
    .map((m) => m.data as { propertyName?: unknown; stackTrace?: unknown })
    .filter((d) => d.propertyName === property && Array.isArray(d.stackTrace));
  for (const d of traces.reverse()) {
    const site = userFrame(d.stackTrace as string[], repositoryRoot);
    if (site) return site;
  }
  return undefined;
}

/** The line of a template on which a logical id's definition starts (1 when it has none), indexed once per template. */
function templateLines(text: string): (logicalId: string) => number {
  let lines: Map<string, number> | undefined;
  return (logicalId) => {
    if (!lines) {
      lines = new Map();
      text.split('\n').forEach((line, i) => {
        const key = /^\s*"([^"]+)": \{$/.exec(line)?.[1];
        if (key !== undefined && !lines!.has(key)) lines!.set(key, i + 1);
      });
    }
    return lines.get(logicalId) ?? 1;
  };
}

export class CompliancePlugin implements IPolicyValidationPlugin {
  readonly name = 'SpendSense';
  readonly version = TOOL_VERSION;
  /** Set after each synthesis. */
  lastRun?: ComplianceRun;

  constructor(private readonly options: CompliancePluginOptions) {}

  /** True when each synthesis writes compliance.json, compliance.sarif and compliance.junit.xml. */
  get writesFiles(): boolean {
    return this.options.writeFiles;
  }

  /** True once a synthesis has run the gate. */
  get ran(): boolean {
    return this.runs > 0;
  }

  private runs = 0;

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.runs++;
    try {
      return this.judge(context);
    } catch (error) {
      // aws-cdk-lib reports a plugin that throws as a failed validation; the exit code must fail too, whoever filters it.
      if (this.options.enforce || underCdkCli())
        failProcess(`SpendSense policy gate: could not judge the app: ${(error as Error).message}`);
      throw error;
    }
  }

  private judge(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    // Again at synthesis: the app may have loaded a second copy after the gate was attached.
    assertSetup(root);
    const stacks = stacksOf(root);
    const acknowledgements = collectAcknowledgements(root);
    const constructs = new Map(root.node.findAll().map((c) => [c.node.path, c]));
    const nestedOf = new Map<Stack, Stack[]>();
    for (const s of stacks) {
      const parent = s.nestedStackParent;
      if (parent) nestedOf.set(parent, [...(nestedOf.get(parent) ?? []), s]);
    }
    const evaluations: StackEvaluation[] = [];
    const locations = new Map<CheckResult, SourceLocation>();
    // Many results share a construct: its creation site is looked up once.
    const sites = new Map<IConstruct | undefined, SourceLocation | undefined>();
    const siteOf = (c: IConstruct | undefined) => {
      if (!sites.has(c)) sites.set(c, creationSite(c, this.options.repositoryRoot));
      return sites.get(c);
    };
    const fallbackDir = dirname(context.stackTemplates[0]?.templatePath ?? '.');
    // Every template first, so that a reference into a sibling stack (Fn::ImportValue) can be followed.
    const judged: Judged[] = [];
    for (const st of context.stackTemplates) {
      const file = st.templatePath.split(sep).pop();
      const stack =
        stacks.find((s) => s.node.path === st.stackConstructPath) ?? stacks.find((s) => s.templateFile === file);
      // A template in the cloud assembly no stack of the app renders (an artifact a synthesizer added by hand) would
      // be deployed unjudged: the gate refuses it.
      if (!stack) {
        throw new Error(
          `the cloud assembly holds ${this.repoPath(st.templatePath)} (artifact ${st.stackConstructPath}), which no stack of the app renders, so the gate cannot judge it: create it as a Stack of the app`,
        );
      }
      judged.push(...readTemplates(stack, st.templatePath, nestedOf));
    }
    // Not named `exports`: that would shadow CommonJS's own in the compiled module.
    const byExportName = new Map<string, Exported[]>();
    const resolvers: Resolver[] = [];
    const app = { exports: byExportName, resolvers };
    for (const j of judged) {
      const parent = j.parent;
      const nestedId = parent ? nestedStackLogicalId(j.stack) : undefined;
      const passed = nestedId
        ? ((parent!.template.Resources?.[nestedId]?.Properties?.Parameters ?? {}) as Record<string, unknown>)
        : undefined;
      j.resolver = new Resolver(
        displayName(j.stack),
        j.template,
        app,
        passed
          ? (name) => (name in passed ? { value: passed[name], resolver: parent!.resolver! } : undefined)
          : undefined,
        environmentKeyOf(j.stack),
      );
      resolvers.push(j.resolver);
      for (const output of Object.values(j.template.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string') {
          byExportName.set(name, [...(byExportName.get(name) ?? []), { resolver: j.resolver, value: output.Value }]);
        }
      }
    }
    // The innermost stack (a nested stack inside its parent) that holds a construct path: its nearest ancestor path
    // that is a stack's.
    const stackAt = new Map(stacks.map((s) => [s.node.path, s]));
    const owners = new Map<string, Stack | undefined>();
    const ownerOf = (path: string): Stack | undefined => {
      if (owners.has(path)) return owners.get(path);
      let owner: Stack | undefined;
      for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
        owner = stackAt.get(p);
        if (owner || !p.includes('/')) break;
      }
      owners.set(path, owner);
      return owner;
    };
    // A construct marked inside a stack (a DatabasePlatform with a prod profile in a team stack) makes the whole stack
    // at least that strict: the engine judges a template with one environment, and the stricter one is the safe one.
    const markedInside = new Map<Stack, ComplianceTarget[]>();
    for (const c of constructs.values()) {
      const own = ownComplianceTarget(c);
      if (!own || Stack.isStack(c)) continue;
      const owner = ownerOf(c.node.path);
      if (owner) markedInside.set(owner, [...(markedInside.get(owner) ?? []), own]);
    }
    // Every stack's environment before any is judged: a rule may follow a reference into another stack (an ingress
    // rule on a security group of a stricter stack is judged as strictly as that stack).
    const targets = new Map<Judged, ComplianceTarget>();
    for (const j of judged) {
      const target = mergeComplianceTargets(
        complianceTargetOf(j.stack) ?? UNMARKED_TARGET,
        ...(markedInside.get(j.stack) ?? []),
      );
      targets.set(j, target);
      j.resolver!.environment = target.environment;
    }
    // The files of asset manifests the rules read (a state machine definition of DefinitionBody.fromFile), held with
    // the templates at exit.
    const assetTexts = new Map<string, string>();
    const assetsByManifest = new Map<string, FileAssets>();
    const fileAssetsFor = (j: Judged): FileAssets => {
      let top = j;
      while (top.parent) top = top.parent;
      const manifest = join(dirname(top.templatePath), `${top.stack.artifactId}.assets.json`);
      let assets = assetsByManifest.get(manifest);
      if (!assets) assetsByManifest.set(manifest, (assets = fileAssetsOf(manifest, assetTexts)));
      return assets;
    };
    for (const j of judged) {
      const { stack, template, text } = j;
      const target = targets.get(j)!;
      const index = indexStack(stack, template, constructs);
      const nestedIds = new Set(
        judged
          .filter((n) => n.parent === j && deploysJudgedTemplate(n.stack, template))
          .flatMap((n) => nestedStackLogicalId(n.stack) ?? []),
      );
      const passed = j.parent
        ? (j.parent.template.Resources?.[nestedStackLogicalId(stack) ?? '']?.Properties?.Parameters as
            Record<string, unknown> | undefined)
        : undefined;
      const evaluation = evaluateStack({
        stackName: displayName(stack),
        stackPath: stack.node.path,
        target,
        template,
        resolver: j.resolver!,
        judgedNestedStacks: nestedIds,
        fileAssets: fileAssetsFor(j),
        parentParameters: new Set(Object.keys(passed ?? {})),
        pathOf: index.pathOf,
        resourceAt: index.resourceAt,
        // cdk-nag walks the whole subtree: a nested stack's constructs are judged with the nested stack only.
        nagFindings: runNagPacks(stack, target.nagPacks).filter((f) => ownerOf(f.constructPath) === stack),
        // A stack's acknowledgements: those on the stack or above it, and those inside it but not inside one of its
        // nested stacks (a nested stack's acknowledgements are its own; the parent does not judge them twice).
        acknowledgements: acknowledgements.filter(
          (a) => coversPath(a.scope, stack.node.path) || ownerOf(a.scope) === stack,
        ),
        today: this.options.today,
      });
      evaluations.push(evaluation);
      const templateUri = this.repoPath(j.templatePath);
      const templateLine = templateLines(text);
      // Only findings are located: SARIF lists findings, not passes.
      for (const r of evaluation.results) {
        if (r.status === 'pass') continue;
        const construct = index.constructOf(r);
        locations.set(
          r,
          overrideSite(construct, r.location, this.options.repositoryRoot) ??
            siteOf(construct) ?? { uri: templateUri, line: templateLine(r.logicalId) },
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
      enforcement: enforcementOf(root, this.options.enforce, evaluations),
      locations,
    };
    this.lastRun = run;
    // What the gate judged and wrote, as the CLI must find it when the app has exited.
    const judgedFiles = new Map([...judged.map((j) => [j.templatePath, j.text] as const), ...assetTexts]);
    if (this.options.writeFiles) {
      const outdir = App.isApp(root) ? root.outdir : fallbackDir;
      mkdirSync(outdir, { recursive: true });
      const write = (name: string, text: string) => {
        writeFileSync(join(outdir, name), text);
        judgedFiles.set(join(outdir, name), text);
      };
      write(COMPLIANCE_JSON, `${JSON.stringify(complianceJson(run), null, 2)}\n`);
      const sarif = toSarif({
        results: run.results,
        toolVersion: TOOL_VERSION,
        home: kitHome(kitManifest(), this.options.repositoryRoot),
        locate: (r) => run.locations.get(r)!,
      });
      write(COMPLIANCE_SARIF, `${JSON.stringify(sarif, null, 2)}\n`);
      const at = (r: CheckResult) => {
        const where = run.locations.get(r);
        return where && `${where.uri}:${where.line}`;
      };
      write(COMPLIANCE_JUNIT, toJunit(run.results, at));
    }
    // A nested stack's template is deployed from the object its parent's TemplateURL names: held to the file judged.
    const nested = judged
      .filter((j) => j.parent && deploysJudgedTemplate(j.stack, j.parent.template))
      .map((j) => ({
        stack: displayName(j.stack),
        file: j.templatePath,
        url: passedDown(nestedStackProps(j).TemplateURL, j.parent!),
      }));
    if (run.enforcement.enforced) guardAssembly(App.isApp(root) ? root.outdir : fallbackDir, judgedFiles, nested);
    if (!run.enforcement.enforced) return { success: true, violations: [] };
    const errors = blocking(run.results);
    const warnings = run.results.filter(
      (r) => r.status === 'warn' || (r.status === 'cannot-verify' && r.severity === 'warning'),
    );
    if (errors.length > 0) {
      enforceExitCode(
        root,
        [...errors, ...warnings],
        (r) => locations.get(r),
        App.isApp(root) ? root.outdir : fallbackDir,
      );
    }
    return {
      success: errors.length === 0,
      violations: groupFindings([...errors, ...warnings]).map((g) =>
        violation(g, this.repoPath(templateOf(g.primary, context))),
      ),
    };
  }

  /** Repository-relative; a cloud assembly outside the repository is named by its file alone. */
  private repoPath(file: string): string {
    const rel = relative(this.options.repositoryRoot, file);
    return (rel.startsWith('..') || isAbsolute(rel) ? basename(file) : rel).split(sep).join('/');
  }
}

/** The context key with which the CDK CLI takes over reporting (and filters the report by the stacks it selects). */
const FAIL_SYNTH_ON_VALIDATION_ERRORS = '@aws-cdk/core:failSynthOnValidationErrors';

/** True when aws-cdk-lib itself throws on a failed validation (it does not under the CLI or in 'process' mode). */
function libraryThrows(root: IConstruct): boolean {
  const fail = root.node.tryGetContext(FAIL_SYNTH_ON_VALIDATION_ERRORS) as unknown;
  if (fail === false || fail === 'false') return false;
  const mode = (root.node.tryGetContext('@aws-cdk/core:appMode') as unknown) ?? process.env.CDK_APP_MODE;
  return mode !== 'process';
}

/**
 * The gate enforces itself: a blocking finding makes the process exit non-zero whatever reports it or filters it
 * (the CLI shows only the stacks it selected; an app may catch aws-cdk-lib's exception or reset the exit code). The
 * findings are printed here when aws-cdk-lib will not print them itself. Under a test runner, whose tests assert the
 * exception aws-cdk-lib throws, the process is left alone.
 */
function enforceExitCode(
  root: IConstruct,
  findings: readonly CheckResult[],
  locate: (r: CheckResult) => SourceLocation | undefined,
  outdir: string,
): void {
  if (underTestRunner()) return;
  if (!libraryThrows(root)) {
    const groups = groupFindings(findings);
    const errors = groups.filter((g) => blocking([g.primary, ...g.related]).length > 0).length;
    const blocks = groups.map((g) => {
      const r = g.primary;
      const at = locate(r);
      return [
        `${blocking([r, ...g.related]).length ? 'ERROR' : 'WARNING'} ${describeGroup(g)} (SpendSense)`,
        `   ${r.constructPath}${r.logicalId ? ` (${r.logicalId})` : ''}${r.resourceType ? ` ${r.resourceType}` : ''}`,
        ...(at ? [`   at ${at.uri}:${at.line}`] : []),
        `   Suggested fix: ${r.fix}`,
      ].join('\n');
    });
    const summary = `SpendSense policy gate: ${errors} blocking problem${errors === 1 ? '' : 's'}, synthesis fails; every rule's result is in ${join(outdir, COMPLIANCE_JSON)}`;
    process.stderr.write(`${[...blocks, summary].join('\n\n')}\n`);
  }
  failProcess();
}

function templateOf(r: CheckResult, context: IPolicyValidationContext): string {
  return context.stackTemplates.find((s) => s.templatePath.endsWith(`${r.stack}.template.json`))?.templatePath ?? '';
}

/** The rule-metadata key aws-cdk-lib reads to treat an error as one Validations.of(x).acknowledge() cannot suppress. */
const NOT_NATIVELY_ACKNOWLEDGEABLE = 'cdk:annotation';

const VERDICT: Record<string, string> = { fail: 'failed', warn: 'warning', 'cannot-verify': 'cannot verify' };

/** `[prod] SS-RDS-001 failed: <title>. Found: <evidence>.` */
function describeFinding(r: CheckResult): string {
  return `[${r.environment}] ${r.ruleId} ${VERDICT[r.status] ?? r.status}: ${r.title.replace(/\.$/, '')}. Found: ${r.evidence}.`;
}

/** The primary finding, and the other rules that report the same problem. */
function describeGroup(g: FindingGroup): string {
  const also = g.related.map((o) => `${o.ruleId} (${VERDICT[o.status] ?? o.status})`);
  return `${describeFinding(g.primary)}${also.length ? ` Also reported by ${also.join(', ')}.` : ''}`;
}

/** One violation per problem (see grouping.ts), so each names its environment, value, fix and every rule id. */
function violation(g: FindingGroup, templatePath: string): PolicyViolation {
  const r = g.primary;
  const members = [r, ...g.related];
  const error = members.some((m) => m.severity === 'error');
  return {
    ruleName: groupRuleIds(g),
    description: describeGroup(g),
    fix: r.fix,
    severity: error ? 'error' : 'warning',
    // Errors may only be accepted through the kit's acknowledge() (reason, owner, expiry): aws-cdk-lib then neither
    // offers nor honours its own Validations.of(x).acknowledge() for them.
    ruleMetadata: error ? { [NOT_NATIVELY_ACKNOWLEDGEABLE]: 'true' } : undefined,
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
    enforcement: run.enforcement,
    stacks: run.stacks.map((s) => ({ stack: s.stack, environment: s.environment })),
    results: run.results,
    acknowledgements: run.acknowledgements,
  };
}
