import { LocalServer, startLocalServer } from './http';

/**
 * An EC2 endpoint holding security group rules in memory, answering in the EC2 query protocol (form-encoded request,
 * XML answer) the calls dev-access makes: DescribeSecurityGroupRules, AuthorizeSecurityGroupIngress,
 * UpdateSecurityGroupRuleDescriptionsIngress and RevokeSecurityGroupIngress. For real SDK clients pointed at it with
 * `AWS_ENDPOINT_URL_EC2`.
 */

export interface FakeRule {
  readonly ruleId: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr: string;
  description?: string;
}

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeEc2 {
  readonly actions: string[] = [];
  rules: FakeRule[] = [];
  private readonly groups = new Set<string>();
  private readonly denied = new Set<string>();
  private nextId = 1;
  private server?: LocalServer;

  async start(): Promise<string> {
    this.server = await startLocalServer((_req, body, res) => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      this.actions.push(action);
      try {
        const inner = this.dispatch(action, params);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>${inner}</${action}Response>`,
        );
      } catch (err) {
        const e = err instanceof Ec2Error ? err : new Ec2Error('InternalError', String(err));
        res.writeHead(e.code === 'InternalError' ? 500 : 400, { 'content-type': 'text/xml' });
        res.end(
          `<Response><Errors><Error><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`,
        );
      }
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  addGroup(groupId: string): void {
    this.groups.add(groupId);
  }

  /** Adds a rule directly, as someone else would; returns its id. */
  addRule(rule: Omit<FakeRule, 'ruleId' | 'isEgress' | 'protocol'> & { isEgress?: boolean }): string {
    const ruleId = `sgr-${String(this.nextId++).padStart(17, '0')}`;
    this.rules.push({ protocol: 'tcp', isEgress: false, ...rule, ruleId });
    return ruleId;
  }

  /** Makes `action` fail with UnauthorizedOperation. */
  deny(action: string): void {
    this.denied.add(action);
  }

  count(action: string): number {
    return this.actions.filter((a) => a === action).length;
  }

  private group(params: URLSearchParams): string {
    const groupId = params.get('GroupId') ?? '';
    if (!this.groups.has(groupId)) {
      throw new Ec2Error('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    }
    return groupId;
  }

  private dispatch(action: string, params: URLSearchParams): string {
    if (this.denied.has(action)) {
      throw new Ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
    }
    switch (action) {
      case 'DescribeSecurityGroupRules': {
        const groupIds = params.get('Filter.1.Name') === 'group-id' ? params.getAll('Filter.1.Value.1') : [];
        const rules = this.rules.filter((r) => groupIds.length === 0 || groupIds.includes(r.groupId));
        return `<securityGroupRuleSet>${rules.map(ruleXml).join('')}</securityGroupRuleSet>`;
      }
      case 'AuthorizeSecurityGroupIngress': {
        const groupId = this.group(params);
        const p = 'IpPermissions.1.';
        const rule = {
          groupId,
          fromPort: Number(params.get(`${p}FromPort`)),
          toPort: Number(params.get(`${p}ToPort`)),
          cidr: params.get(`${p}IpRanges.1.CidrIp`) ?? '',
          description: params.get(`${p}IpRanges.1.Description`) ?? undefined,
        };
        const duplicate = this.rules.find(
          (r) => !r.isEgress && r.groupId === groupId && r.cidr === rule.cidr && r.fromPort === rule.fromPort,
        );
        if (duplicate) {
          throw new Ec2Error(
            'InvalidPermission.Duplicate',
            `the specified rule "peer: ${rule.cidr}, TCP, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`,
          );
        }
        const ruleId = this.addRule(rule);
        return `<return>true</return><securityGroupRuleSet>${ruleXml(this.rules.find((r) => r.ruleId === ruleId)!)}</securityGroupRuleSet>`;
      }
      case 'UpdateSecurityGroupRuleDescriptionsIngress': {
        this.group(params);
        const id = params.get('SecurityGroupRuleDescription.1.SecurityGroupRuleId');
        const rule = this.rules.find((r) => r.ruleId === id);
        if (!rule) throw new Ec2Error('InvalidSecurityGroupRuleId.NotFound', `The rule ID '${id}' does not exist`);
        rule.description = params.get('SecurityGroupRuleDescription.1.Description') ?? undefined;
        return '<return>true</return>';
      }
      case 'RevokeSecurityGroupIngress': {
        const groupId = this.group(params);
        const ids = [...params.entries()].filter(([k]) => k.startsWith('SecurityGroupRuleId.')).map(([, v]) => v);
        const missing = ids.filter((id) => !this.rules.some((r) => r.ruleId === id && r.groupId === groupId));
        if (missing.length > 0) {
          throw new Ec2Error('InvalidSecurityGroupRuleId.NotFound', `The rule ID '${missing[0]}' does not exist`);
        }
        this.rules = this.rules.filter((r) => !ids.includes(r.ruleId));
        return '<return>true</return>';
      }
      default:
        throw new Ec2Error('InvalidAction', `The fake does not implement ${action}`);
    }
  }
}

function ruleXml(r: FakeRule): string {
  return (
    `<item><securityGroupRuleId>${r.ruleId}</securityGroupRuleId><groupId>${r.groupId}</groupId>` +
    `<groupOwnerId>123456789012</groupOwnerId><isEgress>${r.isEgress}</isEgress><ipProtocol>${r.protocol}</ipProtocol>` +
    `<fromPort>${r.fromPort}</fromPort><toPort>${r.toPort}</toPort><cidrIpv4>${r.cidr}</cidrIpv4>` +
    (r.description === undefined ? '' : `<description>${escapeXml(r.description)}</description>`) +
    '</item>'
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
