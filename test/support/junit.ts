/** JUnit XML checked as CI systems read it: well-formed XML with the testsuites/testsuite/testcase shape. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly text: string };
  readonly skipped?: { readonly message: string };
  readonly systemOut?: string;
}

export interface JunitSuite {
  readonly name: string;
  readonly counts: Record<'tests' | 'failures' | 'errors' | 'skipped', number>;
  readonly cases: readonly JunitCase[];
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Parses a JUnit document; throws when it is not well-formed XML or lacks the shape, or its counts disagree. */
export function parseJunit(xml: string): { readonly counts: JunitSuite['counts']; readonly suites: JunitSuite[] } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text' }).parse(
    xml,
  ) as Record<string, unknown>;
  type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed XML
  const root = doc.testsuites as Raw | undefined;
  if (!root) throw new Error('no <testsuites> root');
  const counts = (n: Raw) => ({
    tests: Number(n.tests),
    failures: Number(n.failures),
    errors: Number(n.errors),
    skipped: Number(n.skipped),
  });
  const suites = asArray(root.testsuite as Raw | Raw[]).map((s) => {
    const cases = asArray(s.testcase as Raw | Raw[]).map((c): JunitCase => {
      const failure = c.failure as Raw | undefined;
      const skipped = c.skipped as Raw | undefined;
      return {
        classname: c.classname,
        name: c.name,
        failure: failure && { message: failure.message, type: failure.type, text: String(failure.text ?? '') },
        skipped: skipped && { message: skipped.message },
        systemOut: c['system-out'] as string | undefined,
      };
    });
    const suite = { name: s.name, counts: counts(s), cases };
    const seen = {
      tests: cases.length,
      failures: cases.filter((c) => c.failure).length,
      errors: 0,
      skipped: cases.filter((c) => c.skipped).length,
    };
    if (JSON.stringify(seen) !== JSON.stringify(suite.counts)) {
      throw new Error(`suite ${s.name}: counts ${JSON.stringify(suite.counts)} but cases ${JSON.stringify(seen)}`);
    }
    return suite;
  });
  return { counts: counts(root), suites };
}
