import { HostFactoryError } from '../../../domain/errors.js';
import { holdsCapacity } from '../../../domain/machine.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { RequestQuery, RequestRepository } from '../../../domain/ports/request-repository.js';
import type { Request } from '../../../domain/request.js';
import type { JsonStoreFile } from './json-store-file.js';

const DEFAULT_LIST_LIMIT = 100;

/**
 * Requests in the JSON store file. Every read parses the whole file, so reads cost O(file), not
 * O(outstanding): the JSON store is meant for small installations; `pruneFinished` keeps it small.
 */
export class JsonRequestRepository implements RequestRepository {
  constructor(
    private readonly store: JsonStoreFile,
    private readonly clock: Clock,
  ) {}

  async create(request: Request): Promise<void> {
    await this.store.mutate((document) => {
      if (Object.hasOwn(document.requests, request.requestId)) {
        throw new HostFactoryError('STORAGE_CONFLICT', `Request ${request.requestId} already exists`);
      }
      document.requests[request.requestId] = { ...request, version: 0 };
    });
  }

  async get(requestId: string): Promise<Request | undefined> {
    const document = await this.store.read();
    return Object.hasOwn(document.requests, requestId) ? document.requests[requestId] : undefined;
  }

  async getMany(requestIds: readonly string[]): Promise<Request[]> {
    const document = await this.store.read();
    const found = new Set<string>();
    const requests: Request[] = [];
    for (const requestId of requestIds) {
      if (found.has(requestId) || !Object.hasOwn(document.requests, requestId)) continue;
      found.add(requestId);
      requests.push(document.requests[requestId]);
    }
    return requests;
  }

  async listOutstanding(): Promise<Request[]> {
    const document = await this.store.read();
    return Object.values(document.requests).filter((request) => request.status === 'running');
  }

  async list(query: RequestQuery = {}): Promise<Request[]> {
    const document = await this.store.read();
    return Object.values(document.requests)
      .filter((request) => query.kind === undefined || request.kind === query.kind)
      .filter((request) => query.status === undefined || request.status === query.status)
      .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : -1))
      .slice(0, query.limit ?? DEFAULT_LIST_LIMIT);
  }

  async update(request: Request): Promise<Request> {
    return this.store.mutate((document) => {
      if (!Object.hasOwn(document.requests, request.requestId)) {
        throw new HostFactoryError('REQUEST_NOT_FOUND', `Request ${request.requestId} does not exist`);
      }
      const stored = document.requests[request.requestId];
      if (stored.version !== request.version) {
        throw new HostFactoryError(
          'STORAGE_CONFLICT',
          `Request ${request.requestId} was updated by another process (version ${stored.version}, not ${request.version})`,
        );
      }
      const next: Request = { ...request, version: stored.version + 1, updatedAt: this.clock.now() };
      document.requests[request.requestId] = next;
      return next;
    });
  }

  async pruneFinished(createdBefore: number): Promise<number> {
    return this.store.mutate((document) => {
      const holdingHosts = new Set(
        Object.values(document.machines)
          .filter(holdsCapacity)
          .map((machine) => machine.requestId),
      );
      const pruned = new Set(
        Object.values(document.requests)
          .filter((request) => request.status !== 'running' && request.createdAt < createdBefore)
          .filter((request) => !holdingHosts.has(request.requestId))
          .map((request) => request.requestId),
      );
      for (const requestId of pruned) delete document.requests[requestId];
      for (const machine of Object.values(document.machines)) {
        if (pruned.has(machine.requestId)) delete document.machines[machine.machineId];
      }
      return pruned.size;
    });
  }

  async remove(requestIds: readonly string[]): Promise<number> {
    return this.store.mutate((document) => {
      const removed = new Set(requestIds.filter((requestId) => Object.hasOwn(document.requests, requestId)));
      for (const requestId of removed) delete document.requests[requestId];
      for (const machine of Object.values(document.machines)) {
        if (removed.has(machine.requestId)) delete document.machines[machine.machineId];
      }
      return removed.size;
    });
  }
}
