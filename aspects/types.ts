/**
 * The vocabulary of the policy engine, shared by the synth gate, the SARIF/JSON writers and the report.
 */

/** How a finding is judged: an error fails synth, a warning is printed and does not. */
export type Severity = 'error' | 'warning';

/** The outcome of one check of one resource. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'acknowledged' | 'cannot-verify';

/** What an acknowledgement looked like when the check ran. */
export interface AcknowledgementRecord {
  readonly ruleId: string;
  /** Construct path the acknowledgement is attached to. */
  readonly scope: string;
  readonly reason: string;
  readonly owner: string;
  /** ISO date (YYYY-MM-DD) after which it no longer counts. */
  readonly expires: string;
  /** live: it suppresses findings; expired: past its date; stale: matches no finding; forbidden: not allowed for this rule here; malformed: missing reason, owner or date. */
  readonly state: 'live' | 'expired' | 'stale' | 'forbidden' | 'malformed';
}

/** One check of one resource by one rule: ours (`SS-...`) or a cdk-nag rule (`AwsSolutions-RDS10`, ...). */
export interface CheckResult {
  readonly ruleId: string;
  readonly title: string;
  /** `spendsense` for the kit's own rules, otherwise the cdk-nag pack name. */
  readonly source: 'spendsense' | 'AwsSolutions' | 'HIPAA' | 'NIST80053R5' | 'PCIDSS321';
  readonly environment: string;
  readonly stack: string;
  readonly constructPath: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: CheckStatus;
  /** The severity this rule has in this environment. */
  readonly severity: Severity;
  /** The value found, e.g. `DeletionProtection=false`. */
  readonly evidence: string;
  /** What to change. */
  readonly fix: string;
  /** Where inside the resource the rule looked, when it names it: `Properties/DeletionProtection`. */
  readonly location?: string;
  /**
   * The stricter environment whose policy judged this result, when it is not the stack's own (an ingress rule that
   * opens another stack's security group). Its severity and whether it may be acknowledged are that environment's.
   */
  readonly judgedIn?: string;
  readonly acknowledgement?: AcknowledgementRecord;
}
