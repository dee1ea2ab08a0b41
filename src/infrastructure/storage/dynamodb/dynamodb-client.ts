import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveRegion, type DynamoDbStoreLocation } from './dynamodb-table-design.js';

/** The low-level client for `location`: its region (AWS_REGION, else us-east-1) and endpoint. */
export function createDynamoDbClient(location: DynamoDbStoreLocation): DynamoDBClient {
  return new DynamoDBClient({
    region: resolveRegion(location),
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
  });
}

/** The document client the repositories use: plain JS values in and out, undefined dropped. */
export function createDynamoDbDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: false },
  });
}
