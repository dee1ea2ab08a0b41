import { inject, injectable } from 'inversify';
import type { Machine } from '../domain/machine.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository, type RequestQuery } from '../domain/ports/request-repository.js';
import type { Request } from '../domain/request.js';

/** What people list from the CLI: live machines and recent requests, straight from the store. */
@injectable()
export class ListActivity {
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
  ) {}

  liveMachines(): Promise<Machine[]> {
    return this.machines.listLive();
  }

  recentRequests(query: RequestQuery = {}): Promise<Request[]> {
    return this.requests.list(query);
  }
}
