import type { ServiceIdentifier } from 'inversify';
import type { Request, RequestKind, RequestStatus } from '../request.js';

export interface RequestQuery {
  kind?: RequestKind;
  status?: RequestStatus;
  /** Newest first; default 100. */
  limit?: number;
}

/**
 * Acquire and return requests. Every method is safe against concurrent processes; writes are
 * optimistic: `update` succeeds only if the stored version equals `request.version`.
 */
export interface RequestRepository {
  /** Inserts a new request with version 0. Throws STORAGE_CONFLICT if the id exists. */
  create(request: Request): Promise<void>;
  /** The request, or undefined. */
  get(requestId: string): Promise<Request | undefined>;
  /** The requests found among `requestIds`, in no particular order; unknown ids are skipped. */
  getMany(requestIds: readonly string[]): Promise<Request[]>;
  /** Requests whose status is `running`; costs O(outstanding), not O(history). */
  listOutstanding(): Promise<Request[]>;
  /** For people (CLI): requests matching the query, newest first. */
  list(query?: RequestQuery): Promise<Request[]>;
  /**
   * Stores `request` if the stored version is still `request.version`; returns it with the new
   * version and updatedAt. Throws STORAGE_CONFLICT when another process updated it first, and
   * REQUEST_NOT_FOUND when it does not exist.
   */
  update(request: Request): Promise<Request>;
  /** Deletes finished requests created before `createdBefore` (epoch ms) and their machines. Returns how many requests went. */
  pruneFinished(createdBefore: number): Promise<number>;
  /**
   * Deletes these requests and the machines launched for them, whatever their state; unknown ids
   * are skipped. Returns how many requests went. Only `store copy --prune-target` uses it.
   */
  remove(requestIds: readonly string[]): Promise<number>;
}

export const RequestRepository: ServiceIdentifier<RequestRepository> = Symbol.for('RequestRepository');
