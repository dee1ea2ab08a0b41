import { HostFactoryError } from '../../../domain/errors.js';

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

/** Capacity errors that belong to one pool (instance type, zone, market); see isPoolCapacityError. */
const POOL_CAPACITY = new Set(['InsufficientInstanceCapacity', 'InsufficientCapacity', 'InsufficientHostCapacity', 'UnfulfillableCapacity', 'Unsupported']);

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

/**
 * An AWS call that failed: the action in IAM spelling (`ec2:RunInstances`) and the raw SDK error.
 * Only the gateway creates these; the provider's edge translates them (translateAwsError).
 */
export class AwsCallError extends Error {
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(`${action}: ${awsReason(cause)}`);
    this.name = 'AwsCallError';
  }
}

/** The raw AWS error under any wrapping (AwsCallError, HostFactoryError causes). */
function rawAwsError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && (current instanceof AwsCallError || current instanceof HostFactoryError); depth += 1) {
    const next = (current as { cause?: unknown }).cause;
    if (next === undefined) break;
    current = next;
  }
  return current;
}

/** The AWS error code (`error.name` in SDK v3; `Code` on older shapes), seen through wrapping. */
export function awsErrorCode(error: unknown): string {
  const raw = rawAwsError(error);
  if (raw && typeof raw === 'object') {
    const record = raw as { name?: unknown; Code?: unknown; code?: unknown };
    for (const value of [record.Code, record.code, record.name]) {
      if (typeof value === 'string' && value !== '' && value !== 'Error') return value;
    }
  }
  return 'Unknown';
}

export function awsErrorMessage(error: unknown): string {
  const raw = rawAwsError(error);
  return raw instanceof Error ? raw.message : String(raw);
}

function isAsgNotFound(code: string, message: string): boolean {
  return code === 'ValidationError' && /(not found|does not exist|no longer exists)/i.test(message);
}

/** Classifies an AWS error by its code (the error's `name`), through any wrapping. */
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
  const raw = rawAwsError(error) as { $metadata?: { httpStatusCode?: number }; name?: string } | undefined;
  const status = raw?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  if (raw?.name === 'TimeoutError' || raw?.name === 'AbortError') return 'transient';
  return 'unknown';
}

export const isNotFound = (error: unknown): boolean => classifyAwsError(error) === 'not-found';
export const isAlreadyExists = (error: unknown): boolean => classifyAwsError(error) === 'already-exists';
/** A capacity or account-quota error: another pool, subnet or a later try may succeed. */
export const isCapacityError = (error: unknown): boolean => ['capacity', 'quota'].includes(classifyAwsError(error));
/**
 * EC2 has no room for this instance type in this zone and market right now (or does not offer it
 * there): the pool is worth avoiding for a while, the template's other pools are not. Quotas and
 * a subnet short of addresses are not about the pool, so they are not this.
 */
export const isPoolCapacityError = (error: unknown): boolean => POOL_CAPACITY.has(awsErrorCode(error));
/** Throttling or an AWS-side failure: the same call may succeed later. */
export const isRetryable = (error: unknown): boolean => ['throttled', 'transient'].includes(classifyAwsError(error));
/**
 * The outcome is unknown: AWS may have carried the call out (answer lost, timed out, AWS-side
 * error). A launch failing so is retried with the same ClientToken, never abandoned.
 */
export const isOutcomeUnknown = (error: unknown): boolean => classifyAwsError(error) === 'transient' || classifyAwsError(error) === 'unknown';
export const isLaunchTemplateNotFound = (error: unknown): boolean => awsErrorCode(error).startsWith('InvalidLaunchTemplate') && !isAlreadyExists(error);
/** An EC2 Fleet or Spot Fleet request AWS no longer knows. */
export const isFleetGone = (error: unknown): boolean =>
  ['InvalidFleetId.NotFound', 'InvalidSpotFleetRequestId.NotFound', 'fleetIdDoesNotExist', 'fleetRequestIdDoesNotExist'].includes(awsErrorCode(error));
/** Auto Scaling refuses while a scaling activity runs on the group; the next poll tries again. */
export const isScalingActivityInProgress = (error: unknown): boolean =>
  awsErrorCode(error) === 'ScalingActivityInProgress' || awsErrorCode(error) === 'ResourceInUse' || /in progress/i.test(awsErrorMessage(error));

/** A DryRun call's answer that the call would have been allowed (EC2 answers it as an error, `DryRunOperation`). */
export const isDryRunPermitted = (error: unknown): boolean => awsErrorCode(error) === 'DryRunOperation';
/** The credentials work but an IAM policy does not allow this call (bad or missing credentials are not this). */
export const isPermissionDenied = (error: unknown): boolean => ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException'].includes(awsErrorCode(error));
/** IAM's answer for a role or instance profile that does not exist (`NoSuchEntity`, HTTP 404). */
export const isNoSuchEntity = (error: unknown): boolean => ['NoSuchEntity', 'NoSuchEntityException'].includes(awsErrorCode(error));

/** A short reason for a request message: `InsufficientInstanceCapacity: We currently do not have…`. */
export function awsReason(error: unknown): string {
  return `${awsErrorCode(error)}: ${awsErrorMessage(error)}`;
}

/**
 * The one translation of AWS errors into the project's HostFactoryError, at the provider's edge.
 * The action (IAM spelling, e.g. `ec2:RunInstances`) comes from the AwsCallError, else `fallbackAction`.
 */
export function translateAwsError(error: unknown, fallbackAction = 'AWS'): HostFactoryError {
  if (error instanceof HostFactoryError) return error;
  const action = error instanceof AwsCallError ? error.action : fallbackAction;
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

/**
 * translateAwsError for a call to a region other than AWS_REGION, naming it. AWS answers a region
 * that is not enabled for the account (an opt-in region) with `AuthFailure`, the same code as
 * credentials it does not know; the credentials working in AWS_REGION, the region is the suspect.
 */
export function translateRegionalError(error: unknown, region: string): HostFactoryError {
  if (awsErrorCode(error) === 'AuthFailure') {
    const action = error instanceof AwsCallError ? error.action : 'AWS';
    const message = `region ${region}: ${action} refused the credentials (${awsReason(error)}): is ${region} enabled for the account? Opt-in regions must be enabled before use`;
    return new HostFactoryError('ACCESS_DENIED', message, { cause: error });
  }
  const failure = translateAwsError(error);
  return new HostFactoryError(failure.code, `region ${region}: ${failure.message}`, { cause: failure.cause ?? error, retryable: failure.retryable });
}
