/**
 * A report diff as a pull-request comment (markdown: the summary first, details collapsed) and as JSON. Both are
 * deterministic: same diff, same bytes.
 */
import type { EnvironmentDiff, Money, ReportDiff } from './diff';
import { table } from './format';

function dollars(m: Money): string {
  const sign = m.change.startsWith('-') ? '-' : m.change.startsWith('+') ? '+' : '';
  return `${sign}$${m.change.replace(/^[+-]/, '')}${m.percent === null ? '' : ` (${m.percent}%)`}`;
}

function posture(e: EnvironmentDiff): string {
  const parts = (
    [
      [e.newFindings.length, 'new finding', 'new findings'],
      [e.resolvedFindings.length, 'resolved finding', 'resolved findings'],
      [e.newAcknowledgements.length, 'new acknowledgement', 'new acknowledgements'],
      [e.changedAcknowledgements.length, 'changed acknowledgement', 'changed acknowledgements'],
      [
        e.expiringAcknowledgements.length,
        'acknowledgement expiring within 30 days',
        'acknowledgements expiring within 30 days',
      ],
      [e.controls.length, 'control changed', 'controls changed'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  return parts.length ? parts.join(', ') : 'no change';
}

function details(e: EnvironmentDiff): string {
  const out: string[] = [];
  if (e.lines.length > 0) {
    out.push(
      table(
        ['line', 'change', 'before', 'after', 'monthly USD'],
        e.lines.map((l) => [
          `${l.resource} (${l.category})`,
          l.change,
          l.before ? `${l.before}: $${l.usd.before}` : '-',
          l.after ? `${l.after}: $${l.usd.after}` : '-',
          dollars(l.usd),
        ]),
        ['left', 'left', 'left', 'left', 'right'],
      ),
    );
  }
  const findings = (title: string, rows: EnvironmentDiff['newFindings']) =>
    rows.length
      ? [
          `**${title}**`,
          '',
          table(
            ['rule', 'construct', 'status', 'found'],
            rows.map((f) => [f.ruleId, f.constructPath, `${f.status} (${f.severity})`, f.evidence]),
          ),
        ].join('\n')
      : '';
  out.push(findings('New findings', e.newFindings), findings('Resolved findings', e.resolvedFindings));
  const acks = (title: string, rows: EnvironmentDiff['newAcknowledgements']) =>
    rows.length
      ? [
          `**${title}**`,
          '',
          table(
            ['rule', 'scope', 'owner', 'expires', 'state', 'reason'],
            rows.map((a) => [a.ruleId, a.scope, a.owner, a.expires, a.state, a.reason]),
          ),
        ].join('\n')
      : '';
  out.push(
    acks('New acknowledgements', e.newAcknowledgements),
    acks(
      'Changed acknowledgements (now)',
      e.changedAcknowledgements.map((c) => c.after),
    ),
    acks('Acknowledgements expiring within 30 days', e.expiringAcknowledgements),
  );
  if (e.controls.length > 0) {
    out.push(
      [
        '**Controls whose value changed**',
        '',
        table(
          ['control', 'before', 'after'],
          e.controls.map((c) => [c.control, c.before, c.after]),
        ),
      ].join('\n'),
    );
  }
  return out.filter((s) => s !== '').join('\n\n');
}

const STATUS_NOTE: Record<EnvironmentDiff['status'], string> = {
  compared: '',
  added: ' (new environment)',
  removed: ' (removed)',
  'not-in-run': ' (not in this run)',
};

/** The pull-request comment. */
export function renderDiffMarkdown(diff: ReportDiff): string {
  const shown = diff.environments.filter((e) => e.status !== 'not-in-run');
  const rows = shown.map((e) => [
    `${e.name}${STATUS_NOTE[e.status]}`,
    `$${e.total.before}`,
    `$${e.total.after}`,
    dollars(e.total),
    posture(e),
  ]);
  rows.push(['**total**', `$${diff.total.before}`, `$${diff.total.after}`, `**${dollars(diff.total)}**`, '']);
  const skipped = diff.environments.filter((e) => e.status === 'not-in-run').map((e) => e.name);
  const lines = [
    `### SpendSense: monthly cost and posture change`,
    '',
    `Compared with ${diff.base}.`,
    '',
    table(['environment', 'before', 'after', 'change', 'posture'], rows, ['left', 'right', 'right', 'right', 'left']),
  ];
  if (skipped.length > 0) lines.push('', `Not in this run (left out of the total): ${skipped.join(', ')}.`);
  for (const e of shown) {
    const body = details(e);
    if (body === '') continue;
    lines.push(
      '',
      `<details><summary>${e.name}: ${e.lines.length} cost line${e.lines.length === 1 ? '' : 's'} changed; posture: ${posture(e)}</summary>`,
      '',
      body,
      '',
      '</details>',
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** diff.json: the diff as data, keys in a fixed order. */
export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
