/**
 * JUnit XML of a compliance run (`compliance.junit.xml`), for the test tabs of CI systems, as checkov and cfn-guard
 * offer it: one test suite per stack, one test case per rule and resource, a failure for each blocking finding, a
 * skip for each acknowledged one, warnings as passes with their finding in `system-out`. Written without an XML
 * library: the document is small, fixed in shape and escaped here, and the gate loads on every synth.
 */
import { blocking } from './engine';
import type { CheckResult } from './types';

const NEEDS_ESCAPE = /[<>&'"]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** XML 1.0 text and attribute escaping; characters XML 1.0 cannot hold at all are replaced. */
export function xmlEscape(text: string): string {
  // Most text needs nothing: one scan tells.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function testCase(r: CheckResult, where: string | undefined): string {
  const name = `${r.ruleId} ${r.constructPath}${r.logicalId ? ` (${r.logicalId})` : ''}`;
  const open = `    <testcase${attributes({ classname: `${r.stack}.${r.ruleId}`, name, time: 0 })}`;
  // Most results pass: they need no detail.
  if (r.status === 'pass') return `${open}/>`;
  const detail = `${r.title}. Found: ${r.evidence}.${where ? ` At ${where}.` : ''} Fix: ${r.fix}`;
  if (blocking([r]).length > 0) {
    return `${open}>\n      <failure${attributes({ message: `${r.title}: ${r.evidence}`, type: r.ruleId })}>${xmlEscape(detail)}</failure>\n    </testcase>`;
  }
  if (r.status === 'acknowledged' && r.acknowledgement) {
    const a = r.acknowledgement;
    const message = `acknowledged by ${a.owner} until ${a.expires}: ${a.reason}`;
    return `${open}>\n      <skipped${attributes({ message })}/>\n    </testcase>`;
  }
  return `${open}>\n      <system-out>${xmlEscape(`${r.status}: ${detail}`)}</system-out>\n    </testcase>`;
}

/** The JUnit XML document of `results`, in their (deterministic) order, grouped by stack. */
export function toJunit(results: readonly CheckResult[], locate: (r: CheckResult) => string | undefined): string {
  const byStack = new Map<string, CheckResult[]>();
  for (const r of results) {
    const own = byStack.get(r.stack);
    if (own) own.push(r);
    else byStack.set(r.stack, [r]);
  }
  const count = (rs: readonly CheckResult[]) => ({
    tests: rs.length,
    failures: blocking(rs).length,
    errors: 0,
    skipped: rs.filter((r) => r.status === 'acknowledged').length,
  });
  const suites = [...byStack].map(([stack, own]) => {
    const cases = own.map((r) => testCase(r, r.status === 'pass' ? undefined : locate(r)));
    return [`  <testsuite${attributes({ name: stack, ...count(own), time: 0 })}>`, ...cases, '  </testsuite>'].join(
      '\n',
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'spendsense-compliance', ...count(results), time: 0 })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
