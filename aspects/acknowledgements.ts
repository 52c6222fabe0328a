/**
 * Acknowledgements: a finding accepted on purpose, with a reason, an owner and an expiry date.
 *
 * They are recorded as construct metadata so the engine can judge them after synthesis: an expired one no longer
 * counts, a malformed one is an error, one that matches no finding is stale, and some rules cannot be acknowledged in
 * prod at all. cdk-nag's own `Validations.of(x).acknowledge(...)` carries no owner or expiry, so the kit treats it as
 * malformed.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const ACKNOWLEDGEMENT_METADATA = 'spendsense:acknowledgement';
export const MIN_REASON_LENGTH = 20;

export interface Acknowledgement {
  /** A kit rule id (`SS-RDS-001`) or a cdk-nag rule id (`AwsSolutions-IAM4`, or one finding: `AwsSolutions-IAM4[Policy::...]`). */
  readonly ruleId: string;
  /** Why the finding is acceptable: at least 20 characters an auditor can check. */
  readonly reason: string;
  /** Who answers for it: a team or a person. */
  readonly owner: string;
  /** `YYYY-MM-DD`: the last day it counts. */
  readonly expires: string;
  /**
   * Cover constructs added under `scope` after this call too. @default false: the acknowledgement covers `scope` and
   * the constructs under it when `acknowledge()` is called, and nothing added there later
   */
  readonly subtree?: boolean;
}

/** An acknowledgement as found in the construct tree. */
export interface DeclaredAcknowledgement extends Acknowledgement {
  /** Path of the construct it is attached to. */
  readonly scope: string;
  /** `kit` via `acknowledge()`; `cdk` via `Validations.of(x).acknowledge()` (no owner or expiry). */
  readonly origin: 'kit' | 'cdk';
  /** Paths it covers besides `scope`, fixed when it was made; undefined with `subtree` (everything under `scope`). */
  readonly covers?: ReadonlySet<string>;
}

/**
 * The constructs each acknowledgement covers, by its metadata entry's data: kept in this module alone, so that no
 * other code can write or change them (a symbol of the global registry could be written by anyone).
 */
const COVERED = new WeakMap<object, ReadonlyMap<string, IConstruct>>();

/**
 * Accepts findings of `ruleId` on `scope` and on the constructs under it now (or, with `subtree: true`, also those
 * added later).
 */
export function acknowledge(scope: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  for (const a of acknowledgements) {
    const data: Record<string, unknown> = {
      ruleId: a.ruleId,
      reason: a.reason,
      owner: a.owner,
      expires: a.expires,
      ...(a.subtree ? { subtree: true } : {}),
    };
    if (!a.subtree) COVERED.set(data, new Map(scope.node.findAll().map((c) => [c.node.path, c])));
    scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA, data);
  }
}

/** True when acknowledgement `a` covers the construct at `path`. */
export function acknowledgementCovers(a: DeclaredAcknowledgement, path: string): boolean {
  if (path === a.scope) return true;
  return a.covers ? a.covers.has(path) : coversPath(a.scope, path);
}

function field(data: unknown, key: string): string {
  const v = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : '';
}

/** Rule ids judged by the kit: its own and the cdk-nag packs'. */
const GOVERNED_RULE = /^(SS-|AwsSolutions-|HIPAA\.Security-|NIST\.800\.53\.R[45]-|PCI\.DSS\.321-|Serverless-)/;

/** Every acknowledgement under `root`, in construct-path order. */
export function collectAcknowledgements(root: IConstruct): DeclaredAcknowledgement[] {
  const found: DeclaredAcknowledgement[] = [];
  const all = root.node.findAll();
  const atPath = new Map(all.map((c) => [c.node.path, c]));
  for (const c of all) {
    for (const entry of c.node.metadata) {
      if (entry.type === ACKNOWLEDGEMENT_METADATA) {
        const d: unknown = entry.data;
        const subtree = d !== null && typeof d === 'object' && (d as Record<string, unknown>).subtree === true;
        const recorded = d !== null && typeof d === 'object' ? COVERED.get(d) : undefined;
        // The constructs it was made over, where they still are: one removed and replaced by another of the same
        // path is not covered.
        const covered = [...(recorded ?? [])].filter(([path, was]) => atPath.get(path) === was).map(([path]) => path);
        found.push({
          scope: c.node.path,
          origin: 'kit',
          ruleId: field(d, 'ruleId'),
          reason: field(d, 'reason'),
          owner: field(d, 'owner'),
          expires: field(d, 'expires'),
          // Metadata written by hand, not through acknowledge(), covers its own construct only.
          covers: subtree ? undefined : new Set(covered),
        });
      } else if (
        entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
        entry.data &&
        typeof entry.data === 'object'
      ) {
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          // Only the rules the kit governs; aws-cdk-lib acknowledges its own template-validation rules this way. The
          // id as cdk-nag reads it (it strips `Annotation::` only: `AwsSolutions-IAM5[Resource::*]` keeps its `::`),
          // else without the namespace aws-cdk-lib puts before a plugin's rule (`SpendSense::SS-RDS-006`).
          const ruleId = [id.replace(/^annotation::/i, ''), id.replace(/^[^:]+::/, '')].find((r) =>
            GOVERNED_RULE.test(r),
          );
          if (ruleId === undefined) continue;
          found.push({
            scope: c.node.path,
            covers: new Set<string>(),
            origin: 'cdk',
            ruleId,
            reason: typeof reason === 'string' ? reason : '',
            owner: '',
            expires: '',
          });
        }
      }
    }
  }
  return found;
}

/** What is wrong with an acknowledgement, or an empty list. */
export function acknowledgementProblems(a: DeclaredAcknowledgement): string[] {
  const problems: string[] = [];
  if (a.origin === 'cdk') {
    problems.push(
      'made with Validations.of(x).acknowledge(), which has no owner or expiry: use acknowledge() from the kit',
    );
    return problems;
  }
  if (!a.ruleId.trim()) problems.push('ruleId is empty');
  if (a.reason.trim().length < MIN_REASON_LENGTH) {
    problems.push(`reason is ${a.reason.trim().length} characters, at least ${MIN_REASON_LENGTH} are needed`);
  }
  if (!a.owner.trim()) problems.push('owner is empty');
  if (!isIsoDate(a.expires)) problems.push(`expires '${a.expires}' is not a date YYYY-MM-DD`);
  return problems;
}

/** Dates already judged: every stack judges the same acknowledgement dates at each synthesis. */
const isoDates = new Map<string, boolean>();

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  let valid = isoDates.get(value);
  if (valid === undefined) {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
    valid = d !== undefined && !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
    if (isoDates.size < 10_000) isoDates.set(value, valid);
  }
  return valid;
}

/** True when `ruleId` of an acknowledgement covers a finding's rule id (`X` covers `X` and `X[finding]`). */
export function coversRule(acknowledged: string, finding: string): boolean {
  return acknowledged === finding || finding.startsWith(`${acknowledged}[`);
}

/** True when a construct path is `scope` itself or lies under it (everything lies under the App's, ''). */
export function coversPath(scope: string, path: string): boolean {
  // The App's own path is '': it is above every construct.
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}
