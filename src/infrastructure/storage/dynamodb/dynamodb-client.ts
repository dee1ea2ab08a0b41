import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadCommonJs } from '../../../shared/load-commonjs.js';
import { resolveRegion, type DynamoDbStoreLocation } from './dynamodb-table-design.js';

/** The low-level client for `location`: its region (AWS_REGION, else us-east-1) and endpoint. */
export function createDynamoDbClient(location: DynamoDbStoreLocation): DynamoDBClient {
  const { DynamoDBClient } = loadCommonJs<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb');
  return new DynamoDBClient({
    region: resolveRegion(location),
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
  });
}

/** The document client the repositories use: plain JS values in and out, undefined dropped. */
export function createDynamoDbDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  const { DynamoDBDocumentClient } = loadCommonJs<typeof import('@aws-sdk/lib-dynamodb')>('@aws-sdk/lib-dynamodb');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: false },
  });
}
