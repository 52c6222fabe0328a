/**
 * The database of this template that a property names as its source (a replica's or a restore's): by `Ref`, or by the
 * ARN an L2 replica builds (`arn:${Partition}:rds:${Region}:${AccountId}:db:${Source}`).
 */
import type { Resolver } from '../../resolve';

const DATABASE = /^AWS::RDS::DB(Instance|Cluster)$/;

export interface SourceDatabase {
  readonly logicalId: string;
  readonly type: string;
  /** How the source was named: `Database`, or `the ARN of Database`. */
  readonly named: string;
}

/** The source database of this template that `value` names, or undefined (outside the template, or not a database). */
export function sourceDatabaseOf(value: unknown, resolver: Resolver): SourceDatabase | undefined {
  const source = resolver.resolve(value);
  if (source.kind === 'resource' && DATABASE.test(source.type)) {
    return { logicalId: source.logicalId, type: source.type, named: source.logicalId };
  }
  const arn = source.kind === 'expression' ? /:(?:db|cluster):\$\{([A-Za-z0-9]+)\}$/.exec(source.text) : null;
  const named = arn ? resolver.template.Resources?.[arn[1]] : undefined;
  if (named && DATABASE.test(named.Type))
    return { logicalId: arn![1], type: named.Type, named: `the ARN of ${arn![1]}` };
  return undefined;
}
