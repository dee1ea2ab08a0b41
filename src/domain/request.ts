import { randomUUID } from 'node:crypto';
import { HostFactoryError } from './errors.js';

export type RequestKind = 'acquire' | 'return';
export type RequestStatus = 'running' | 'complete' | 'complete_with_error';

/** An acquire (`req-…`) or return (`ret-…`) request, as recorded in the store. */
export interface Request {
  requestId: string;
  kind: RequestKind;
  status: RequestStatus;
  /** Acquire requests only. */
  templateId?: string;
  /** Acquire: units asked for. Return: machines given back. */
  machineCount: number;
  message?: string;
  /** Provider instance name (HF_PROVIDER_NAME) that owns the request. */
  providerName: string;
  /** Whatever the cloud provider needs to find the request's resources again (fleet ids…). */
  providerData: Record<string, unknown>;
  /** epoch milliseconds */
  createdAt: number;
  updatedAt: number;
  /** Optimistic-concurrency version; the store increments it on every update. */
  version: number;
}

/**
 * The one rule for a count of units asked for, wherever it comes from (HostFactory's JSON, the CLI,
 * a use case): a whole number of at least 1, written as a number or as a string of digits.
 * Anything else is INVALID_INPUT, naming the value as `name`.
 */
export function parseMachineCount(value: unknown, name = 'machineCount'): number {
  const count = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof count === 'number' && Number.isSafeInteger(count) && count > 0) return count;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new HostFactoryError('INVALID_INPUT', `${name} must be a positive whole number, got ${shown}`);
}

export const ACQUIRE_PREFIX = 'req-';
export const RETURN_PREFIX = 'ret-';

export function newRequestId(kind: RequestKind): string {
  return `${kind === 'acquire' ? ACQUIRE_PREFIX : RETURN_PREFIX}${randomUUID()}`;
}

export function kindOfRequestId(requestId: string): RequestKind | undefined {
  if (requestId.startsWith(ACQUIRE_PREFIX)) return 'acquire';
  if (requestId.startsWith(RETURN_PREFIX)) return 'return';
  return undefined;
}

/** Final statuses never change again: a stale poll must not reopen a finished request. */
export function canMoveTo(from: RequestStatus, to: RequestStatus): boolean {
  return from === 'running' || from === to;
}
