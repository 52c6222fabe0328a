import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';

/** SS-RDS-008: an RDS Proxy accepts only TLS connections from its clients. */
export const proxyTls: PolicyRule = {
  id: 'SS-RDS-008',
  title: 'RDS Proxy requires TLS',
  rationale:
    "A proxy with RequireTLS off accepts clear-text client connections, so credentials and data cross the network unencrypted even when the database itself forces TLS; CloudFormation's default is off.",
  fix: 'Set requireTLS: true on the DatabaseProxy (CfnDBProxy requireTls: true).',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBProxy'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const where = 'Properties/RequireTLS';
    const v = booleanOf(p.RequireTLS, resolver, false);
    if (!v.known) return [cannotVerify(`RequireTLS is ${v.why}`, where)];
    return [
      v.value
        ? pass(`RequireTLS=true${viaOf(v)}`, where)
        : fail(`RequireTLS=${p.RequireTLS === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`, where),
    ];
  },
};
