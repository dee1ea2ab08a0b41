import { HostFactoryError } from '../../domain/errors.js';

/** What an AWS error means to this provider. */
export type AwsErrorKind =
  | 'throttled'
  | 'capacity'
  | 'quota'
  | 'auth'
  | 'not-found'
  | 'already-exists'
  | 'invalid'
  | 'transient'
  | 'unknown';

const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
]);

const CAPACITY = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacityOnHost',
  'InsufficientAddressCapacity',
  'InsufficientFreeAddressesInSubnet',
  'SpotMaxPriceTooLow',
  'Unsupported',
  'UnfulfillableCapacity',
]);

const QUOTA = new Set([
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'MaxSpotInstanceCountExceeded',
  'MaxSpotFleetRequestCountExceeded',
  'MaxFleetCountExceeded',
  'MaxTemplateLimitExceeded',
  'LaunchTemplateLimitExceeded',
  'ResourceLimitExceeded',
  'LimitExceeded',
  'TagLimitExceeded',
  'VolumeLimitExceeded',
]);

const AUTH = new Set([
  'UnauthorizedOperation',
  'AuthFailure',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'OptInRequired',
  'Blocked',
  'CredentialsProviderError',
]);

/** Resources of ours that may vanish: gone is not an error for them. */
const NOT_FOUND = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidFleetId.NotFound',
  'InvalidSpotFleetRequestId.NotFound',
  'InvalidSpotInstanceRequestID.NotFound',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.VersionNotFound',
]);

const ALREADY_EXISTS = new Set(['AlreadyExists', 'AlreadyExistsFault', 'InvalidLaunchTemplateName.AlreadyExistsException']);

const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'ServiceUnavailableException', 'TimeoutError', 'RequestTimeout', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']);

/** The AWS error code (`error.name` in SDK v3; `Code` on older shapes). */
export function awsErrorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const record = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const value of [record.Code, record.code, record.name]) {
      if (typeof value === 'string' && value !== '' && value !== 'Error') return value;
    }
  }
  return 'Unknown';
}

export function awsErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAsgNotFound(code: string, message: string): boolean {
  return code === 'ValidationError' && /(not found|does not exist|no longer exists)/i.test(message);
}

/** Classifies an AWS error by its code (the error's `name`). */
export function classifyAwsError(error: unknown): AwsErrorKind {
  const code = awsErrorCode(error);
  const message = awsErrorMessage(error);
  if (THROTTLED.has(code)) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (QUOTA.has(code)) return 'quota';
  if (AUTH.has(code)) return 'auth';
  if (NOT_FOUND.has(code) || isAsgNotFound(code, message)) return 'not-found';
  if (ALREADY_EXISTS.has(code) || (code === 'ValidationError' && /already exists/i.test(message))) return 'already-exists';
  if (code.startsWith('Invalid') || code.startsWith('Missing') || code === 'ValidationError' || code === 'ParameterNotFound' || code === 'IdempotentParameterMismatch' || code === 'DryRunOperation') {
    return 'invalid';
  }
  if (TRANSIENT.has(code)) return 'transient';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  return 'unknown';
}

export function isNotFound(error: unknown): boolean {
  return classifyAwsError(error) === 'not-found';
}

export function isAlreadyExists(error: unknown): boolean {
  return classifyAwsError(error) === 'already-exists';
}

/** A short reason for a request message: `InsufficientInstanceCapacity: We currently do not have…`. */
export function awsReason(error: unknown): string {
  return `${awsErrorCode(error)}: ${awsErrorMessage(error)}`;
}

/**
 * Translates an AWS error raised by `action` (IAM spelling, e.g. `ec2:RunInstances`) into the
 * project's HostFactoryError.
 */
export function translateAwsError(error: unknown, action: string): HostFactoryError {
  if (error instanceof HostFactoryError) return error;
  const reason = awsReason(error);
  switch (classifyAwsError(error)) {
    case 'throttled':
      return new HostFactoryError('THROTTLED', `${action} throttled by AWS after retries (${reason})`, { cause: error, retryable: true });
    case 'capacity':
      return new HostFactoryError('INSUFFICIENT_CAPACITY', `${action}: not enough EC2 capacity (${reason})`, { cause: error });
    case 'quota':
      return new HostFactoryError('INSUFFICIENT_CAPACITY', `${action}: account quota reached (${reason})`, { cause: error });
    case 'auth':
      return new HostFactoryError(
        'ACCESS_DENIED',
        `not authorized to call ${action}: allow "${action}" in the IAM policy of the credentials in use (see docs/aws.md) (${reason})`,
        { cause: error },
      );
    case 'invalid':
    case 'already-exists':
      return new HostFactoryError('INVALID_INPUT', `${action} rejected the template (${reason})`, { cause: error });
    case 'not-found':
      return new HostFactoryError('CLOUD_ERROR', `${action}: resource not found (${reason})`, { cause: error });
    case 'transient':
      return new HostFactoryError('CLOUD_ERROR', `${action} failed on the AWS side (${reason})`, { cause: error, retryable: true });
    default:
      return new HostFactoryError('CLOUD_ERROR', `${action} failed (${reason})`, { cause: error });
  }
}

/** Runs one AWS call, translating what it throws. */
export async function callAws<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(error, action);
  }
}
