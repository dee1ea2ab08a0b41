import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Where the DynamoDB store lives. */
export interface DynamoDbStoreLocation {
  /**
   * Table names are `<prefix>-requests`, `<prefix>-machines`, `<prefix>-leases` and
   * `<prefix>-unavailable-offerings` (no dash added after `-`, `_`, `.`).
   */
  tablePrefix: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local, a VPC endpoint). */
  endpoint?: string;
}

export interface DynamoDbTableNames {
  requests: string;
  machines: string;
  leases: string;
  unavailableOfferings: string;
}

/**
 * Indexes. Every hot path is a GetItem, BatchGetItem or a Query on one of these; nothing Scans.
 * - requests `outstanding-index`: sparse, `outstanding` is set only while status is running.
 * - requests `kind-createdAt-index`: the CLI's newest-first listing and pruning by age.
 * - machines `requestId-index`, `returnRequestId-index` (sparse), `name-index` (sparse
 *   `nameKey`, because index keys cannot be empty strings), `live-index` (sparse `live`, set
 *   while the machine is not terminated).
 */
export const REQUEST_INDEX = { outstanding: 'outstanding-index', kindCreatedAt: 'kind-createdAt-index' } as const;
export const MACHINE_INDEX = {
  requestId: 'requestId-index',
  returnRequestId: 'returnRequestId-index',
  name: 'name-index',
  live: 'live-index',
} as const;

/** Values of the sparse marker attributes (any constant works; one partition per index). */
export const OUTSTANDING_MARK = 'running';
export const LIVE_MARK = 'live';

export function tableNames(tablePrefix: string): DynamoDbTableNames {
  const prefix = /[-_.]$/.test(tablePrefix) || tablePrefix === '' ? tablePrefix : `${tablePrefix}-`;
  return {
    requests: `${prefix}requests`,
    machines: `${prefix}machines`,
    leases: `${prefix}leases`,
    unavailableOfferings: `${prefix}unavailable-offerings`,
  };
}

export function resolveRegion(location: DynamoDbStoreLocation): string {
  return location.region || process.env.AWS_REGION || 'us-east-1';
}

function index(name: string, hashKey: string, rangeKey?: string) {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: hashKey, KeyType: 'HASH' as const },
      ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: 'RANGE' as const }] : []),
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

export function requestsTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'requestId', AttributeType: 'S' },
      { AttributeName: 'outstanding', AttributeType: 'S' },
      { AttributeName: 'kind', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'N' },
    ],
    GlobalSecondaryIndexes: [
      index(REQUEST_INDEX.outstanding, 'outstanding', 'createdAt'),
      index(REQUEST_INDEX.kindCreatedAt, 'kind', 'createdAt'),
    ],
  };
}

export function machinesTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'machineId', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'machineId', AttributeType: 'S' },
      { AttributeName: 'requestId', AttributeType: 'S' },
      { AttributeName: 'returnRequestId', AttributeType: 'S' },
      { AttributeName: 'nameKey', AttributeType: 'S' },
      { AttributeName: 'live', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      index(MACHINE_INDEX.requestId, 'requestId', 'machineId'),
      index(MACHINE_INDEX.returnRequestId, 'returnRequestId', 'machineId'),
      index(MACHINE_INDEX.name, 'nameKey', 'machineId'),
      index(MACHINE_INDEX.live, 'live', 'machineId'),
    ],
  };
}

/** One item per cloud resource leased right now (see DynamoDbResourceLease); no index. */
export function leasesTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'resource', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'resource', AttributeType: 'S' }],
  };
}

/** The one partition of the unavailable-offerings table: reading every pool is one Query, never a Scan. */
export const OFFERINGS_SCOPE = 'pools';

/**
 * One item per pool remembered out of capacity (see DynamoDbCapacityMemory): partition `scope`
 * (always OFFERINGS_SCOPE), sort key `offering` (`type|zone|market`); no index.
 */
export function unavailableOfferingsTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'scope', KeyType: 'HASH' },
      { AttributeName: 'offering', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'scope', AttributeType: 'S' },
      { AttributeName: 'offering', AttributeType: 'S' },
    ],
  };
}
