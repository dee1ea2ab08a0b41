import type { Offering } from './offering.js';

export type HostFactoryErrorCode =
  | 'INVALID_INPUT'
  | 'TEMPLATE_NOT_FOUND'
  | 'REQUEST_NOT_FOUND'
  | 'INSUFFICIENT_CAPACITY'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'CLOUD_ERROR'
  | 'STORAGE_CONFLICT'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

export interface HostFactoryErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

/** The one error type of the project: a code HostFactory and people can act on, and the cause. */
export class HostFactoryError extends Error {
  readonly code: HostFactoryErrorCode;
  readonly retryable: boolean;

  constructor(code: HostFactoryErrorCode, message: string, options: HostFactoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HostFactoryError';
    this.code = code;
    this.retryable = options.retryable ?? (code === 'THROTTLED' || code === 'STORAGE_CONFLICT');
  }
}

/**
 * A launch that started nothing, with the pools the cloud answered "insufficient capacity" for on
 * the way (see CloudProvider.launch): the code, message and cause are the failure's own.
 */
export class LaunchFailedError extends HostFactoryError {
  constructor(
    failure: HostFactoryError,
    readonly unavailableOfferings: readonly Offering[],
  ) {
    super(failure.code, failure.message, { retryable: failure.retryable, cause: failure.cause });
  }
}

/** The offerings a failed launch reported (none for any other error). */
export function unavailableOfferingsOf(error: unknown): readonly Offering[] {
  return error instanceof LaunchFailedError ? error.unavailableOfferings : [];
}

export function isHostFactoryError(error: unknown): error is HostFactoryError {
  return error instanceof HostFactoryError;
}

/** Wraps anything thrown into a HostFactoryError, keeping the original as the cause. */
export function toHostFactoryError(error: unknown): HostFactoryError {
  if (isHostFactoryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HostFactoryError('INTERNAL', message || 'internal error', { cause: error });
}
