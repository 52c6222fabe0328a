/**
 * The change between two reports (report.json documents): per environment, the cost lines added, removed and changed
 * with their monthly USD change and percentage, the total's, and the posture changes (new and resolved findings, new
 * or changed acknowledgements, acknowledgements expiring within 30 days, controls whose value changed). Pure: the
 * caller loads both documents; the same two documents always give the same diff.
 */
import { Decimal } from '../lib/pricing/decimal';

/** The parts of a report.json document the diff reads. */
export interface ReportDocument {
  readonly environments: readonly EnvironmentDocument[];
}

export interface EnvironmentDocument {
  readonly name: string;
  readonly monthlyCostUsd: number;
  readonly lineItems: readonly { resource: string; category: string; description: string; monthlyUsd: number }[];
  readonly controls: readonly { control: string; value: string; status: string }[];
  readonly findings: readonly {
    ruleId: string;
    constructPath: string;
    status: string;
    severity: string;
    title: string;
    evidence: string;
  }[];
  readonly acknowledgements: readonly {
    ruleId: string;
    scope: string;
    reason: string;
    owner: string;
    expires: string;
    state: string;
  }[];
}

export interface Money {
  readonly before: string;
  readonly after: string;
  /** Signed, to the cent: `+246.01`, `-2.30`, `0.00`. */
  readonly change: string;
  /** Signed, one decimal: `+77.8`; null when `before` is zero. */
  readonly percent: string | null;
}

export interface LineChange {
  readonly resource: string;
  readonly category: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: string;
  readonly after?: string;
  readonly usd: Money;
}

export type FindingRef = EnvironmentDocument['findings'][number];
export type AcknowledgementRef = EnvironmentDocument['acknowledgements'][number];

export interface EnvironmentDiff {
  readonly name: string;
  /** compared: in both; added / removed: in one only; not-in-run: the new run did not synthesize it (-c, --env). */
  readonly status: 'compared' | 'added' | 'removed' | 'not-in-run';
  readonly total: Money;
  readonly lines: readonly LineChange[];
  readonly newFindings: readonly FindingRef[];
  readonly resolvedFindings: readonly FindingRef[];
  readonly newAcknowledgements: readonly AcknowledgementRef[];
  readonly changedAcknowledgements: readonly {
    readonly before: AcknowledgementRef;
    readonly after: AcknowledgementRef;
  }[];
  readonly expiringAcknowledgements: readonly AcknowledgementRef[];
  readonly controls: readonly { readonly control: string; readonly before: string; readonly after: string }[];
}

export interface ReportDiff {
  /** What the new report was compared with, e.g. `reports/ at 1a2b3c4 (merge base with main)`. */
  readonly base: string;
  readonly environments: readonly EnvironmentDiff[];
  /** Over the compared, added and removed environments. */
  readonly total: Money;
}

const OPEN = new Set(['fail', 'warn', 'cannot-verify']);
const EXPIRY_WINDOW_DAYS = 30;

function signed(d: Decimal, places: number): string {
  const text = d.toFixed(places);
  return d.compare(Decimal.ZERO) > 0 ? `+${text}` : text;
}

export function money(before: Decimal, after: Decimal): Money {
  const change = after.minus(before);
  const percent = before.isZero() ? null : signed(change.times(Decimal.of(100)).dividedBy(before), 1);
  return { before: before.toFixed(2), after: after.toFixed(2), change: signed(change, 2), percent };
}

/** `resource|category|n`: the n-th line of that resource and category (a key has two: the key and its rotations). */
function lineKeys(lines: EnvironmentDocument['lineItems']): Map<string, EnvironmentDocument['lineItems'][number]> {
  const seen = new Map<string, number>();
  const keyed = new Map<string, EnvironmentDocument['lineItems'][number]>();
  for (const line of lines) {
    const base = `${line.resource}\u0000${line.category}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    keyed.set(`${base}\u0000${n}`, line);
  }
  return keyed;
}

function diffLines(before: EnvironmentDocument['lineItems'], after: EnvironmentDocument['lineItems']): LineChange[] {
  const a = lineKeys(before);
  const b = lineKeys(after);
  const changes: LineChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const old = a.get(key);
    const now = b.get(key);
    const oldUsd = Decimal.of(old?.monthlyUsd ?? 0);
    const newUsd = Decimal.of(now?.monthlyUsd ?? 0);
    if (old && now && old.description === now.description && oldUsd.compare(newUsd) === 0) continue;
    const line = (now ?? old)!;
    changes.push({
      resource: line.resource,
      category: line.category,
      change: !old ? 'added' : !now ? 'removed' : 'changed',
      before: old?.description,
      after: now?.description,
      usd: money(oldUsd, newUsd),
    });
  }
  return changes;
}

const findingKey = (f: FindingRef) => `${f.ruleId}\u0000${f.constructPath}`;
const ackKey = (a: AcknowledgementRef) => `${a.ruleId}\u0000${a.scope}`;

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function diffEnvironment(
  name: string,
  before: EnvironmentDocument | undefined,
  after: EnvironmentDocument | undefined,
  status: EnvironmentDiff['status'],
  today: string,
): EnvironmentDiff {
  const empty: EnvironmentDocument = {
    name,
    monthlyCostUsd: 0,
    lineItems: [],
    controls: [],
    findings: [],
    acknowledgements: [],
  };
  const old = status === 'not-in-run' ? (before ?? empty) : (before ?? empty);
  const now = status === 'not-in-run' ? old : (after ?? empty);
  const openBefore = new Map(old.findings.filter((f) => OPEN.has(f.status)).map((f) => [findingKey(f), f]));
  const openAfter = new Map(now.findings.filter((f) => OPEN.has(f.status)).map((f) => [findingKey(f), f]));
  const acksBefore = new Map(old.acknowledgements.map((a) => [ackKey(a), a]));
  const horizon = addDays(today, EXPIRY_WINDOW_DAYS);
  const controlsBefore = new Map(old.controls.map((c) => [c.control, c]));
  return {
    name,
    status,
    total: money(Decimal.of(old.monthlyCostUsd), Decimal.of(now.monthlyCostUsd)),
    lines: diffLines(old.lineItems, now.lineItems),
    newFindings: [...openAfter].filter(([k]) => !openBefore.has(k)).map(([, f]) => f),
    resolvedFindings: [...openBefore].filter(([k]) => !openAfter.has(k)).map(([, f]) => f),
    newAcknowledgements: now.acknowledgements.filter((a) => !acksBefore.has(ackKey(a))),
    changedAcknowledgements: now.acknowledgements.flatMap((a) => {
      const was = acksBefore.get(ackKey(a));
      const same =
        was && was.reason === a.reason && was.owner === a.owner && was.expires === a.expires && was.state === a.state;
      return was && !same ? [{ before: was, after: a }] : [];
    }),
    expiringAcknowledgements: now.acknowledgements.filter(
      (a) => a.state === 'live' && a.expires >= today && a.expires <= horizon,
    ),
    controls: now.controls.flatMap((c) => {
      const was = controlsBefore.get(c.control);
      const before = was ? `${was.value} (${was.status})` : '(absent)';
      const after = `${c.value} (${c.status})`;
      return before === after ? [] : [{ control: c.control, before, after }];
    }),
  };
}

export interface DiffOptions {
  /** Environments the new run was asked for; the base's others are `not-in-run`, not removed. */
  readonly restrictedTo?: readonly string[];
  /** `YYYY-MM-DD` from which acknowledgements count as expiring within 30 days. */
  readonly today: string;
  readonly baseLabel: string;
}

/** The diff from `base` to `head`, environments in the base's order then the new ones. */
export function diffReports(base: ReportDocument, head: ReportDocument, options: DiffOptions): ReportDiff {
  const before = new Map(base.environments.map((e) => [e.name, e]));
  const after = new Map(head.environments.map((e) => [e.name, e]));
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const environments = names.map((name) => {
    const status: EnvironmentDiff['status'] = !before.has(name)
      ? 'added'
      : after.has(name)
        ? 'compared'
        : options.restrictedTo && !options.restrictedTo.includes(name)
          ? 'not-in-run'
          : 'removed';
    return diffEnvironment(name, before.get(name), after.get(name), status, options.today);
  });
  const counted = environments.filter((e) => e.status !== 'not-in-run');
  const sum = (pick: (m: Money) => string) =>
    counted.reduce((acc, e) => acc.plus(Decimal.parse(pick(e.total))), Decimal.ZERO);
  return {
    base: options.baseLabel,
    environments,
    total: money(
      sum((m) => m.before),
      sum((m) => m.after),
    ),
  };
}

/** True when nothing at all changed. */
export function isEmptyDiff(diff: ReportDiff): boolean {
  return diff.environments.every(
    (e) =>
      e.status !== 'added' &&
      e.status !== 'removed' &&
      e.lines.length === 0 &&
      e.newFindings.length === 0 &&
      e.resolvedFindings.length === 0 &&
      e.newAcknowledgements.length === 0 &&
      e.changedAcknowledgements.length === 0 &&
      e.controls.length === 0,
  );
}

/** A `--fail-on-increase` threshold: `50` (USD a month) or `10%`. */
export type IncreaseThreshold = { readonly usd: Decimal } | { readonly percent: Decimal };

export function parseThreshold(text: string): IncreaseThreshold | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] ? { percent: Decimal.parse(m[1]) } : { usd: Decimal.parse(m[1]) };
}

/** The environments (and `total`) whose monthly increase exceeds the threshold. */
export function exceeding(diff: ReportDiff, threshold: IncreaseThreshold): string[] {
  const over = (m: Money) =>
    'usd' in threshold
      ? Decimal.parse(m.change.replace(/^\+/, '')).compare(threshold.usd) > 0
      : m.percent !== null && Decimal.parse(m.percent.replace('+', '')).compare(threshold.percent) > 0;
  return [
    ...diff.environments
      .filter((e) => e.status !== 'not-in-run' && over(e.total))
      .map((e) => `${e.name} ${e.total.change} USD (${e.total.percent ?? 'new'}%)`),
    ...(over(diff.total) ? [`total ${diff.total.change} USD (${diff.total.percent ?? 'new'}%)`] : []),
  ];
}
