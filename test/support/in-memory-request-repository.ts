import { HostFactoryError } from '../../src/domain/errors.js';
import { holdsCapacity } from '../../src/domain/machine.js';
import type { RequestQuery, RequestRepository } from '../../src/domain/ports/request-repository.js';
import type { Request } from '../../src/domain/request.js';
import { copy, type InMemoryStoreState } from './in-memory-store-state.js';

/** RequestRepository for unit tests, with the stores' semantics: versions, conflicts, copies. */
export class InMemoryRequestRepository implements RequestRepository {
  constructor(private readonly state: InMemoryStoreState) {}

  async create(request: Request): Promise<void> {
    if (this.state.requests.has(request.requestId)) {
      throw new HostFactoryError('STORAGE_CONFLICT', `Request ${request.requestId} already exists`, { retryable: false });
    }
    this.state.requests.set(request.requestId, copy({ ...request, version: 0 }));
  }

  async get(requestId: string): Promise<Request | undefined> {
    const stored = this.state.requests.get(requestId);
    return stored === undefined ? undefined : copy(stored);
  }

  async getMany(requestIds: readonly string[]): Promise<Request[]> {
    return [...new Set(requestIds)].flatMap((id) => {
      const stored = this.state.requests.get(id);
      return stored === undefined ? [] : [copy(stored)];
    });
  }

  async listOutstanding(): Promise<Request[]> {
    return this.all()
      .filter((request) => request.status === 'running')
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async list(query: RequestQuery = {}): Promise<Request[]> {
    return this.all()
      .filter((request) => query.kind === undefined || request.kind === query.kind)
      .filter((request) => query.status === undefined || request.status === query.status)
      .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : -1))
      .slice(0, query.limit ?? 100);
  }

  async update(request: Request): Promise<Request> {
    const stored = this.state.requests.get(request.requestId);
    if (stored === undefined) throw new HostFactoryError('REQUEST_NOT_FOUND', `Request ${request.requestId} does not exist`);
    if (stored.version !== request.version) {
      throw new HostFactoryError(
        'STORAGE_CONFLICT',
        `Request ${request.requestId} was updated by another process (version ${stored.version}, not ${request.version})`,
      );
    }
    const next: Request = { ...copy(request), version: stored.version + 1, updatedAt: this.state.clock.now() };
    this.state.requests.set(request.requestId, next);
    return copy(next);
  }

  /** Same rule as the real stores: an acquire request whose machines are not all terminated stays. */
  async pruneFinished(createdBefore: number): Promise<number> {
    const machines = [...this.state.machines.values()];
    const prunable = this.all().filter(
      (request) =>
        request.status !== 'running' &&
        request.createdAt < createdBefore &&
        !machines.some((machine) => machine.requestId === request.requestId && holdsCapacity(machine)),
    );
    for (const request of prunable) this.state.requests.delete(request.requestId);
    const pruned = new Set(prunable.map((request) => request.requestId));
    for (const machine of machines) {
      if (pruned.has(machine.requestId)) this.state.machines.delete(machine.machineId);
    }
    return prunable.length;
  }

  async remove(requestIds: readonly string[]): Promise<number> {
    const removed = new Set(requestIds.filter((requestId) => this.state.requests.delete(requestId)));
    for (const machine of [...this.state.machines.values()]) {
      if (removed.has(machine.requestId)) this.state.machines.delete(machine.machineId);
    }
    return removed.size;
  }

  private all(): Request[] {
    return [...this.state.requests.values()].map(copy);
  }
}
