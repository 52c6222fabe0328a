import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';

/**
 * SS-RDS-012: the Aurora Data API (`EnableHttpEndpoint`) is an HTTPS endpoint of the RDS service, not of the VPC. Any
 * principal allowed `rds-data:ExecuteStatement` and to read the database's secret runs SQL through it from wherever
 * it calls AWS, and the database's subnets, security groups and `rds.force_ssl` are not in the way (Aurora User
 * Guide, "Using the Amazon RDS Data API"). The RDS query editor of the console uses it too. Off unless set.
 */
export const dataApiReviewed: PolicyRule = {
  id: 'SS-RDS-012',
  title: 'The Aurora Data API is off unless reviewed',
  rationale:
    "The Data API runs SQL over the RDS service's HTTPS endpoint for any principal allowed rds-data:ExecuteStatement and the database's secret, outside the VPC, its security groups and the database's TLS settings; who may call it is decided by IAM policies the gate does not see.",
  fix: 'Leave enableDataApi off (CfnDBCluster enableHttpEndpoint); a service that needs it acknowledges SS-RDS-012 on the cluster, with the IAM policies that limit rds-data and the secret to it as the reason.',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBCluster'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const where = 'Properties/EnableHttpEndpoint';
    const v = booleanOf(p.EnableHttpEndpoint, resolver, false);
    if (!v.known) return [cannotVerify(`EnableHttpEndpoint is ${v.why}`, where)];
    return [
      v.value
        ? fail(`EnableHttpEndpoint=true${viaOf(v)}: SQL over the RDS API, outside the VPC`, where)
        : pass(
            `EnableHttpEndpoint=${p.EnableHttpEndpoint === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`,
            where,
          ),
    ];
  },
};
