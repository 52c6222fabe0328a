import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, fail, props } from '../../rule';

/** SS-LOG-001: log groups, which receive database and connection logs, are encrypted with a customer-managed key. */
export const logGroupEncryption: PolicyRule = {
  id: 'SS-LOG-001',
  title: 'Log groups are encrypted with a customer-managed KMS key',
  rationale:
    "PostgreSQL logs, connection logs and flow logs can carry statement text and client addresses; without a KMS key they are encrypted only with CloudWatch Logs' own key, which no key policy or CloudTrail record governs.",
  fix: 'Pass encryptionKey: <your kms.Key> to the logs.LogGroup (the key policy must allow the logs service principal).',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::Logs::LogGroup'],
  evaluate(resource, { resolver }) {
    const value = props(resource).KmsKeyId;
    const where = 'Properties/KmsKeyId';
    if (value === undefined) return [fail("KmsKeyId not set (CloudWatch Logs' own encryption)", where)];
    const key = classifyKey('KmsKeyId', value, resolver, 'logs');
    return [keyOutcome(key, where)];
  },
};
