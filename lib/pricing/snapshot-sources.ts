/**
 * The records table of `lib/pricing/snapshot/SOURCES.md`, rendered from `prices.json` so that the two cannot drift:
 * per record the figure, where it is shown, the data's own date, when it was checked and whether one source alone
 * shows it. `npm run pricing:sources` rewrites the table; a test fails when the committed one differs.
 */
import { join } from 'node:path';
import type { PriceSnapshot, SnapshotRecord } from './snapshot';

export const SOURCES_PATH = join(__dirname, 'snapshot', 'SOURCES.md');
export const TABLE_BEGIN = '<!-- records:begin (generated from prices.json by npm run pricing:sources) -->';
export const TABLE_END = '<!-- records:end -->';

/** Raised when SOURCES.md has lost the markers the table is written between. */
export class SourcesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourcesFileError';
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function price(record: SnapshotRecord): string {
  const parts: string[] = [];
  for (const term of Object.values(record.terms.OnDemand ?? {})) {
    for (const d of Object.values(term.priceDimensions)) {
      const usd = String(d.pricePerUnit.USD)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
      const range = d.endRange === 'Inf' && d.beginRange === '0' ? '' : ` (${d.beginRange}–${d.endRange})`;
      parts.push(`${usd} per ${d.unit}${range}`);
    }
  }
  return parts.join('; ');
}

function row(record: SnapshotRecord): string[] {
  const a = record.product.attributes;
  const s = record.source;
  const what = [a.instanceType, a.deploymentOption, a.databaseEngine].filter(Boolean).join(', ') || '—';
  const shown = s.url ? `[${cell(s.shownIn)}](${s.url})` : cell(s.shownIn);
  return [
    record.serviceCode,
    a.regionCode ?? '?',
    `\`${a.usagetype ?? '?'}\``,
    cell(what),
    cell(price(record)),
    record.product.sku ? `\`${record.product.sku}\`` : 'not shown',
    shown,
    s.dataDate,
    s.checked,
    s.singleSource ? 'yes' : 'no',
  ];
}

/** The markdown table of every record, in file order. */
export function renderSourcesTable(snapshot: PriceSnapshot): string {
  const head = [
    'Service',
    'Region',
    'Usage type',
    'Product',
    'USD',
    'SKU',
    'Shown in',
    'Data date',
    'Checked',
    'Single source',
  ];
  const lines = [head, head.map(() => '---'), ...snapshot.records.map(row)].map((r) => `| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** `text` with the table between its markers replaced by the one rendered from `snapshot`. */
export function withSourcesTable(text: string, snapshot: PriceSnapshot): string {
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    throw new SourcesFileError(`SOURCES.md: the markers ${TABLE_BEGIN} and ${TABLE_END} are missing; restore them`);
  }
  return `${text.slice(0, begin + TABLE_BEGIN.length)}\n\n${renderSourcesTable(snapshot)}\n\n${text.slice(end)}`;
}
