import { randomUUID } from 'node:crypto';

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
