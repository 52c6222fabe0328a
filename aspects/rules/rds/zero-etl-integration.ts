import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { describe } from '../../template';

/** The warehouses a zero-ETL integration can copy into. */
const TARGET_TYPES = /^AWS::(Redshift::Cluster|RedshiftServerless::Namespace)$/;

/**
 * SS-RDS-011: a zero-ETL integration copies the database, continuously, into a warehouse of the app, encrypted with a
 * customer-managed key. A target outside the app (another account's warehouse) holds the data where no rule of this
 * gate reaches; without a key of the team's, RDS encrypts the integration with an AWS owned key.
 */
export const zeroEtlIntegration: PolicyRule = {
  id: 'SS-RDS-011',
  title: 'Zero-ETL integrations copy into a warehouse of the app, under a customer-managed key',
  rationale:
    "An integration replicates every row of the database into its target: a warehouse outside the app, perhaps another account's, is outside the gate, and an AWS owned key is one no key policy of the team's governs.",
  fix: "Target a Redshift cluster or Serverless namespace of the app and set KMSKeyId to the database's key; or acknowledge SS-RDS-011 with the review of the target.",
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::Integration'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const key =
      p.KMSKeyId === undefined
        ? fail('KMSKeyId not set: RDS encrypts the integration with an AWS owned key', 'Properties/KMSKeyId')
        : keyOutcome(classifyKey('KMSKeyId', p.KMSKeyId, resolver, 'aws/rds'), 'Properties/KMSKeyId');
    const where = 'Properties/TargetArn';
    const target = resolver.resolve(p.TargetArn);
    if (target.kind === 'resource' && TARGET_TYPES.test(target.type))
      return [pass(`TargetArn=${target.logicalId} (${target.type}), judged on its own`, where), key];
    // An ARN the template builds from one of its own warehouses (Fn::Join, Fn::Sub).
    const text = target.kind === 'expression' ? target.text : '';
    for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) {
      const r = resolver.template.Resources?.[m[1]];
      if (r && TARGET_TYPES.test(r.Type))
        return [pass(`TargetArn names ${m[1]} (${r.Type}), judged on its own`, where), key];
    }
    return [
      cannotVerify(
        `TargetArn=${describe(target.kind === 'literal' ? target.value : p.TargetArn)}: a warehouse outside the app`,
        where,
      ),
      key,
    ];
  },
};
