import { inject, injectable } from 'inversify';
import type { Machine } from '../domain/machine.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider, type CloudHost, type CloudResource } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { ownersOf } from './owners-of.js';
import { changeMachine } from './optimistic-change.js';

/** RECONCILE_* settings: how old a leak must be before it is removed, and the schedule inside getReturnRequests. */
export class ReconcileSettings {
  constructor(
    /** RECONCILE_GRACE_SEC: a leak younger than this is never removed (a launch may be in flight). */
    readonly graceSec = 600,
    /** RECONCILE_INTERVAL_SEC: getReturnRequests sweeps at most this often; 0 never. */
    readonly intervalSec = 300,
    /** RECONCILE_APPLY: the scheduled sweep applies what it finds (else it only logs). */
    readonly apply = false,
  ) {}
}

export type Action = 'removed' | 'marked gone' | 'lowered' | 'found' | 'kept: younger than the grace period';

export interface Leak {
  kind: string;
  id: string;
  requestId?: string;
  ageSec: number;
  action: Action;
}

export interface Ghost {
  machineId: string;
  name: string;
  requestId: string;
  action: Action;
}

export interface Oversized {
  kind: string;
  id: string;
  requestId: string;
  target: number;
  held: number;
  action: Action;
}

export interface ReconcileReport {
  applied: boolean;
  /** Live hosts and resources tagged by this provider instance that no live request owns. */
  leaks: Leak[];
  /** Machines the store thinks live that the cloud does not have. */
  ghosts: Ghost[];
  /** Fleets and groups set to keep more than the store holds for their request. */
  oversized: Oversized[];
}

/**
 * `hostfactory reconcile`: the cloud's inventory of this provider instance against the store, from
 * one batched set of tag-filtered describe calls. With `apply`, leaks older than the grace period
 * are removed, ghosts are marked gone and oversized fleets and groups are brought down to what the
 * store holds. Every action is a log line with the resource id and why.
 */
@injectable()
export class Reconcile {
  constructor(
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(ReconcileSettings) private readonly settings: ReconcileSettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(apply: boolean): Promise<ReconcileReport> {
    // The inventory looks wherever a live machine is, so none is taken for a ghost for being out of sight.
    const [[live, inventory], outstanding] = await Promise.all([
      this.machines.listLive().then(async (machines) => [machines, await this.cloud.inventory(machines)] as const),
      this.requests.listOutstanding(),
    ]);
    const now = this.clock.now();
    const graceMs = this.settings.graceSec * 1000;
    const running = new Set(outstanding.map((request) => request.requestId));
    const liveIds = new Set(live.map((machine) => machine.machineId));
    const owning = new Set(live.map((machine) => machine.requestId));
    const strayHosts = inventory.hosts.filter((host) => !liveIds.has(host.machineId) && !running.has(host.requestId ?? ''));
    const strayResources = inventory.resources.filter((resource) => !running.has(resource.requestId ?? '') && !owning.has(resource.requestId ?? ''));
    const inCloud = new Set(inventory.hosts.map((host) => host.machineId));
    const ghosts = live.filter((machine) => !inCloud.has(machine.machineId) && !running.has(machine.requestId));
    const oversized = inventory.resources.filter((resource) => resource.target !== undefined && !strayResources.includes(resource) && !running.has(resource.requestId ?? ''));

    const old = (createdAt: number) => now - createdAt >= graceMs;
    const leaks: Leak[] = [
      ...strayHosts.map((host) => leakOf('instance', host.machineId, host.requestId, host.launchTime * 1000)),
      ...strayResources.map((resource) => leakOf(resource.kind, resource.id, resource.requestId, resource.createdAt)),
    ];
    function leakOf(kind: string, id: string, requestId: string | undefined, createdAt: number): Leak {
      const action: Action = !old(createdAt) ? 'kept: younger than the grace period' : apply ? 'removed' : 'found';
      return { kind, id, requestId, ageSec: Math.max(0, Math.floor((now - createdAt) / 1000)), action };
    }
    const report: ReconcileReport = {
      applied: apply,
      leaks,
      ghosts: ghosts.map((machine) => ({ machineId: machine.machineId, name: machine.name, requestId: machine.requestId, action: !old(machine.launchTime * 1000) ? 'kept: younger than the grace period' : apply ? 'marked gone' : 'found' })),
      oversized: this.oversizedOf(oversized, live, apply),
    };
    if (apply) await this.applyReport(report, strayHosts, strayResources);
    for (const entry of [...report.leaks, ...report.ghosts, ...report.oversized]) this.logger.info({ ...entry }, 'reconcile');
    return report;
  }

  private oversizedOf(resources: readonly CloudResource[], live: readonly Machine[], apply: boolean): Oversized[] {
    return resources.flatMap((resource) => {
      const held = live.filter((machine) => machine.requestId === resource.requestId && machine.returnRequestId === undefined).reduce((sum, machine) => sum + machine.weight, 0);
      if ((resource.target ?? 0) <= held) return [];
      return [{ kind: resource.kind, id: resource.id, requestId: resource.requestId ?? '', target: resource.target ?? 0, held, action: apply ? 'lowered' : 'found' }];
    });
  }

  private async applyReport(report: ReconcileReport, hosts: readonly CloudHost[], resources: readonly CloudResource[]): Promise<void> {
    const removable = new Set(report.leaks.filter((leak) => leak.action === 'removed').map((leak) => leak.id));
    await this.cloud.removeLeaks(
      hosts.filter((host) => removable.has(host.machineId)),
      resources.filter((resource) => removable.has(resource.id)),
    );
    const gone = report.ghosts.filter((ghost) => ghost.action === 'marked gone').map((ghost) => ghost.machineId);
    for (const machine of gone.length > 0 ? await this.machines.findByRefs(gone.map((machineId) => ({ machineId }))) : []) {
      await changeMachine(this.machines, machine, (current) =>
        current.status === 'terminated' ? undefined : { ...current, status: 'terminated', failureMessage: current.failureMessage ?? 'gone from the cloud (found by reconcile)', updatedAt: this.clock.now() },
      );
    }
    if (report.oversized.length === 0 || !this.cloud.stopReplacing) return;
    const { owners, tracked } = await ownersOf(this.requests, this.machines, report.oversized.map((entry) => entry.requestId));
    await this.cloud.stopReplacing([], owners, tracked);
  }
}
