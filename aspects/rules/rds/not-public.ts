import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf } from '../../template';

/** SS-RDS-004: the database has no public address. */
export const notPubliclyAccessible: PolicyRule = {
  id: 'SS-RDS-004',
  title: 'Database is not publicly accessible',
  rationale:
    'A publicly accessible instance gets a public DNS answer and address; one security-group mistake then exposes it to the internet.',
  fix: 'Set publiclyAccessible: false on the database and place it in private subnets.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance'],
  evaluate(resource, { template }) {
    const p = props(resource);
    const where = 'Properties/PubliclyAccessible';
    if (p.PubliclyAccessible === undefined) {
      // CloudFormation's default depends on the subnets: public ones make the instance public.
      return [cannotVerify('PubliclyAccessible not set: its default depends on the subnet group', where)];
    }
    const v = booleanOf(p.PubliclyAccessible, template);
    if (!v.known) return [cannotVerify(`PubliclyAccessible is ${v.why}`, where)];
    return [v.value ? fail('PubliclyAccessible=true', where) : pass('PubliclyAccessible=false', where)];
  },
};
