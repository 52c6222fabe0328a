import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';

/**
 * SS-RDS-015: an RDS Proxy does not write the SQL it forwards to its logs. The RDS API reference (DBProxy,
 * `DebugLogging`) says the debug information "includes the text of SQL statements that you submit through the proxy",
 * to be turned on only when needed and with the logs safeguarded; the proxy writes them to a log group RDS creates,
 * under no key of the team's.
 */
export const proxyDebugLogging: PolicyRule = {
  id: 'SS-RDS-015',
  title: 'RDS Proxy debug logging is off',
  rationale:
    "Debug logging writes the text of every SQL statement sent through the proxy, with the values in it, to CloudWatch Logs, outside the database's access controls and key.",
  fix: 'Set debugLogging: false on the DatabaseProxy (CfnDBProxy debugLogging: false), or acknowledge SS-RDS-015 for a bounded debugging window with a reason, an owner and an expiry.',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBProxy'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const where = 'Properties/DebugLogging';
    const v = booleanOf(p.DebugLogging, resolver, false);
    if (!v.known) return [cannotVerify(`DebugLogging is ${v.why}`, where)];
    return [
      v.value
        ? fail(`DebugLogging=true${viaOf(v)}: the SQL sent through the proxy is written to its logs`, where)
        : pass(`DebugLogging=${p.DebugLogging === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`, where),
    ];
  },
};
