import { inject, injectable } from 'inversify';
import { isGone, type Machine } from '../domain/machine.js';
import { CloudProvider } from '../domain/ports/cloud-provider.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository, type RequestQuery } from '../domain/ports/request-repository.js';
import type { Request } from '../domain/request.js';
import { MachineRecorder } from './machine-recorder.js';

/** What people list from the CLI: live machines as the cloud sees them now, and recent requests. */
@injectable()
export class ListActivity {
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(MachineRecorder) private readonly recorder: MachineRecorder,
  ) {}

  /**
   * Machines not terminated, refreshed with one batched cloud call so that hosts the cloud took
   * back outside HostFactory show as they are (and are recorded so).
   */
  async liveMachines(): Promise<Machine[]> {
    const stored = await this.machines.listLive();
    if (stored.length === 0) return [];
    const refreshed = await this.recorder.observe(stored, await this.cloud.describeMachines(stored));
    return refreshed.filter((machine) => !isGone(machine));
  }

  recentRequests(query: RequestQuery = {}): Promise<Request[]> {
    return this.requests.list(query);
  }
}
