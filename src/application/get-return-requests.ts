import { inject, injectable } from 'inversify';
import { isEnding, refersTo, secondsLeft, type Machine, type MachineRef } from '../domain/machine.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider, type Reclaim } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { Metrics } from '../domain/ports/metrics.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { InterruptionNotices } from './interruption-notices.js';
import { ownersOf } from './owners-of.js';
import { ScheduledReconcile } from './scheduled-reconcile.js';

/** getReturnRequests: which of the hosts HostFactory holds the cloud is taking back, and when. */
@injectable()
export class GetReturnRequests {
  constructor(
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(Logger) private readonly logger: Logger,
    @inject(ScheduledReconcile) private readonly sweep: ScheduledReconcile,
    @inject(InterruptionNotices) private readonly notices: InterruptionNotices,
    @inject(Clock) private readonly clock: Clock,
    @inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async execute(held: readonly MachineRef[]): Promise<Reclaim[]> {
    await this.sweep.runIfDue();
    await this.notices.collect();
    const refs = held.filter((ref) => ref.machineId || ref.name);
    if (refs.length === 0) return [];
    const known = await this.machines.findByRefs(refs);
    const unknown = refs.filter((ref) => !known.some((machine) => refersTo(ref, machine)));
    const notReturned = known.filter((machine) => machine.returnRequestId === undefined);
    const polled = notReturned.length > 0 ? await this.cloud.listReclaims(notReturned) : [];
    const reclaims = soonest([...polled, ...this.noticed(notReturned)]);
    if (reclaims.length > 0) {
      this.logger.info({ reclaims }, 'hosts being reclaimed by the cloud');
      await this.stopReplacing(notReturned.filter((machine) => reclaims.some((reclaim) => reclaim.machineId === machine.machineId)));
    }
    const reported = unknown.length > 0 ? [...reclaims, ...(await this.reclaimsOfUnknown(unknown))] : reclaims;
    for (const reclaim of reported) this.metrics.reclaim(reclaim.reason);
    return reported;
  }

  /** Machines with a recorded notice (see InterruptionNotices), with the seconds left before its deadline. */
  private noticed(machines: readonly Machine[]): Reclaim[] {
    const now = this.clock.now();
    return machines.flatMap((machine) =>
      machine.notice ? [{ machineId: machine.machineId, name: machine.name, gracePeriod: secondsLeft(machine.notice.deadline, now), reason: machine.notice.reason }] : [],
    );
  }

  /**
   * Hosts HostFactory holds that the store does not know: the cloud is asked, and those it no
   * longer has, or that are ending, are reported with no grace (as other HostFactory providers do).
   */
  private async reclaimsOfUnknown(refs: readonly MachineRef[]): Promise<Reclaim[]> {
    const hosts = await this.cloud.findHosts(refs);
    const reclaims = refs.flatMap((ref): Reclaim[] => {
      const host = hosts.find((candidate) => refersTo(ref, candidate));
      const name = ref.name ?? host?.name ?? ref.machineId ?? '';
      if (!host) return [{ machineId: ref.machineId ?? '', name, gracePeriod: 0, reason: 'not in the store nor in the cloud' }];
      return isEnding(host.status) ? [{ machineId: host.machineId, name, gracePeriod: 0, reason: `not in the store; ${host.status} in the cloud` }] : [];
    });
    if (reclaims.length > 0) this.logger.info({ reclaims }, 'hosts the store does not know are gone or ending');
    return reclaims;
  }

  /** The fleets and groups of reclaimed hosts must not replace them; a failure here never fails the call. */
  private async stopReplacing(reclaimed: Machine[]): Promise<void> {
    if (!this.cloud.stopReplacing) return;
    try {
      const { owners, tracked } = await ownersOf(this.requests, this.machines, reclaimed.map((machine) => machine.requestId));
      await this.cloud.stopReplacing(reclaimed, owners, tracked);
    } catch (error) {
      this.logger.warn({ machines: reclaimed.map((machine) => machine.machineId), err: error }, 'could not stop the cloud replacing reclaimed hosts; tried again next call');
    }
  }
}

/** One reclaim per machine: the one with the least time left. */
function soonest(reclaims: readonly Reclaim[]): Reclaim[] {
  const byMachine = new Map<string, Reclaim>();
  for (const reclaim of reclaims) {
    const previous = byMachine.get(reclaim.machineId);
    if (!previous || reclaim.gracePeriod < previous.gracePeriod) byMachine.set(reclaim.machineId, reclaim);
  }
  return [...byMachine.values()];
}
