import type { Instance, SpotInstanceRequest } from '@aws-sdk/client-ec2';
import { secondsLeft, type Machine } from '../../domain/machine.js';
import type { Reclaim } from '../../domain/ports/cloud-provider.js';
import type { AwsContext } from './handlers/api-handler.js';

/** Seconds between a spot interruption notice and the instance going away. */
export const SPOT_NOTICE_SEC = 120;
const RETIREMENT_EVENTS = new Set(['instance-retirement', 'instance-stop']);
const GONE_STATES = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);
const SPOT_RECLAIM_REASONS = new Set(['Server.SpotInstanceTermination', 'Server.SpotInstanceShutdown']);

/**
 * A spot request status that is an interruption notice while its instance still runs. With the
 * *terminate* behaviour EC2 sets `instance-terminated-no-capacity` (or `-by-price`,
 * `-capacity-oversubscribed`…) at once, not `marked-for-termination`, and the instance runs two
 * more minutes (EC2 User Guide, "Spot request status", note under the status table); the
 * `marked-for-*` codes mean the same for stop and hibernate.
 */
function isInterruptionNotice(code: string | undefined): boolean {
  return code !== undefined && /^(instance-terminated-|instance-stopped-|marked-for-)/.test(code);
}

/**
 * Hosts EC2 is taking back, in one batched call set: DescribeInstances (1000 ids a call) for
 * instances stopped or terminated outside HostFactory; DescribeSpotInstanceRequests for spot
 * interruption notices; DescribeInstanceStatus (100 ids a call) for scheduled retirement and stop events.
 */
export class ReclaimFinder {
  constructor(private readonly context: AwsContext) {}

  async find(machines: readonly Machine[]): Promise<Reclaim[]> {
    if (machines.length === 0) return [];
    const gateway = this.context.gateway.instances;
    const listing = await gateway.describe(machines.map((machine) => machine.machineId));
    const now = this.context.clock.now();
    const found = new Map<string, Reclaim>();
    /** `deadline` (epoch ms): when the host is gone; the soonest one found for a machine wins. */
    const add = (machine: Machine, deadline: number, reason: string) => {
      const gracePeriod = secondsLeft(deadline, now);
      const previous = found.get(machine.machineId);
      if (previous && previous.gracePeriod <= gracePeriod) return;
      found.set(machine.machineId, { machineId: machine.machineId, name: machine.name, gracePeriod, reason });
    };
    const running: Array<{ machine: Machine; instance: Instance }> = [];
    for (const machine of machines) {
      const instance = listing.instances.get(machine.machineId);
      if (!instance) {
        // Eventual consistency: a host launched moments ago may not be visible yet; it is not gone.
        if (now / 1000 - machine.launchTime >= this.context.config.instancePendingTimeoutSec) add(machine, now, 'instance no longer exists in EC2');
        continue;
      }
      const state = instance.State?.Name ?? 'terminated';
      if (GONE_STATES.has(state)) add(machine, now, goneReason(instance, state));
      else running.push({ machine, instance });
    }
    const byRequest = new Map(running.filter((entry) => entry.instance.SpotInstanceRequestId).map((entry) => [entry.instance.SpotInstanceRequestId!, entry.machine]));
    for (const request of byRequest.size > 0 ? await gateway.spotRequests([...byRequest.keys()]) : []) {
      const machine = byRequest.get(request.SpotInstanceRequestId ?? '');
      if (!machine || !isInterruptionNotice(request.Status?.Code)) continue;
      add(machine, noticeTime(request, now) + SPOT_NOTICE_SEC * 1000, `spot interruption notice (${request.Status?.Code})`);
    }
    const byId = new Map(running.map((entry) => [entry.machine.machineId, entry.machine]));
    for (const status of byId.size > 0 ? await gateway.statuses([...byId.keys()]) : []) {
      const machine = byId.get(status.InstanceId ?? '');
      if (!machine) continue;
      for (const event of status.Events ?? []) {
        if (!RETIREMENT_EVENTS.has(event.Code ?? '') || /^\[(Completed|Canceled)\]/.test(event.Description ?? '')) continue;
        const notBefore = event.NotBefore?.getTime() ?? now;
        add(machine, notBefore, `scheduled ${event.Code}${event.Description ? `: ${event.Description}` : ''}`);
      }
    }
    return [...found.values()];
  }
}

function noticeTime(request: SpotInstanceRequest, now: number): number {
  return request.Status?.UpdateTime?.getTime() ?? now;
}

function goneReason(instance: Instance, state: string): string {
  const code = instance.StateReason?.Code ?? '';
  if (SPOT_RECLAIM_REASONS.has(code)) return `spot instance ${state}: reclaimed by EC2 (${code})`;
  return `instance ${state} outside HostFactory${instance.StateReason?.Message ? `: ${instance.StateReason.Message}` : ''}`;
}
