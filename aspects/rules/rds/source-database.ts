/**
 * The database of this template that a property names as its source (a replica's or a restore's): by `Ref`, or by the
 * ARN an L2 replica builds (`arn:${Partition}:rds:${Region}:${AccountId}:db:${Source}`).
 */
import type { Resolver } from '../../resolve';
import { stringOf } from '../../template';

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

/**
 * A DB cluster's engine: its `Engine`, else (a restore or a clone, which takes its source's) the `Engine` of the
 * cluster of this template it is restored from. `aurora` tells the two kinds apart when the name stays unknown: only a
 * Multi-AZ DB cluster has a `DBClusterInstanceClass`.
 */
export function clusterEngineOf(
  p: Record<string, unknown>,
  resolver: Resolver,
): { readonly known: false; readonly why: string } | { readonly known: true; name?: string; aurora: boolean } {
  let engine = stringOf(p.Engine, resolver);
  let from = '';
  if (engine.known && engine.value === undefined && p.SourceDBClusterIdentifier !== undefined) {
    const source = sourceDatabaseOf(p.SourceDBClusterIdentifier, resolver);
    const sourceProps = source ? resolver.template.Resources?.[source.logicalId]?.Properties : undefined;
    if (sourceProps?.Engine !== undefined) {
      engine = stringOf(sourceProps.Engine, resolver);
      from = ` (of ${source!.logicalId})`;
    }
  }
  if (!engine.known) return { known: false, why: `${engine.why}${from}` };
  if (engine.value !== undefined)
    return { known: true, name: `${engine.value}${from}`, aurora: /^aurora/i.test(engine.value) };
  return { known: true, aurora: p.DBClusterInstanceClass === undefined };
}
