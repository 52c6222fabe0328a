/**
 * What cdk-nag documents about each of its rules, read from the RULES.md the installed cdk-nag ships: cause,
 * explanation, the AWS Config rule page it links, and the compliance controls it lists (NIST, PCI, HIPAA).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface NagRuleDoc {
  readonly cause: string;
  readonly explanation: string;
  /** The page the rule's id links to in RULES.md (an AWS Config rule), when it links one. */
  readonly uri?: string;
  /** "Relevant Control ID(s)" of the compliance packs: `CP-10`, `SC-5(2)`, `164.312(a)(1)`. */
  readonly controls: readonly string[];
}

/** The rules table of cdk-nag's RULES.md. */
export const NAG_RULES_URI = 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md';

let catalog: ReadonlyMap<string, NagRuleDoc> | undefined;

/** `| [ID](uri) | cause | explanation | controls |` or `| ID | cause | explanation |`. */
const ROW =
  /^\|\s*(?:\[([A-Za-z0-9.-]+)\]\((https?:[^)\s]+)\)|([A-Za-z0-9.-]+))\s*\|([^|]*)\|([^|]*)\|(?:([^|]*)\|)?\s*$/;

/** Parses RULES.md text into rule id → documentation. */
export function parseNagRules(markdown: string): Map<string, NagRuleDoc> {
  const rules = new Map<string, NagRuleDoc>();
  for (const line of markdown.split('\n')) {
    const m = ROW.exec(line);
    if (!m) continue;
    const id = m[1] ?? m[3];
    if (!/-/.test(id) || rules.has(id)) continue;
    const controls = (m[6] ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '' && !/^-+$/.test(c));
    rules.set(id, { cause: m[4].trim(), explanation: m[5].trim(), uri: m[2], controls });
  }
  return rules;
}

/** The installed cdk-nag's catalogue; empty when its RULES.md cannot be read (the findings' own text is used then). */
export function nagCatalog(): ReadonlyMap<string, NagRuleDoc> {
  if (!catalog) {
    try {
      const root = dirname(require.resolve('cdk-nag/package.json'));
      catalog = parseNagRules(readFileSync(join(root, 'RULES.md'), 'utf8'));
    } catch {
      catalog = new Map();
    }
  }
  return catalog;
}
