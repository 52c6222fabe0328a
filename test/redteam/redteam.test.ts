/**
 * The red-team suite: every case of cases.ts run under the kit's gate. Cases about enforcement, lowering the bar, the
 * kit's context, CLI arguments or how the app ends go through the real `cdk synth`; the templates teams build (classes
 * B-E) run as the app process alone, where the gate's verdict is formed (run.ts: needsCli; compare.ts runs every case
 * through the CLI). A must-fail case must exit non-zero, name each of its rule ids and not crash with a library stack
 * trace; a must-pass case must exit 0.
 */
import { CASES, KLASSES, Klass, RedteamCase } from './cases';
import { parseJunit } from '../support/junit';
import { sarifSchemaErrors } from '../support/sarif-schema';
import { CaseRun, DEFAULT_CONCURRENCY, judgeKitRun, pool, runCase } from './run';

/** Two CLI processes at a time, each up to 120 s; the whole registry takes a few minutes on two cores. */
const SUITE_TIMEOUT_MS = 900_000;

const runs = new Map<string, CaseRun>();

beforeAll(async () => {
  const done = await pool(CASES, DEFAULT_CONCURRENCY, (c) => runCase(c, 'kit', { via: 'fewest-cli' }));
  for (const run of done) runs.set(run.name, run);
}, SUITE_TIMEOUT_MS);

describe('the registry', () => {
  const fail = CASES.filter((c) => c.expect === 'fail');
  const pass = CASES.filter((c) => c.expect === 'pass');

  test('has at least 45 must-fail and 17 must-pass cases with unique kebab-case names', () => {
    expect(fail.length).toBeGreaterThanOrEqual(45);
    expect(pass.length).toBeGreaterThanOrEqual(17);
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('must-fail cases name rule ids and must-pass cases none', () => {
    for (const c of fail) expect([c.name, c.ruleIds.length > 0]).toEqual([c.name, true]);
    for (const c of pass) expect([c.name, c.ruleIds]).toEqual([c.name, []]);
  });

  // Enforcement (A) and the kit's own context (G) have one natural form; every other class is probed in several.
  test.each(Object.keys(KLASSES) as Klass[])('class %s has must-fail cases in enough forms', (klass) => {
    const forms = new Set(fail.filter((c) => c.klass === klass).map((c) => c.form));
    expect(forms.size).toBeGreaterThanOrEqual(klass === 'A' || klass === 'G' ? 1 : 2);
  });
});

function diagnosis(c: RedteamCase, run: CaseRun | undefined): string {
  if (!run) return 'not run';
  const verdict = judgeKitRun(c, run);
  if (verdict.ok) return 'ok';
  return [
    `${c.name} (${c.expect}, ${c.ruleIds.join(', ') || 'no rule ids'}): ${verdict.reason}`,
    '--- stdout ---',
    run.stdout.trim(),
    '--- stderr ---',
    run.stderr.trim(),
  ].join('\n');
}

describe('cdk synth under the kit gate', () => {
  test('every SARIF the runs wrote is valid SARIF 2.1.0 (the official schema)', () => {
    const written = [...runs.values()].filter((r) => r.sarif !== undefined);
    expect(written.length).toBeGreaterThan(CASES.length / 2);
    const invalid = written.map((r) => [r.name, sarifSchemaErrors(r.sarif)] as const).filter(([, e]) => e.length > 0);
    expect(invalid).toEqual([]);
  });

  test('every JUnit XML the runs wrote parses, with counts that match its cases', () => {
    const written = [...runs.values()].filter((r) => r.junit !== undefined);
    expect(written.length).toBeGreaterThan(CASES.length / 2);
    const broken = written.flatMap((r) => {
      try {
        parseJunit(r.junit!);
        return [];
      } catch (err) {
        return [`${r.name}: ${(err as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
  });

  test.each(CASES.filter((c) => c.expect === 'fail').map((c) => [c.name, c] as const))('must fail: %s', (_name, c) => {
    expect(diagnosis(c, runs.get(c.name))).toBe('ok');
  });

  test.each(CASES.filter((c) => c.expect === 'pass').map((c) => [c.name, c] as const))('must pass: %s', (_name, c) => {
    expect(diagnosis(c, runs.get(c.name))).toBe('ok');
  });
});
