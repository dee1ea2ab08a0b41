import { inject, injectable } from 'inversify';
import type { Machine, MachineRef } from '../domain/machine.js';
import { CloudProvider, type Reclaim } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';

/** getReturnRequests: which of the hosts HostFactory holds the cloud is taking back, and when. */
@injectable()
export class GetReturnRequests {
  constructor(
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(held: readonly MachineRef[]): Promise<Reclaim[]> {
    const refs = held.filter((ref) => ref.machineId || ref.name);
    if (refs.length === 0) return [];
    const known = await this.machines.findByRefs(refs);
    const notReturned = known.filter((machine) => machine.returnRequestId === undefined);
    if (known.length < refs.length) this.logger.debug({ held: refs.length, known: known.length }, 'hosts not in the store are skipped');
    if (notReturned.length === 0) return [];
    const reclaims = await this.cloud.listReclaims(notReturned);
    if (reclaims.length > 0) {
      this.logger.info({ reclaims }, 'hosts being reclaimed by the cloud');
      await this.stopReplacing(notReturned.filter((machine) => reclaims.some((reclaim) => reclaim.machineId === machine.machineId)));
    }
    return reclaims;
  }

  /** The fleets and groups of reclaimed hosts must not replace them; a failure here never fails the call. */
  private async stopReplacing(reclaimed: Machine[]): Promise<void> {
    if (!this.cloud.stopReplacing) return;
    const ownerIds = [...new Set(reclaimed.map((machine) => machine.requestId))];
    try {
      const [owners, tracked] = await Promise.all([this.requests.getMany(ownerIds), this.machines.listByRequests(ownerIds)]);
      await this.cloud.stopReplacing(reclaimed, owners, tracked);
    } catch (error) {
      this.logger.warn({ machines: reclaimed.map((machine) => machine.machineId), err: error }, 'could not stop the cloud replacing reclaimed hosts; tried again next call');
    }
  }
}
