/**
 * The report's data: per environment, the priced line items, what could not be priced and why, the usage assumptions,
 * the security controls found in the rendered template and the policy and cdk-nag results. Renderers only format it.
 */
import type { AcknowledgementRecord, CheckResult } from '../aspects/types';
import type { EnvironmentName } from '../lib/profiles';
import type { Decimal } from '../lib/pricing/decimal';
import type { FreeNote, FreeTierNote, LineItem, UnpricedLine } from '../lib/pricing/estimate';
import type { UsageAssumptions } from '../lib/pricing/usage';

export type ReportFormat = 'md' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'json'];

export type ControlStatus = 'pass' | 'fail' | 'warn' | 'acknowledged' | 'cannot-verify' | 'not-evaluated';

export interface Control {
  readonly control: string;
  /** The value found in the rendered template. */
  readonly value: string;
  /** Logical ids (and properties) the value was read from. */
  readonly evidence: string;
  /** The kit's policy rules that judge this control. */
  readonly rules: readonly string[];
  /** The worst result of those rules in this environment. */
  readonly status: ControlStatus;
}

export interface EnvironmentReport {
  readonly name: EnvironmentName;
  readonly stack: string;
  readonly region: string;
  readonly instanceClass: string;
  readonly monthlyCostUsd: Decimal;
  readonly lineItems: readonly LineItem[];
  readonly unpriced: readonly UnpricedLine[];
  readonly notBilled: readonly FreeNote[];
  /** Account-wide free tiers that apply to lines of this environment: stated, not deducted. */
  readonly freeTiers: readonly FreeTierNote[];
  readonly assumptions: UsageAssumptions;
  readonly controls: readonly Control[];
  /** Policy results (`spendsense`) and cdk-nag findings, sorted. */
  readonly findings: readonly CheckResult[];
  /** Acknowledgements declared in the stack, with their state. */
  readonly acknowledgements: readonly AcknowledgementRecord[];
}

export interface PricingSummary {
  /** Where prices came from: the live Price List API or the bundled snapshot. */
  readonly source: 'live' | 'snapshot';
  /** Check dates of the snapshot records used, sorted. */
  readonly snapshotChecked: readonly string[];
  /** Lines whose live price failed and came from the snapshot instead. */
  readonly fellBack: number;
}

export interface ReportModel {
  readonly pricing: PricingSummary;
  readonly environments: readonly EnvironmentReport[];
}

export function sourceLabel(item: LineItem): string {
  return item.source.kind === 'live' ? 'live' : `snapshot (checked ${item.source.checked})`;
}
