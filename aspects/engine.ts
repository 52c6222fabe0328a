/**
 * The policy engine: judges one stack's rendered template with the kit's rules, merges in the cdk-nag findings, then
 * applies acknowledgements. Pure: everything it needs is passed in, so it is tested without synthesis.
 */
import type { EnvironmentName, NagPackName } from '../lib/profiles';
import {
  DeclaredAcknowledgement,
  acknowledgementCovers,
  acknowledgementProblems,
  coversRule,
  MIN_REASON_LENGTH,
} from './acknowledgements';
import type { FileAssets } from './assets';
import { type StricterJudge, stricterJudgeOf } from './cross-stack';
import { type ComplianceTarget, DEFAULT_MIN_BACKUP_RETENTION_DAYS, stricterEnvironment } from './environment';
import { NagFinding, nagUnacknowledgeableInProd } from './nag';
import type { Resolver } from './resolve';
import type { PolicyRule, RuleContext, RuleOutcome } from './rule';
import { RULES } from './rules';
import { byCodePoint, CfnTemplate, TemplateResource } from './template';
import { variantsOf } from './variants';
import type { AcknowledgementRecord, CheckResult, CheckStatus, Severity } from './types';

export const NAG_RULES_URL = 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md';

/** The engine's own checks of acknowledgements. */
export const ACK_RULES = {
  malformed: {
    id: 'SS-ACK-001',
    title: 'Acknowledgement is malformed',
    fix: `Use acknowledge(construct, { ruleId, reason (${MIN_REASON_LENGTH}+ characters), owner, expires: 'YYYY-MM-DD' }) from the kit.`,
  },
  forbidden: {
    id: 'SS-ACK-002',
    title: 'Acknowledgement is not allowed for this rule in this environment',
    fix: 'Remove the acknowledgement and fix the resource: deletion protection, Multi-AZ, open ingress and encryption cannot be acknowledged in prod.',
  },
  stale: {
    id: 'SS-ACK-003',
    title: 'Acknowledgement matches no finding',
    fix: 'Remove the acknowledgement, or move it to the construct whose finding it accepts.',
  },
} as const;

export interface StackInput {
  readonly stackName: string;
  /** Construct path of the stack, where template-level findings are placed. */
  readonly stackPath?: string;
  readonly target: ComplianceTarget;
  readonly template: CfnTemplate;
  /** Follows references within the app; see `Resolver`. */
  readonly resolver: Resolver;
  /** Logical ids of the nested-stack resources whose templates are judged too. */
  readonly judgedNestedStacks?: ReadonlySet<string>;
  /** The file assets the stack uploads (see `RuleContext.fileAssets`). */
  readonly fileAssets?: FileAssets;
  /** Parameters the parent stack sets (a nested stack): they are not expanded over their allowed values. */
  readonly parentParameters?: ReadonlySet<string>;
  /** Construct path of the CfnResource behind a logical id. */
  readonly pathOf: (logicalId: string) => string;
  /** Logical id and type of the CfnResource at a construct path. */
  readonly resourceAt: (path: string) => { logicalId: string; type: string } | undefined;
  readonly nagFindings: readonly NagFinding[];
  /** Acknowledgements attached inside this stack (or above it). */
  readonly acknowledgements: readonly DeclaredAcknowledgement[];
  /** `YYYY-MM-DD`: acknowledgements expiring before this day no longer count. */
  readonly today: string;
}

export interface StackEvaluation {
  readonly stack: string;
  readonly environment: EnvironmentName;
  readonly results: CheckResult[];
  readonly acknowledgements: AcknowledgementRecord[];
}

/**
 * How a rule outcome is recorded in an environment. `ruleSeverity` is the rule's there (rules that are off are not run);
 * an outcome may carry its own, e.g. a single-host CIDR that dev tolerates (`off`: recorded as a pass, noted).
 */
function judge(
  outcome: RuleOutcome,
  ruleSeverity: Severity,
  env: EnvironmentName,
): { status: CheckStatus; severity: Severity; tolerated: boolean } {
  if (outcome.status === 'cannot-verify') {
    return { status: 'cannot-verify', severity: env === 'prod' ? 'error' : 'warning', tolerated: false };
  }
  if (outcome.status === 'pass') return { status: 'pass', severity: ruleSeverity, tolerated: false };
  const severity = outcome.severity ?? ruleSeverity;
  if (severity === 'off') return { status: 'pass', severity: ruleSeverity, tolerated: true };
  return { status: severity === 'error' ? 'fail' : 'warn', severity, tolerated: false };
}

/**
 * Judges `outcome` of `rule` in the stack's environment `env`, or in the stricter one the outcome names (`judgedIn`),
 * with the rule's severity there: a stricter environment never turns off a rule the stack runs.
 */
function judgeOutcome(rule: PolicyRule, outcome: RuleOutcome, ruleSeverity: Severity, env: EnvironmentName) {
  const judgedEnv = outcome.judgedIn ?? env;
  if (judgedEnv === env) return { ...judge(outcome, ruleSeverity, env), judgedEnv };
  const stricter = rule.severity[judgedEnv];
  return { ...judge(outcome, stricter === 'off' ? ruleSeverity : stricter, judgedEnv), judgedEnv };
}

/** Whether each rule judges a resource type, as asked so far: every stack asks each rule about the same few types. */
const judgedTypes = new WeakMap<PolicyRule, Map<string, boolean>>();

/** True when a rule judges resources of `type` (`Custom::*` matches every custom resource type). */
export function judgesType(rule: PolicyRule, type: string): boolean {
  let known = judgedTypes.get(rule);
  if (!known) judgedTypes.set(rule, (known = new Map<string, boolean>()));
  let judged = known.get(type);
  if (judged === undefined) {
    judged =
      rule.resourceTypes.some((t) => t === type || (t.endsWith('*') && type.startsWith(t.slice(0, -1)))) ||
      rule.alsoJudges?.(type) === true;
    known.set(type, judged);
  }
  return judged;
}

/** How bad a judged outcome is: 3 blocks synth, 2 cannot verify (not blocking), 1 warns, 0 passes. */
function rank(v: { status: CheckStatus; severity: Severity }): number {
  if (v.severity === 'error' && (v.status === 'fail' || v.status === 'cannot-verify')) return 3;
  if (v.status === 'cannot-verify') return 2;
  return v.status === 'warn' ? 1 : 0;
}

function ruleResults(input: StackInput): CheckResult[] {
  const env = input.target.environment;
  const results: CheckResult[] = [];
  // Entries that are not resources (Fn::ForEach:: blocks) are SS-CFN-001's to report.
  const resources = Object.entries(input.template.Resources ?? {})
    .filter(([, r]) => r !== null && typeof r === 'object' && typeof (r as { Type?: unknown }).Type === 'string')
    .sort(([a], [b]) => byCodePoint(a, b));
  const base = {
    environment: env,
    template: input.template,
    minBackupRetentionDays: input.target.minBackupRetentionDays,
    resolver: input.resolver,
    judgedNestedStacks: input.judgedNestedStacks ?? new Set<string>(),
    fileAssets: input.fileAssets,
  };
  const record = (rule: PolicyRule, logicalId: string, type: string, outcome: RuleOutcome, ruleSeverity: Severity) => {
    const verdict = judgeOutcome(rule, outcome, ruleSeverity, env);
    results.push({
      ruleId: rule.id,
      title: rule.title,
      source: 'spendsense',
      environment: env,
      stack: input.stackName,
      constructPath: logicalId ? input.pathOf(logicalId) : (input.stackPath ?? input.stackName),
      logicalId,
      resourceType: type,
      status: verdict.status,
      severity: verdict.severity,
      evidence: verdict.tolerated ? `${outcome.evidence}: allowed in ${env}` : outcome.evidence,
      fix: rule.fix,
      ...(outcome.location ? { location: outcome.location } : {}),
      ...(verdict.judgedEnv !== env ? { judgedIn: verdict.judgedEnv } : {}),
    });
  };
  // A resource's variants do not depend on the rule: expand each resource once.
  const variantsByResource = new Map<string, ReturnType<typeof variantsOf>>();
  const variantsOfResource = (logicalId: string, resource: TemplateResource) => {
    let v = variantsByResource.get(logicalId);
    if (!v) {
      v = variantsOf(resource, input.template, (name) => !input.parentParameters?.has(name));
      variantsByResource.set(logicalId, v);
    }
    return v;
  };
  // A resource a stricter stack depends on, or that acts on a stricter stack's, is judged as that stack (cross-stack.ts).
  const judges = new Map<string, StricterJudge | undefined>();
  const judgeOf = (logicalId: string) => {
    if (!judges.has(logicalId)) judges.set(logicalId, stricterJudgeOf(input.resolver, logicalId));
    return judges.get(logicalId);
  };
  for (const rule of RULES) {
    const ruleSeverity = rule.severity[env];
    if (ruleSeverity !== 'off' && rule.evaluateTemplate) {
      for (const outcome of rule.evaluateTemplate({ ...base, logicalId: '' })) {
        record(rule, '', 'AWS::CloudFormation::Template', outcome, ruleSeverity);
      }
    }
    for (const [logicalId, resource] of resources) {
      if (!judgesType(rule, resource.Type)) continue;
      const judge = judgeOf(logicalId);
      const severity = rule.severity[judge?.environment ?? env];
      if (severity === 'off') continue;
      // A rule off in the stack's environment but on in the stricter one that judges this resource takes that one's.
      const stackSeverity = ruleSeverity === 'off' ? severity : ruleSeverity;
      const context: RuleContext = judge
        ? {
            ...base,
            logicalId,
            environment: judge.environment,
            minBackupRetentionDays: Math.max(
              base.minBackupRetentionDays,
              DEFAULT_MIN_BACKUP_RETENTION_DAYS[judge.environment],
            ),
          }
        : { ...base, logicalId };
      // An outcome the rule already judged as strictly (an ingress rule on another stack's group) keeps its own note.
      const inStricter = (o: RuleOutcome): RuleOutcome =>
        judge && !(o.judgedIn && stricterEnvironment(o.judgedIn, judge.environment) === o.judgedIn)
          ? {
              ...o,
              judgedIn: stricterEnvironment(o.judgedIn ?? judge.environment, judge.environment),
              evidence: `${o.evidence} (judged as ${judge.environment}: ${judge.why})`,
            }
          : o;
      const variants = variantsOfResource(logicalId, resource);
      const judged = variants.map((v) => {
        const outcomes = rule.evaluate(v.resource, context).map(inStricter);
        const ranks = outcomes.map((o) => rank(judgeOutcome(rule, o, stackSeverity, env)));
        return { v, outcomes, worst: Math.max(-1, ...ranks), sum: ranks.reduce((a, b) => a + b, 0) };
      });
      const chosen = judged.reduce((a, b) => (b.worst > a.worst || (b.worst === a.worst && b.sum > a.sum) ? b : a));
      const cases =
        variants.length < 2
          ? ''
          : chosen.worst > 0
            ? ` [worst of ${variants.length} cases: ${chosen.v.notes.join(', ')}]`
            : ` [in each of ${variants.length} cases]`;
      for (const outcome of chosen.outcomes) {
        record(rule, logicalId, resource.Type, { ...outcome, evidence: `${outcome.evidence}${cases}` }, stackSeverity);
      }
    }
  }
  return results;
}

function nagResults(input: StackInput): CheckResult[] {
  return input.nagFindings.map((f) => {
    const resource = input.resourceAt(f.constructPath);
    return {
      ruleId: f.ruleId,
      title: f.description,
      source: f.pack,
      environment: input.target.environment,
      stack: input.stackName,
      constructPath: f.constructPath,
      logicalId: resource?.logicalId ?? '',
      resourceType: resource?.type ?? '',
      status: f.level === 'error' ? 'fail' : 'warn',
      severity: f.level,
      evidence: `${resource?.type ?? 'construct'} flagged by cdk-nag ${f.pack}`,
      fix: `Change the resource as ${f.ruleId} describes (${NAG_RULES_URL}), or accept it with the kit's acknowledge() (reason, owner, expiry).`,
    };
  });
}

function unacknowledgeable(ruleId: string, env: EnvironmentName): boolean {
  const rule = RULES.find((r) => r.id === ruleId);
  if (rule) return rule.unacknowledgeableIn.includes(env);
  return env === 'prod' && nagUnacknowledgeableInProd(ruleId);
}

const OPEN: readonly CheckStatus[] = ['fail', 'warn', 'cannot-verify'];

/** The cdk-nag packs' prefixes for rules of the same name in each compliance pack. */
const PACKS = '(HIPAA\\.Security|NIST\\.800\\.53\\.R5|PCI\\.DSS\\.321)';

/**
 * cdk-nag rules that judge the same control as one of the kit's rules, but from L1 properties: they cannot see an
 * override, follow a Ref or GetAtt (a VPC's CidrBlock, a sibling's export), or read an Fn::If, and flag what they cannot
 * read. Where the kit's rule judged the same resource from the rendered template and every outcome passed, their
 * finding is recorded as a pass with the kit's evidence.
 */
const SAME_CONTROL: readonly (readonly [RegExp, string])[] = [
  [new RegExp(`^(AwsSolutions-EC23|${PACKS}-EC2Restricted(CommonPorts|SSH|Inbound))$`), 'SS-EC2-001'],
  [new RegExp(`^(AwsSolutions-RDS10|${PACKS}-RDSInstanceDeletionProtectionEnabled)$`), 'SS-RDS-001'],
  [new RegExp(`^(AwsSolutions-RDS3|${PACKS}-RDSMultiAZSupport)$`), 'SS-RDS-002'],
  [new RegExp(`^(AwsSolutions-RDS2|${PACKS}-RDSStorageEncrypted)$`), 'SS-RDS-003'],
  [new RegExp(`^${PACKS}-RDSInstancePublicAccess$`), 'SS-RDS-004'],
  [new RegExp(`^${PACKS}-KMSBackingKeyRotationEnabled$`), 'SS-KMS-001'],
  [new RegExp(`^(AwsSolutions-SMG4|${PACKS}-SecretsManagerRotationEnabled)$`), 'SS-SM-002'],
  [new RegExp(`^${PACKS}-SecretsManagerUsingKMSKey$`), 'SS-SM-001'],
];

function supersedeSameControl(kit: readonly CheckResult[], nag: CheckResult[]): CheckResult[] {
  // The kit's results by rule and resource, built once: a stack has hundreds of each.
  const byResource = new Map<string, CheckResult[]>();
  for (const k of kit) {
    const key = `${k.ruleId} ${k.logicalId}`;
    const list = byResource.get(key);
    if (list) list.push(k);
    else byResource.set(key, [k]);
  }
  return nag.map((r) => {
    const control = SAME_CONTROL.find(([re]) => re.test(r.ruleId))?.[1];
    if (!control || !r.logicalId) return r;
    const own = byResource.get(`${control} ${r.logicalId}`) ?? [];
    if (own.length === 0 || !own.every((k) => k.status === 'pass' && !/allowed in/.test(k.evidence))) return r;
    return {
      ...r,
      status: 'pass',
      evidence: `judged by ${control} on the rendered template: ${own.map((k) => k.evidence).join('; ')}`,
    };
  });
}

function recordOf(a: DeclaredAcknowledgement, state: AcknowledgementRecord['state']): AcknowledgementRecord {
  return { ruleId: a.ruleId, scope: a.scope, reason: a.reason, owner: a.owner, expires: a.expires, state };
}

/** Judges one stack: rule results, cdk-nag findings, acknowledgements applied. */
export function evaluateStack(input: StackInput): StackEvaluation {
  const env = input.target.environment;
  const own = ruleResults(input);
  const results = [...own, ...supersedeSameControl(own, nagResults(input))];
  const records: AcknowledgementRecord[] = [];
  const ackResult = (
    kind: keyof typeof ACK_RULES,
    a: DeclaredAcknowledgement,
    evidence: string,
    severity: Severity,
  ): CheckResult => {
    const resource = input.resourceAt(a.scope) ?? input.resourceAt(`${a.scope}/Resource`);
    return {
      ruleId: ACK_RULES[kind].id,
      title: ACK_RULES[kind].title,
      source: 'spendsense',
      environment: env,
      stack: input.stackName,
      constructPath: a.scope,
      logicalId: resource?.logicalId ?? '',
      resourceType: resource?.type ?? '',
      status: severity === 'error' ? 'fail' : 'warn',
      severity,
      evidence,
      fix: ACK_RULES[kind].fix,
    };
  };

  // Live acknowledgements, narrowest scope first, so each finding is claimed by the closest one.
  const live: DeclaredAcknowledgement[] = [];
  for (const a of input.acknowledgements) {
    const record = (state: AcknowledgementRecord['state']) => recordOf(a, state);
    const problems = acknowledgementProblems(a);
    if (problems.length > 0) {
      records.push(record('malformed'));
      results.push(ackResult('malformed', a, `${a.ruleId || '(no rule)'}: ${problems.join('; ')}`, 'error'));
    } else if (unacknowledgeable(a.ruleId, env)) {
      records.push(record('forbidden'));
      results.push(ackResult('forbidden', a, `${a.ruleId} may not be acknowledged in ${env}`, 'error'));
    } else if (a.expires < input.today) {
      records.push(record('expired'));
    } else {
      live.push(a);
    }
  }
  live.sort((x, y) => y.scope.length - x.scope.length);
  const used = new Set<DeclaredAcknowledgement>();
  const forbidden = new Set<DeclaredAcknowledgement>();
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!OPEN.includes(r.status) || r.ruleId.startsWith('SS-ACK-')) continue;
    const a = live.find((x) => coversRule(x.ruleId, r.ruleId) && acknowledgementCovers(x, r.constructPath));
    if (!a) continue;
    if (r.judgedIn && unacknowledgeable(r.ruleId, r.judgedIn as EnvironmentName)) {
      // Judged as a stricter stack judges its own: an acknowledgement here cannot accept what that stack may not.
      if (!forbidden.has(a)) {
        forbidden.add(a);
        records.push(recordOf(a, 'forbidden'));
        results.push(
          ackResult(
            'forbidden',
            a,
            `${a.ruleId} may not be acknowledged in ${r.judgedIn}, whose policy judges ${r.logicalId || r.constructPath}`,
            'error',
          ),
        );
      }
      continue;
    }
    used.add(a);
    results[i] = {
      ...r,
      status: 'acknowledged',
      acknowledgement: recordOf(a, 'live'),
    };
  }
  for (const a of live) {
    if (forbidden.has(a) && !used.has(a)) continue;
    const state = used.has(a) ? 'live' : 'stale';
    records.push(recordOf(a, state));
    if (state !== 'stale') continue;
    // One construct is often shared by environments whose packs differ: an acknowledgement for a pack this stack does
    // not run accepts nothing here, and is told apart from one that outlived its finding.
    const pack = packOf(a.ruleId);
    if (pack && !input.target.nagPacks.includes(pack)) {
      results.push(
        ackResult('stale', a, `${a.ruleId} on ${a.scope}: the ${pack} pack does not run in ${env}`, 'warning'),
      );
    } else {
      results.push(
        ackResult('stale', a, `${a.ruleId} on ${a.scope} matches no finding`, env === 'prod' ? 'error' : 'warning'),
      );
    }
  }
  records.sort((x, y) => byCodePoint(x.scope, y.scope) || byCodePoint(x.ruleId, y.ruleId));
  return { stack: input.stackName, environment: env, results: sortResults(results), acknowledgements: records };
}

/** The cdk-nag pack a rule id belongs to (`NIST.800.53.R5-RDSMultiAZSupport` is NIST80053R5's); undefined for others. */
function packOf(ruleId: string): NagPackName | undefined {
  const prefix = /^(AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R5|PCI\.DSS\.321)-/.exec(ruleId)?.[1];
  const packs: Readonly<Record<string, NagPackName>> = {
    AwsSolutions: 'AwsSolutions',
    'HIPAA.Security': 'HIPAA',
    'NIST.800.53.R5': 'NIST80053R5',
    'PCI.DSS.321': 'PCIDSS321',
  };
  return prefix === undefined ? undefined : packs[prefix];
}

/** Deterministic order: stack, rule, construct path, evidence. */
export function sortResults(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort(
    (a, b) =>
      byCodePoint(a.stack, b.stack) ||
      byCodePoint(a.ruleId, b.ruleId) ||
      byCodePoint(a.constructPath, b.constructPath) ||
      byCodePoint(a.evidence, b.evidence),
  );
}

/** Results that fail synth. */
export function blocking(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((r) => r.severity === 'error' && (r.status === 'fail' || r.status === 'cannot-verify'));
}
