/**
 * Managed database services other than RDS that CloudFormation creates: each runs a database engine that clients
 * reach at an endpoint and that holds data, as an RDS database does, but none has the settings the kit's RDS rules
 * judge. Caches (ElastiCache) and the table services reached only through the AWS API with IAM (DynamoDB, Keyspaces,
 * Timestream for LiveAnalytics, QLDB) are not among them; cdk-nag's packs judge DynamoDB and ElastiCache.
 */
export const OTHER_DATABASE_TYPES: readonly string[] = [
  'AWS::Lightsail::Database',
  'AWS::DSQL::Cluster',
  'AWS::DocDB::DBCluster',
  'AWS::DocDBElastic::Cluster',
  'AWS::Neptune::DBCluster',
  'AWS::NeptuneGraph::Graph',
  'AWS::Redshift::Cluster',
  'AWS::RedshiftServerless::Namespace',
  'AWS::MemoryDB::Cluster',
  'AWS::Timestream::InfluxDBInstance',
  'AWS::Timestream::InfluxDBCluster',
];

/**
 * The property that gives each of those services (or, for Redshift Serverless, its workgroup) a public endpoint, and
 * what CloudFormation does when it is not set: `false` where the resource's CloudFormation reference documents that
 * default; `undefined` where it documents none (Lightsail), so that an unset value cannot be verified.
 */
export const PUBLIC_ENDPOINT: Readonly<Record<string, { readonly property: string; readonly default?: false }>> = {
  'AWS::Lightsail::Database': { property: 'PubliclyAccessible' },
  'AWS::NeptuneGraph::Graph': { property: 'PublicConnectivity', default: false },
  'AWS::Redshift::Cluster': { property: 'PubliclyAccessible', default: false },
  'AWS::RedshiftServerless::Workgroup': { property: 'PubliclyAccessible', default: false },
  'AWS::Timestream::InfluxDBInstance': { property: 'PubliclyAccessible', default: false },
  'AWS::Timestream::InfluxDBCluster': { property: 'PubliclyAccessible', default: false },
};
