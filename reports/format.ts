/** Formatting shared by the markdown renderers: stable, locale-independent text. */
import type { CheckResult } from '../aspects/types';
import type { Decimal } from '../lib/pricing/decimal';
import type { LineCategory } from '../lib/pricing/estimate';
import type { PricingSummary } from './model';

/** A markdown table cell: one line, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly string[],
): string {
  const sep = header.map((_, i) => (align?.[i] === 'right' ? '---:' : '---'));
  return [header, sep, ...rows.map((r) => r.map(cell))].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** `12345.5` → `12,345.5` (exact; grouping of the integer part only). */
export function quantity(d: Decimal): string {
  const [int, frac] = d.toString().split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac ? `.${frac}` : ''}`;
}

/** Dollars to the cent with grouping: `1,234.57`. */
export function usd(d: Decimal): string {
  const [int, frac] = d.toFixed(2).split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

export const CATEGORY_LABELS: Readonly<Record<LineCategory, string>> = {
  instance: 'Instance hours',
  storage: 'Storage',
  iops: 'Provisioned IOPS',
  throughput: 'Provisioned throughput',
  backup: 'Backup storage',
  'performance-insights': 'Performance Insights',
  'cpu-credits': 'CPU credits',
  proxy: 'RDS Proxy',
  secrets: 'Secrets Manager secrets',
  'secrets-api': 'Secrets Manager API calls',
  'kms-keys': 'KMS keys',
  'kms-requests': 'KMS requests',
  'vpc-endpoint': 'VPC interface endpoint',
  logs: 'CloudWatch Logs',
  lambda: 'Lambda',
  other: 'Other resources',
};

export const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS) as LineCategory[];

/** Where the prices came from, as it was: "live" only for lines the live API priced. */
export function pricingLine(p: PricingSummary): string {
  const dates = p.snapshotChecked.length > 0 ? `, checked ${p.snapshotChecked.join(', ')}` : '';
  const snapshot = `bundled snapshot of the AWS Price List (lib/pricing/snapshot/prices.json${dates}; OnDemand terms)`;
  const fell = `${p.fellBack} line${p.fellBack === 1 ? '' : 's'}`;
  if (p.source === 'live') {
    return p.fellBack === 0
      ? 'Prices: live, from the AWS Price List Query API (OnDemand terms).'
      : `Prices: live, from the AWS Price List Query API (OnDemand terms), except ${fell} from the ${snapshot} after the live request failed (each line says why).`;
  }
  return p.fellBack === 0
    ? `Prices: ${snapshot}.`
    : `Prices: ${snapshot}: the live Price List API was tried and failed for every line (${fell}; each line says why).`;
}

/** The first sentence of a long cdk-nag rule text. */
export function shortTitle(title: string): string {
  const m = /^(.+?\.)(\s|$)/.exec(title);
  return m ? m[1] : title;
}

export function acknowledgementText(r: CheckResult): string {
  const a = r.acknowledgement;
  if (!a) return '';
  return `${a.state}: ${a.reason} (owner ${a.owner}, expires ${a.expires})`;
}

export function countBy<T extends string>(values: readonly T[], order: readonly T[]): string {
  const parts = order
    .map((k) => [k, values.filter((v) => v === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.join(', ') || 'none';
}

export const STATUS_ORDER: readonly CheckResult['status'][] = ['fail', 'cannot-verify', 'warn', 'acknowledged', 'pass'];
