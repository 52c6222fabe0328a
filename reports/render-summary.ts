/** SUMMARY.md: the environments side by side: monthly cost, line-item totals by kind, and posture. */
import { Decimal, sum } from '../lib/pricing/decimal';
import { CATEGORY_LABELS, CATEGORY_ORDER, countBy, pricingLine, STATUS_ORDER, table, usd } from './format';
import type { ReportModel } from './model';

export function renderSummary(model: ReportModel): string {
  const envs = model.environments;
  const header = ['', ...envs.map((e) => e.name)];
  const row = (label: string, f: (e: (typeof envs)[number]) => string) => [label, ...envs.map(f)];
  const rows: string[][] = [
    row('Stack', (e) => `\`${e.stack}\``),
    row('Region', (e) => e.region),
    row('Instance class', (e) => e.instanceClass),
    row('**Monthly cost (USD)**', (e) => `**${usd(e.monthlyCostUsd)}**`),
    row('Unpriced lines', (e) => String(e.unpriced.length)),
  ];
  for (const c of CATEGORY_ORDER) {
    if (!envs.some((e) => e.lineItems.some((i) => i.category === c) || e.unpriced.some((u) => u.category === c))) {
      continue;
    }
    rows.push(
      row(CATEGORY_LABELS[c], (e) => {
        const items = e.lineItems.filter((i) => i.category === c);
        const unpriced = e.unpriced.filter((u) => u.category === c).length;
        if (items.length === 0 && unpriced === 0) return '—';
        const total = items.length > 0 ? usd(sum(items.map((i) => i.monthlyUsd))) : usd(Decimal.ZERO);
        return unpriced > 0 ? `${total} + ${unpriced} unpriced` : total;
      }),
    );
  }
  const posture: string[][] = [
    row('Policy results', (e) =>
      countBy(
        e.findings.filter((r) => r.source === 'spendsense').map((r) => r.status),
        STATUS_ORDER,
      ),
    ),
    row('cdk-nag findings', (e) =>
      countBy(
        e.findings.filter((r) => r.source !== 'spendsense').map((r) => r.status),
        STATUS_ORDER,
      ),
    ),
    row('Blocking (would fail synth)', (e) =>
      String(
        e.findings.filter((r) => r.severity === 'error' && (r.status === 'fail' || r.status === 'cannot-verify'))
          .length,
      ),
    ),
    row('Acknowledgements', (e) =>
      countBy(
        e.acknowledgements.map((a) => a.state),
        ['malformed', 'forbidden', 'expired', 'stale', 'live'],
      ),
    ),
  ];
  for (const e of envs) {
    for (const c of e.controls) {
      if (!posture.some((r) => r[0] === c.control)) {
        posture.push(row(c.control, (x) => x.controls.find((k) => k.control === c.control)?.status ?? '—'));
      }
    }
  }
  const out = ['# SpendSense database: cost and security summary', '', pricingLine(model.pricing), ''];
  const unpriced = envs.reduce((n, e) => n + e.unpriced.length, 0);
  if (unpriced > 0)
    out.push(`> **${unpriced} line${unpriced === 1 ? '' : 's'} unpriced**; see each environment's report.`, '');
  if (model.pricing.fellBack > 0) {
    out.push(
      `> **${model.pricing.fellBack} line${model.pricing.fellBack === 1 ? '' : 's'} fell back to the snapshot** after a failed live request.`,
      '',
    );
  }
  out.push('## Monthly cost', '', table(header, rows, ['', ...envs.map(() => 'right')]), '');
  out.push('## Posture', '', table(header, posture), '');
  out.push(`Details: ${envs.map((e) => `[${e.name}](${e.name}.md)`).join(', ')}.`);
  return `${out.join('\n')}\n`;
}
