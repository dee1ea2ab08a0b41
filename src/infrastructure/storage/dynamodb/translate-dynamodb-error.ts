import { HostFactoryError, isHostFactoryError } from '../../../domain/errors.js';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const ACCESS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
]);

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Turns an AWS SDK error from DynamoDB into a HostFactoryError, classified by the error's name. */
export function translateDynamoDbError(error: unknown, operation: string, table: string): HostFactoryError {
  if (isHostFactoryError(error)) return error;
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const what = `DynamoDB ${operation} on table ${table} failed (${name}: ${detail})`;
  if (name === 'ResourceNotFoundException') {
    return new HostFactoryError('CONFIG_INVALID', `${what}; create the tables with \`hostfactory store init\``, { cause: error });
  }
  if (THROTTLING.has(name)) return new HostFactoryError('THROTTLED', what, { cause: error });
  if (ACCESS.has(name)) return new HostFactoryError('ACCESS_DENIED', what, { cause: error });
  if (name === 'TransactionConflictException') return new HostFactoryError('STORAGE_CONFLICT', what, { cause: error });
  return new HostFactoryError('INTERNAL', what, { cause: error, retryable: name === 'InternalServerError' || name === 'ServiceUnavailable' });
}
