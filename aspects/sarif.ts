/**
 * SARIF 2.1.0 for GitHub code scanning: one result per problem (the kit's and cdk-nag's findings on the same control
 * of the same resource grouped, see grouping.ts), each on the user's source line, with stable rule ids and rules
 * described as code scanning shows them. Acknowledged problems are left out: code scanning does not honour SARIF
 * `suppressions` (they arrive as open alerts), so the upload-oriented file holds what needs attention, and the full
 * record of acknowledgements (reason, owner, expiry) is compliance.json's.
 */
import { ACK_RULES, blocking } from './engine';
import { FindingGroup, baseRuleId, groupFindings } from './grouping';
import { NAG_RULES_URI, NagRuleDoc, nagCatalog } from './nag-catalog';
import { RULES } from './rules';
import type { KitHome } from './kit-home';
import type { CheckResult } from './types';

export interface SourceLocation {
  /** Repository-relative path with forward slashes. */
  readonly uri: string;
  readonly line: number;
  /** 1-based, when known. */
  readonly column?: number;
}

export interface SarifInput {
  readonly results: readonly CheckResult[];
  /** Where the finding should point: the user's line that created the construct, else the template. */
  readonly locate: (result: CheckResult) => SourceLocation;
  readonly toolVersion: string;
  /** The kit's home page (`tool.driver.informationUri`) and its rules' documentation (their `helpUri`), when known. */
  readonly home?: KitHome;
}

/** code scanning's scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below low. */
const SECURITY_SEVERITY = { error: '8.0', warning: '5.0' } as const;

/** How a finding of this rule is acknowledged, for the rule's help. */
function acknowledgeHelp(id: string): string {
  return [
    "Acknowledge a finding you accept with the kit's `acknowledge()` on the narrowest construct, with a reason of at",
    'least 20 characters, an owner and an expiry date:',
    '',
    '```ts',
    `acknowledge(construct, { ruleId: '${id}', reason: '...', owner: 'team', expires: 'YYYY-MM-DD' });`,
    '```',
    '',
    'In prod, deletion protection, Multi-AZ, open ingress and encryption cannot be acknowledged.',
  ].join('\n');
}

interface RuleText {
  readonly title: string;
  readonly why: string;
  readonly fix: string;
  readonly helpUri?: string;
  readonly controls: readonly string[];
}

function ruleText(id: string, sample: CheckResult, home: KitHome): RuleText {
  const kit = RULES.find((r) => r.id === id);
  if (kit) return { title: kit.title, why: kit.rationale, fix: kit.fix, helpUri: home.rulesHelpUri, controls: [] };
  const ack = Object.values(ACK_RULES).find((r) => r.id === id);
  if (ack) return { title: ack.title, why: ack.title, fix: ack.fix, helpUri: home.rulesHelpUri, controls: [] };
  const doc: NagRuleDoc | undefined = nagCatalog().get(id);
  return {
    title: doc?.cause ?? sample.title,
    why: doc?.explanation || doc?.cause || sample.title,
    fix: sample.fix,
    helpUri: doc?.uri ?? NAG_RULES_URI,
    controls: doc?.controls ?? [],
  };
}

function sarifRule(id: string, members: readonly CheckResult[], home: KitHome): object {
  const sample = members[0];
  const text = ruleText(id, sample, home);
  const severity = members.some((r) => r.severity === 'error') ? 'error' : 'warning';
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: text.title },
    fullDescription: { text: text.why },
    help: {
      text: `Why: ${text.why}\nFix: ${text.fix}\nAcknowledge: with acknowledge() (reason, owner, expires).`,
      markdown: `**Why.** ${text.why}\n\n**How to fix.** ${text.fix}\n\n**How to acknowledge.** ${acknowledgeHelp(id)}`,
    },
    ...(text.helpUri ? { helpUri: text.helpUri } : {}),
    defaultConfiguration: { level: severity },
    properties: {
      'security-severity': SECURITY_SEVERITY[severity],
      tags: [...new Set(['security', sample.source, ...text.controls])],
    },
  };
}

/** `[Policy::arn:...]` → `Policy::arn:...`: the detail cdk-nag puts in its rule id, which SARIF keeps out of it. */
function detailOf(ruleId: string): string | undefined {
  const base = baseRuleId(ruleId);
  return ruleId.length > base.length ? ruleId.slice(base.length + 1, -1) : undefined;
}

function sarifResult(group: FindingGroup, where: SourceLocation, ruleIndex: ReadonlyMap<string, number>): object {
  const r = group.primary;
  const members = [r, ...group.related];
  const detail = detailOf(r.ruleId);
  const others = group.related.map((o) => o.ruleId);
  const level = blocking(members).length > 0 ? 'error' : 'warning';
  const id = baseRuleId(r.ruleId);
  return {
    ruleId: id,
    ruleIndex: ruleIndex.get(id),
    level,
    message: {
      text:
        `[${r.environment}] ${r.title}${detail ? ` (${detail})` : ''}: ${r.evidence} at ${r.constructPath}. Fix: ${r.fix}` +
        (others.length ? ` Also reported by ${others.join(', ')}.` : ''),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: where.uri },
          region: { startLine: where.line, ...(where.column ? { startColumn: where.column } : {}) },
        },
        logicalLocations: [{ fullyQualifiedName: r.constructPath, kind: 'resource' }],
      },
    ],
    properties: {
      environment: r.environment,
      stack: r.stack,
      logicalId: r.logicalId,
      resourceType: r.resourceType,
      status: r.status,
      evidence: r.evidence,
      ...(detail ? { findingDetail: detail } : {}),
      ...(others.length ? { relatedRules: group.related.map((o) => ({ ruleId: o.ruleId, status: o.status })) } : {}),
    },
  };
}

/**
 * The SARIF log for `results`: passes and acknowledged problems left out, one result per problem. Rules are listed
 * for every rule a result names, its own or as related.
 */
export function toSarif(input: SarifInput): object {
  const open = groupFindings(input.results).filter((g) =>
    [g.primary, ...g.related].some((r) => r.status !== 'acknowledged'),
  );
  // An open problem is named by an open result, even when the kit's own rule was acknowledged there.
  const named = open.map((g) => {
    if (g.primary.status !== 'acknowledged') return g;
    const members = [g.primary, ...g.related];
    const primary = members.find((r) => r.status !== 'acknowledged')!;
    return { primary, related: members.filter((r) => r !== primary) };
  });
  const byRule = new Map<string, CheckResult[]>();
  for (const r of named.flatMap((g) => [g.primary, ...g.related])) {
    const id = baseRuleId(r.ruleId);
    byRule.set(id, [...(byRule.get(id) ?? []), r]);
  }
  const ruleIds = [...byRule.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const acknowledged = input.results.filter((r) => r.status === 'acknowledged').length;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'spendsense-compliance',
            version: input.toolVersion,
            ...(input.home?.informationUri ? { informationUri: input.home.informationUri } : {}),
            rules: ruleIds.map((id) => sarifRule(id, byRule.get(id)!, input.home ?? {})),
          },
        },
        results: named.map((g) => sarifResult(g, input.locate(g.primary), ruleIndex)),
        columnKind: 'utf16CodeUnits',
        properties: {
          acknowledgedFindings: acknowledged,
          acknowledgements: 'compliance.json (reason, owner and expiry of each)',
        },
      },
    ],
  };
}
