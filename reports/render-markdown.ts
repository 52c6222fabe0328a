/** One environment's report in markdown: cost, what is unpriced and why, assumptions, then the security summary. */
import type { CheckResult } from '../aspects/types';
import { HOURS_PER_MONTH } from '../lib/pricing/estimate';
import { USAGE_DESCRIPTIONS, USAGE_KEYS } from '../lib/pricing/usage';
import {
  acknowledgementText,
  cell,
  pricingLine,
  quantity,
  shortTitle,
  STATUS_ORDER,
  table,
  countBy,
  usd,
} from './format';
import { EnvironmentReport, PricingSummary, sourceLabel } from './model';

function costSection(e: EnvironmentReport): string[] {
  const out: string[] = ['## Monthly cost', ''];
  out.push(
    `**Estimated total: $${usd(e.monthlyCostUsd)} a month** over ${e.lineItems.length} priced line${e.lineItems.length === 1 ? '' : 's'}` +
      `${e.unpriced.length > 0 ? `, excluding ${e.unpriced.length} unpriced` : ''}. A month is ${HOURS_PER_MONTH} hours; ` +
      'amounts are shown to the cent, the total is summed before rounding.',
    '',
  );
  const rows = e.lineItems.map((i) => [
    i.resource,
    i.description,
    quantity(i.quantity),
    i.unit,
    `${i.unitPriceUsd.toString()}${i.tiered ? ' (first tier)' : ''}`,
    usd(i.monthlyUsd),
    i.sku === null ? '—' : `\`${i.sku}\``,
    i.usageType === null ? '—' : `\`${i.usageType}\``,
    `${sourceLabel(i)}${i.fallbackReason ? ` after ${i.fallbackReason}` : ''}`,
  ]);
  rows.push(['**Total**', '', '', '', '', `**${usd(e.monthlyCostUsd)}**`, '', '', '']);
  out.push(
    table(
      [
        'Resource',
        'Description',
        'Quantity',
        'Unit',
        'Unit price (USD)',
        'Monthly (USD)',
        'SKU',
        'Usage type',
        'Source',
      ],
      rows,
      ['', '', 'right', '', 'right', 'right'],
    ),
    '',
  );
  if (e.unpriced.length > 0) {
    out.push('### Unpriced lines', '', 'These lines are not in the total. Each says why.', '');
    out.push(
      table(
        ['Resource', 'Description', 'Quantity', 'Unit', 'Usage type', 'Why unpriced'],
        e.unpriced.map((u) => [
          u.resource,
          u.description,
          u.quantity === null ? '—' : quantity(u.quantity),
          u.unit ?? '—',
          u.usageType === null ? '—' : `\`${u.usageType}\``,
          u.reason,
        ]),
      ),
      '',
    );
  }
  if (e.notBilled.length > 0) {
    out.push('### Not billed', '');
    for (const n of e.notBilled) out.push(`- ${cell(n.resource)}: ${cell(n.description)}`);
    out.push('');
  }
  if (e.freeTiers.length > 0) {
    out.push(
      '### Free tiers (not deducted)',
      '',
      'These allowances are per account and shared with everything else in it, so the total above does not subtract them.',
      '',
    );
    for (const f of e.freeTiers) out.push(`- ${cell(f.service)}: ${cell(f.allowance)}`);
    out.push('');
  }
  out.push(
    '### Usage assumptions',
    '',
    'The templates cannot tell these; override them with `npm run report -- --usage FILE`.',
    '',
    table(
      ['Assumption', 'Value', 'Meaning'],
      USAGE_KEYS.map((k) => [`\`${k}\``, String(e.assumptions[k]), USAGE_DESCRIPTIONS[k]]),
      ['', 'right', ''],
    ),
    '',
  );
  return out;
}

function findingRow(r: CheckResult): string[] {
  return [
    `\`${r.ruleId}\``,
    r.source === 'spendsense' ? r.title : shortTitle(r.title),
    `${r.logicalId || r.constructPath} (${r.resourceType})`,
    r.status,
    r.severity,
    r.evidence,
    acknowledgementText(r),
  ];
}

function securitySection(e: EnvironmentReport): string[] {
  const out: string[] = ['## Security', '', '### Controls', ''];
  out.push(
    table(
      ['Control', 'Value in the template', 'Read from', 'Policy rules', 'Result'],
      e.controls.map((c) => [
        c.control,
        c.value,
        c.evidence,
        c.rules.map((r) => `\`${r}\``).join(', ') || '—',
        c.status,
      ]),
    ),
    '',
  );
  const policy = e.findings.filter((r) => r.source === 'spendsense');
  const nag = e.findings.filter((r) => r.source !== 'spendsense');
  const header = ['Rule', 'Title', 'Resource', 'Result', 'Severity', 'Evidence', 'Acknowledgement'];
  out.push(
    '### Policy results',
    '',
    `${countBy(
      policy.map((r) => r.status),
      STATUS_ORDER,
    )}.`,
    '',
  );
  if (policy.length > 0) out.push(table(header, policy.map(findingRow)), '');
  out.push('### cdk-nag findings', '');
  const packs = [...new Set(nag.map((r) => r.source))].sort();
  if (nag.length === 0) out.push('No cdk-nag findings.', '');
  for (const pack of packs) {
    const rows = nag.filter((r) => r.source === pack);
    out.push(
      `#### ${pack}`,
      '',
      `${countBy(
        rows.map((r) => r.status),
        STATUS_ORDER,
      )}.`,
      '',
    );
    out.push(table(header, rows.map(findingRow)), '');
  }
  out.push('### Acknowledgements', '');
  if (e.acknowledgements.length === 0) out.push('None declared.', '');
  else {
    out.push(
      table(
        ['Rule', 'Scope', 'State', 'Owner', 'Expires', 'Reason'],
        e.acknowledgements.map((a) => [`\`${a.ruleId}\``, a.scope, a.state, a.owner, a.expires, a.reason]),
      ),
      '',
    );
  }
  return out;
}

export function renderEnvironment(e: EnvironmentReport, pricing: PricingSummary): string {
  const out: string[] = [`# SpendSense database: ${e.name}`, ''];
  out.push(`Stack \`${e.stack}\` in ${e.region}, instance class ${e.instanceClass}.`, '');
  out.push(pricingLine(pricing), '');
  const fellBack = e.lineItems.filter((i) => i.fallbackReason !== undefined);
  if (fellBack.length > 0) {
    out.push(
      `> **${fellBack.length} line${fellBack.length === 1 ? '' : 's'} fell back to the snapshot** because the live Price List request failed: ${cell(fellBack.map((i) => `${i.resource} (${i.fallbackReason})`).join('; '))}`,
      '',
    );
  }
  if (e.unpriced.length > 0) {
    out.push(
      `> **${e.unpriced.length} line${e.unpriced.length === 1 ? '' : 's'} unpriced** and left out of the total: ${cell(e.unpriced.map((u) => `${u.resource}, ${u.description}`).join('; '))}. See "Unpriced lines".`,
      '',
    );
  }
  out.push(...costSection(e), ...securitySection(e));
  return `${out.join('\n').trimEnd()}\n`;
}
