import { HostFactoryError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { RequestQuery, RequestRepository } from '../../../domain/ports/request-repository.js';
import type { Request } from '../../../domain/request.js';
import type { KnexDatabase } from './knex-database.js';
import { chunk } from '../../../shared/chunk.js';
import { LIVE_MACHINE_STATES, requestToRow, rowToRequest, type RequestRow } from './knex-rows.js';
import { isUniqueViolation, translated } from './storage-error.js';

const DEFAULT_LIST_LIMIT = 100;
const IDS_PER_QUERY = 500;

/** Requests in the `requests` table (SQLite or PostgreSQL); writes are optimistic on `version`. */
export class KnexRequestRepository implements RequestRepository {
  constructor(
    private readonly db: KnexDatabase,
    private readonly clock: Clock,
  ) {}

  create(request: Request): Promise<void> {
    return translated(`creating request ${request.requestId}`, async () => {
      try {
        await this.db<RequestRow>('requests').insert(requestToRow({ ...request, version: 0 }));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new HostFactoryError('STORAGE_CONFLICT', `Request ${request.requestId} already exists`, {
          retryable: false,
          cause: error,
        });
      }
    });
  }

  get(requestId: string): Promise<Request | undefined> {
    return translated(`reading request ${requestId}`, async () => {
      const row = await this.db<RequestRow>('requests').where('request_id', requestId).first();
      return row === undefined ? undefined : rowToRequest(row);
    });
  }

  getMany(requestIds: readonly string[]): Promise<Request[]> {
    return translated('reading requests', async () => {
      const found: Request[] = [];
      for (const ids of chunk([...new Set(requestIds)], IDS_PER_QUERY)) {
        const rows = await this.db<RequestRow>('requests').whereIn('request_id', ids);
        found.push(...rows.map(rowToRequest));
      }
      return found;
    });
  }

  listOutstanding(): Promise<Request[]> {
    return translated('listing outstanding requests', async () => {
      const rows = await this.db<RequestRow>('requests').whereRaw(`status = 'running'`).orderBy('created_at', 'asc');
      return rows.map(rowToRequest);
    });
  }

  list(query: RequestQuery = {}): Promise<Request[]> {
    return translated('listing requests', async () => {
      const select = this.db<RequestRow>('requests');
      if (query.kind !== undefined) select.where('kind', query.kind);
      if (query.status !== undefined) select.where('status', query.status);
      const rows = await select
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'request_id', order: 'desc' },
        ])
        .limit(query.limit ?? DEFAULT_LIST_LIMIT);
      return rows.map(rowToRequest);
    });
  }

  update(request: Request): Promise<Request> {
    return translated(`updating request ${request.requestId}`, async () => {
      const next: Request = { ...request, version: request.version + 1, updatedAt: this.clock.now() };
      const { request_id: requestId, created_at: _createdAt, ...changes } = requestToRow(next);
      const updated = await this.db<RequestRow>('requests')
        .where({ request_id: requestId, version: request.version })
        .update(changes);
      if (updated === 1) return next;
      const stored = await this.db<RequestRow>('requests').where('request_id', requestId).first('version');
      if (stored === undefined) {
        throw new HostFactoryError('REQUEST_NOT_FOUND', `Request ${requestId} does not exist`);
      }
      throw new HostFactoryError(
        'STORAGE_CONFLICT',
        `Request ${requestId} was updated by another process (version ${Number(stored.version)}, not ${request.version})`,
      );
    });
  }

  /**
   * Deletes finished requests created before `createdBefore`, with the machines of the acquire
   * ones, in one transaction. An acquire request that still has a machine that is not terminated
   * is kept: its hosts are in use, and forgetting them would leak them.
   */
  pruneFinished(createdBefore: number): Promise<number> {
    return translated('pruning finished requests', () =>
      this.db.transaction(async (trx): Promise<number> => {
        const prunable = () =>
          trx('requests')
            .select('requests.request_id')
            .whereNot('requests.status', 'running')
            .where('requests.created_at', '<', createdBefore)
            .whereNotExists(
              trx('machines')
                .select('machines.machine_id')
                .whereRaw('?? = ??', ['machines.request_id', 'requests.request_id'])
                .whereIn('machines.status', [...LIVE_MACHINE_STATES]),
            );
        await trx('machines').whereIn('request_id', prunable()).delete();
        const pruned: number = await trx('requests').whereIn('request_id', prunable()).delete();
        return pruned;
      }),
    );
  }

  remove(requestIds: readonly string[]): Promise<number> {
    return translated('removing requests', () =>
      this.db.transaction(async (trx): Promise<number> => {
        let removed = 0;
        for (const ids of chunk([...new Set(requestIds)], IDS_PER_QUERY)) {
          await trx('machines').whereIn('request_id', ids).delete();
          removed += await trx('requests').whereIn('request_id', ids).delete();
        }
        return removed;
      }),
    );
  }
}
