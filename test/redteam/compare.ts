/**
 * Runs every red-team case under each gate and prints a markdown comparison:
 *
 *   npx tsx test/redteam/compare.ts [--gates kit,nag,guard] [--json FILE] [--guard-path DIR] [--concurrency N]
 *     [--cases NAME,NAME]
 *
 * Under the kit gate a must-fail case counts as blocked only when it meets the suite's contract (non-zero exit, every
 * rule id named, no library stack trace); under the others, a non-zero exit is enough. The table holds no timings, so
 * the same code and toolchain print the same bytes. The cfn-guard plugin is found through --guard-path, else
 * SPENDSENSE_REDTEAM_GUARD_PATH, else node_modules; when none has it, that gate is reported as not measured. --cases
 * runs only the cases named (to measure cases added or changed since the last full run).
 */
import { writeFileSync } from 'node:fs';
import { CASES, Gate, GUARD_PATH_ENV, isGate, KLASSES, Klass, RedteamCase } from './cases';
import { bundleEntries } from '../support/bundle';
import { blocked, CaseRun, DEFAULT_CONCURRENCY, judgeKitRun, pool, runCase } from './run';

interface Options {
  readonly gates: Gate[];
  readonly json?: string;
  readonly guardPath?: string;
  readonly concurrency: number;
  readonly cases: readonly RedteamCase[];
}

function usage(message: string): never {
  process.stderr.write(
    `compare: ${message}\nusage: npx tsx test/redteam/compare.ts [--gates kit,nag,guard,none] [--json FILE] [--guard-path DIR] [--concurrency N] [--cases NAME,NAME]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Options {
  let gates: Gate[] = ['kit', 'nag', 'guard'];
  let json: string | undefined;
  let guardPath = process.env[GUARD_PATH_ENV] || undefined;
  let concurrency = DEFAULT_CONCURRENCY;
  let cases: readonly RedteamCase[] = CASES;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!['--gates', '--json', '--guard-path', '--concurrency', '--cases'].includes(flag))
      usage(`unknown argument '${flag}'`);
    if (value === undefined || value.startsWith('--')) usage(`${flag} needs a value`);
    i++;
    if (flag === '--gates') {
      const names = value.split(',').filter((g) => g !== '');
      const bad = names.filter((g) => !isGate(g));
      if (bad.length > 0 || names.length === 0) usage(`--gates: got '${value}', expected some of kit,nag,guard,none`);
      gates = [...new Set(names as Gate[])];
    } else if (flag === '--json') json = value;
    else if (flag === '--guard-path') guardPath = value;
    else if (flag === '--cases') {
      const names = value.split(',').filter((n) => n !== '');
      const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
      if (unknown.length > 0 || names.length === 0) usage(`--cases: got '${value}', expected names of cases.ts`);
      cases = CASES.filter((c) => names.includes(c.name));
    } else {
      concurrency = Number(value);
      if (!Number.isInteger(concurrency) || concurrency < 1) usage(`--concurrency: got '${value}', expected 1 or more`);
    }
  }
  return { gates, json, guardPath, concurrency, cases };
}

/** What one run means for the table. */
interface Cell {
  /** must-fail: blocked; must-pass: passed. */
  readonly good: boolean;
  readonly status: number | null;
  /** Short and stable: no timings, no temporary paths. */
  readonly note: string;
}

const GUARD_MISSING = /cfn-guard plugin not installed/;

function cellOf(c: RedteamCase, gate: Gate, run: CaseRun): Cell {
  if (gate === 'kit') {
    const v = judgeKitRun(c, run);
    return { good: v.ok, status: run.status, note: v.ok ? (c.expect === 'fail' ? 'blocked' : 'passed') : v.reason };
  }
  const stopped = blocked(run);
  const good = c.expect === 'fail' ? stopped : !stopped;
  const note = run.timedOut ? 'timed out' : `exit ${run.status}`;
  return { good, status: run.status, note };
}

interface GateResult {
  readonly gate: Gate;
  /** False when the gate's plugin could not be loaded: nothing was measured. */
  readonly measured: boolean;
  readonly cells: ReadonlyMap<string, Cell>;
}

function count(cases: readonly RedteamCase[], result: GateResult, expect: 'fail' | 'pass'): string {
  const of = cases.filter((c) => c.expect === expect);
  if (of.length === 0) return '-';
  if (!result.measured) return 'not measured';
  return `${of.filter((c) => result.cells.get(c.name)?.good).length} of ${of.length}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

function renderMarkdown(cases: readonly RedteamCase[], results: readonly GateResult[]): string {
  const out: string[] = ['## Gates compared', ''];
  out.push(
    ...table(
      ['gate', 'must-fail blocked', 'must-pass passed'],
      results.map((r) => [r.gate, count(cases, r, 'fail'), count(cases, r, 'pass')]),
    ),
  );
  out.push('', '## By class of hole', '');
  const klasses = Object.keys(KLASSES) as Klass[];
  out.push(
    ...table(
      ['class', ...results.flatMap((r) => [`${r.gate}: must-fail blocked`, `${r.gate}: must-pass passed`])],
      klasses.map((k) => {
        const of = cases.filter((c) => c.klass === k);
        return [`${k}. ${KLASSES[k]}`, ...results.flatMap((r) => [count(of, r, 'fail'), count(of, r, 'pass')])];
      }),
    ),
  );
  out.push('', '## Case by case', '');
  out.push(
    ...table(
      ['case', 'expect', 'class', 'form', 'kit rule ids', ...results.map((r) => r.gate)],
      cases.map((c) => [
        c.name,
        c.expect,
        c.klass,
        c.form,
        c.ruleIds.join(', ') || '-',
        ...results.map((r) => {
          const cell = r.cells.get(c.name);
          if (!r.measured || !cell) return 'not measured';
          return `${cell.good ? 'ok' : 'MISSED'}: ${cell.note}`;
        }),
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}

function jsonReport(cases: readonly RedteamCase[], results: readonly GateResult[]): object {
  return {
    gates: results.map((r) => ({
      gate: r.gate,
      measured: r.measured,
      mustFailBlocked: count(cases, r, 'fail'),
      mustPassPassed: count(cases, r, 'pass'),
    })),
    cases: cases.map((c) => ({
      name: c.name,
      expect: c.expect,
      klass: c.klass,
      form: c.form,
      ruleIds: c.ruleIds,
      results: Object.fromEntries(results.map((r) => [r.gate, r.measured ? (r.cells.get(c.name) ?? null) : null])),
    })),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  await bundleEntries();
  const started = Date.now();
  const results: GateResult[] = [];
  for (const gate of options.gates) {
    const runs = await pool(options.cases, options.concurrency, (c) =>
      runCase(c, gate, { guardPath: options.guardPath }),
    );
    const measured = !(gate === 'guard' && runs.some((r) => r.status === 3 && GUARD_MISSING.test(r.stderr)));
    const cells = new Map(runs.map((run, i) => [run.name, cellOf(options.cases[i], gate, run)]));
    results.push({ gate, measured, cells });
    process.stderr.write(`compare: ${gate} done (${Math.round((Date.now() - started) / 1000)} s so far)\n`);
  }
  process.stdout.write(renderMarkdown(options.cases, results));
  if (options.json) writeFileSync(options.json, `${JSON.stringify(jsonReport(options.cases, results), null, 2)}\n`);
  process.stderr.write(
    `compare: ${options.cases.length} cases x ${options.gates.length} gates in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}

void main();
