/**
 * SARIF 2.1.0 for GitHub code scanning: one result per finding (the kit's and cdk-nag's), each with a location,
 * acknowledged findings kept as suppressed results, stable fingerprints and a deterministic order.
 */
import { createHash } from 'node:crypto';
import { RULES } from './rules';
import { ACK_RULES } from './engine';
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
  /** Where the finding should point: the TypeScript line that created the construct, else the template. */
  readonly locate: (result: CheckResult) => SourceLocation;
  readonly toolVersion: string;
}

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning' };

function fingerprint(r: CheckResult): string {
  return createHash('sha256')
    .update(`${r.ruleId}|${r.stack}|${r.constructPath}|${r.evidence}`)
    .digest('hex')
    .slice(0, 32);
}

/** The SARIF log for `results` (passes are left out: SARIF lists findings). */
export function toSarif(input: SarifInput): object {
  const findings = input.results.filter((r) => r.status !== 'pass');
  const ruleIds = [...new Set(findings.map((r) => r.ruleId))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const kit = RULES.find((r) => r.id === id);
    const ack = Object.values(ACK_RULES).find((r) => r.id === id);
    const sample = findings.find((r) => r.ruleId === id)!;
    return {
      id,
      name: id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: kit?.title ?? ack?.title ?? sample.title },
      fullDescription: { text: kit?.rationale ?? sample.title },
      help: { text: kit?.fix ?? ack?.fix ?? sample.fix },
      helpUri: kit || ack ? undefined : 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md',
      properties: { source: sample.source, tags: ['security', sample.source] },
    };
  });
  const results = findings.map((r) => {
    const where = input.locate(r);
    const level = r.status === 'acknowledged' ? 'note' : (LEVEL[r.severity] ?? 'warning');
    return {
      ruleId: r.ruleId,
      ruleIndex: ruleIndex.get(r.ruleId),
      level,
      message: {
        text: `[${r.environment}] ${r.title}: ${r.evidence} at ${r.constructPath}. Fix: ${r.fix}`,
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
      partialFingerprints: { 'spendsenseFinding/v1': fingerprint(r) },
      suppressions: r.acknowledgement
        ? [{ kind: 'inSource', status: 'accepted', justification: r.acknowledgement.reason }]
        : undefined,
      properties: {
        environment: r.environment,
        stack: r.stack,
        logicalId: r.logicalId,
        resourceType: r.resourceType,
        status: r.status,
        evidence: r.evidence,
        owner: r.acknowledgement?.owner,
        expires: r.acknowledgement?.expires,
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'spendsense-compliance',
            version: input.toolVersion,
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
