/**
 * Which context keys the kit's app accepts. The CDK CLI hands the app every key of `-c`, `cdk.json`'s `context`,
 * `cdk.context.json` and `~/.cdk.json`'s `context` merged into one bag, so a typo (`-c enviroment=prod`) would otherwise
 * synthesize every environment with the defaults and exit 0.
 */
import { ContextProvider } from 'aws-cdk-lib/cloud-assembly-schema';
import { distance } from 'fastest-levenshtein';

/**
 * Keys of the CDK itself: aws-cdk-lib's and the CLI's own (`aws:cdk:*`, feature flags `@aws-cdk/<module>:<flag>`,
 * `@aws-cdk-containers/...`), the CLI's documented settings kept in context, and cached lookups
 * (`<provider>:account=...:region=...`, one prefix per context provider of the cloud assembly schema).
 */
const CDK_PREFIXES = ['aws:', 'aws-cdk:', '@aws-cdk/', '@aws-cdk-containers/'];
const CDK_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);
const LOOKUP_PREFIXES = Object.values(ContextProvider).map((p) => `${p}:`);

export function isCdkContextKey(key: string): boolean {
  return CDK_KEYS.has(key) || [...CDK_PREFIXES, ...LOOKUP_PREFIXES].some((p) => key.startsWith(p));
}

/** The known key nearest to `key`, when near enough to be a slip of the keyboard. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(k.toLowerCase(), key.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

/** One problem line per key that is neither the kit's nor the CDK's. */
export function unknownContextKeys(context: Readonly<Record<string, unknown>>, known: readonly string[]): string[] {
  return Object.keys(context)
    .filter((key) => !known.includes(key) && !isCdkContextKey(key))
    .sort()
    .map((key) => {
      const near = nearestKey(key, known);
      return near
        ? `${key}: unknown context key, did you mean ${near}? (-c ${near}=...)`
        : `${key}: unknown context key; the kit reads ${known.join(', ')}`;
    });
}
