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

export function isHostFactoryError(error: unknown): error is HostFactoryError {
  return error instanceof HostFactoryError;
}

/** Wraps anything thrown into a HostFactoryError, keeping the original as the cause. */
export function toHostFactoryError(error: unknown): HostFactoryError {
  if (isHostFactoryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HostFactoryError('INTERNAL', message || 'internal error', { cause: error });
}
