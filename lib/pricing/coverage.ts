/**
 * Nothing silently absent: every CloudFormation resource type a template can hold is, for the cost model, priced (by
 * estimate.ts), not billed (with the reason), or not priced yet (with the reason, listed among the unpriced lines). A
 * type missing here is reported as unpriced too, naming this file, and the tests fail on it for the kit's templates.
 */
import type { CfnTemplate } from '../../aspects/template';
import type { FreeNote, LineCategory, UnaskableLine } from './estimate';

export type Coverage =
  | { readonly kind: 'priced' }
  | { readonly kind: 'not-billed'; readonly reason: string }
  | { readonly kind: 'unpriced'; readonly category: LineCategory; readonly what: string; readonly reason: string };

const priced: Coverage = { kind: 'priced' };
const free = (reason: string): Coverage => ({ kind: 'not-billed', reason });

const NETWORKING = free('VPCs, subnets, route tables and security groups have no charge');

export const RESOURCE_COVERAGE: Readonly<Record<string, Coverage>> = {
  'AWS::RDS::DBInstance': priced,
  'AWS::RDS::DBProxy': priced,
  'AWS::SecretsManager::Secret': priced,
  'AWS::KMS::Key': priced,
  // Interface endpoints are priced; gateway endpoints (S3, DynamoDB) have no charge.
  'AWS::EC2::VPCEndpoint': priced,
  'AWS::KMS::Alias': free('KMS aliases have no charge'),
  'AWS::EC2::VPC': NETWORKING,
  'AWS::EC2::Subnet': NETWORKING,
  'AWS::EC2::RouteTable': NETWORKING,
  'AWS::EC2::SubnetRouteTableAssociation': NETWORKING,
  'AWS::EC2::SecurityGroup': NETWORKING,
  'AWS::EC2::SecurityGroupIngress': NETWORKING,
  'AWS::EC2::SecurityGroupEgress': NETWORKING,
  'AWS::IAM::Role': free('IAM has no charge'),
  'AWS::IAM::Policy': free('IAM has no charge'),
  'AWS::RDS::DBParameterGroup': free('parameter groups have no charge'),
  'AWS::RDS::DBSubnetGroup': free('subnet groups have no charge'),
  'AWS::RDS::DBProxyTargetGroup': free('billed through the proxy, per vCPU of its target'),
  'AWS::SecretsManager::SecretTargetAttachment': free('attaching a secret to a database has no charge'),
  'AWS::SecretsManager::ResourcePolicy': free('resource policies have no charge'),
  'AWS::CDK::Metadata': free("the CDK's version record; no AWS resource is created"),
  // Vended ingestion on the flow log, ingestion and storage on each log group (estimate.ts).
  'AWS::EC2::FlowLog': priced,
  'AWS::Logs::LogGroup': priced,
  'AWS::SecretsManager::RotationSchedule': {
    kind: 'unpriced',
    category: 'lambda',
    what: 'the rotation Lambda function the hosted rotation creates at deploy',
    reason: 'billed per request and GB-second of its runs; not priced yet (a rotation every 30 days is a few runs)',
  },
};

/** The logical ids of `template` by resource type, types and ids sorted. */
function byType(template: CfnTemplate): [string, string[]][] {
  const types = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const type = String((resource as { Type?: unknown }).Type);
    types.set(type, [...(types.get(type) ?? []), id]);
  }
  return [...types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, ids]) => [t, ids.sort()]);
}

/** What the template holds beyond the priced lines: the not-billed resources and the unpriced ones, each with why. */
export function coverageOf(template: CfnTemplate): { readonly free: FreeNote[]; readonly unaskable: UnaskableLine[] } {
  const notes: FreeNote[] = [];
  const unaskable: UnaskableLine[] = [];
  for (const [type, ids] of byType(template)) {
    const coverage = RESOURCE_COVERAGE[type];
    const count = `${ids.length} ${type}`;
    if (!coverage) {
      unaskable.push({
        category: 'other',
        resource: count,
        description: ids.join(', '),
        reason: `resource type ${type} is not in the cost model (lib/pricing/coverage.ts): it may be billed`,
      });
    } else if (coverage.kind === 'not-billed') {
      notes.push({ resource: count, description: coverage.reason });
    } else if (coverage.kind === 'unpriced') {
      for (const id of ids) {
        unaskable.push({
          category: coverage.category,
          resource: `${type} ${id}`,
          description: coverage.what,
          reason: coverage.reason,
        });
      }
    }
  }
  return { free: notes, unaskable };
}
