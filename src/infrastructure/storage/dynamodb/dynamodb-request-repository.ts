import { HostFactoryError } from '../../../domain/errors.js';
import { holdsCapacity, type Machine } from '../../../domain/machine.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { RequestQuery, RequestRepository } from '../../../domain/ports/request-repository.js';
import type { Request, RequestKind } from '../../../domain/request.js';
import { itemToRequest, requestToItem } from './dynamodb-items.js';
import { MACHINE_INDEX, OUTSTANDING_MARK, REQUEST_INDEX } from './dynamodb-table-design.js';
import { PARALLEL_CALLS, type DynamoDbTables } from './dynamodb-tables.js';
import { mapConcurrently } from './map-concurrently.js';

const DEFAULT_LIST_LIMIT = 100;
const KINDS: readonly RequestKind[] = ['acquire', 'return'];

/**
 * Requests in DynamoDB (table `<prefix>-requests`, key requestId). Writes are conditional on
 * `version`. `listOutstanding` queries the sparse outstanding index; `list` and `pruneFinished`
 * query the kind+createdAt index. No method Scans. Index reads are eventually consistent.
 */
export class DynamoDbRequestRepository implements RequestRepository {
  constructor(
    private readonly tables: DynamoDbTables,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return this.tables.names.requests;
  }

  async create(request: Request): Promise<void> {
    const created = await this.tables.putIf(this.table, requestToItem({ ...request, version: 0 }), {
      expression: 'attribute_not_exists(requestId)',
    });
    if (!created) throw new HostFactoryError('STORAGE_CONFLICT', `Request ${request.requestId} already exists`);
  }

  async get(requestId: string): Promise<Request | undefined> {
    const item = await this.tables.get(this.table, { requestId });
    return item && itemToRequest(item);
  }

  async getMany(requestIds: readonly string[]): Promise<Request[]> {
    const keys = [...new Set(requestIds)].map((requestId) => ({ requestId }));
    return (await this.tables.batchGet(this.table, keys)).map(itemToRequest);
  }

  async listOutstanding(): Promise<Request[]> {
    const items = await this.tables.query({
      TableName: this.table,
      IndexName: REQUEST_INDEX.outstanding,
      KeyConditionExpression: '#outstanding = :mark',
      ExpressionAttributeNames: { '#outstanding': 'outstanding' },
      ExpressionAttributeValues: { ':mark': OUTSTANDING_MARK },
    });
    return items.map(itemToRequest);
  }

  async list(query: RequestQuery = {}): Promise<Request[]> {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    if (limit <= 0) return [];
    const kinds = query.kind ? [query.kind] : KINDS;
    const perKind = await Promise.all(kinds.map((kind) => this.newestOfKind(kind, query.status, limit)));
    return perKind
      .flat()
      .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : -1))
      .slice(0, limit);
  }

  async update(request: Request): Promise<Request> {
    const next: Request = { ...request, version: request.version + 1, updatedAt: this.clock.now() };
    const stored = await this.tables.putIf(this.table, requestToItem(next), {
      expression: '#version = :expected',
      names: { '#version': 'version' },
      values: { ':expected': request.version },
    });
    if (stored) return next;
    const current = await this.get(request.requestId);
    if (!current) throw new HostFactoryError('REQUEST_NOT_FOUND', `Request ${request.requestId} does not exist`);
    throw new HostFactoryError(
      'STORAGE_CONFLICT',
      `Request ${request.requestId} was updated by another process (version ${current.version}, not ${request.version})`,
    );
  }

  /**
   * Skips finished requests that still have hosts up. Deletes each prunable request's machines
   * first, then the request (conditional on it still being finished), so an interrupted prune
   * leaves no orphan machines and is finished next time.
   */
  async pruneFinished(createdBefore: number): Promise<number> {
    const finished = (
      await Promise.all(
        KINDS.map((kind) =>
          this.tables.query({
            TableName: this.table,
            IndexName: REQUEST_INDEX.kindCreatedAt,
            KeyConditionExpression: '#kind = :kind AND createdAt < :before',
            FilterExpression: '#status <> :running',
            ProjectionExpression: 'requestId',
            ExpressionAttributeNames: { '#kind': 'kind', '#status': 'status' },
            ExpressionAttributeValues: { ':kind': kind, ':before': createdBefore, ':running': 'running' },
          }),
        ),
      )
    ).flat();
    const deleted = await mapConcurrently(finished, PARALLEL_CALLS, async (item) => {
      const requestId = item.requestId as string;
      const machines = await this.machinesOf(requestId);
      if (machines.some((machine) => holdsCapacity(machine as Pick<Machine, 'status'>))) return false;
      await this.tables.batchDelete(
        this.tables.names.machines,
        machines.map((machine) => ({ machineId: machine.machineId as string })),
      );
      return this.tables.deleteIf(this.table, { requestId }, {
        expression: '#status <> :running',
        names: { '#status': 'status' },
        values: { ':running': 'running' },
      });
    });
    return deleted.filter(Boolean).length;
  }

  /** Deletes each request's machines first, then the requests, so an interrupted removal leaves no orphan machines. */
  async remove(requestIds: readonly string[]): Promise<number> {
    const found = (await this.getMany(requestIds)).map((request) => request.requestId);
    const machines = (await mapConcurrently(found, PARALLEL_CALLS, (requestId) => this.machinesOf(requestId))).flat();
    await this.tables.batchDelete(
      this.tables.names.machines,
      machines.map((machine) => ({ machineId: machine.machineId as string })),
    );
    await this.tables.batchDelete(
      this.table,
      found.map((requestId) => ({ requestId })),
    );
    return found.length;
  }

  private async newestOfKind(kind: RequestKind, status: Request['status'] | undefined, limit: number): Promise<Request[]> {
    const items = await this.tables.query(
      {
        TableName: this.table,
        IndexName: REQUEST_INDEX.kindCreatedAt,
        KeyConditionExpression: '#kind = :kind',
        ScanIndexForward: false,
        Limit: status ? undefined : limit,
        FilterExpression: status ? '#status = :status' : undefined,
        ExpressionAttributeNames: { '#kind': 'kind', ...(status ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: { ':kind': kind, ...(status ? { ':status': status } : {}) },
      },
      limit,
    );
    return items.slice(0, limit).map(itemToRequest);
  }

  private machinesOf(requestId: string): Promise<Array<Record<string, unknown>>> {
    return this.tables.query({
      TableName: this.tables.names.machines,
      IndexName: MACHINE_INDEX.requestId,
      KeyConditionExpression: 'requestId = :requestId',
      ProjectionExpression: 'machineId, #status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':requestId': requestId },
    });
  }
}
