import { DescribeInstanceStatusCommand, DescribeSpotInstanceRequestsCommand, type Instance } from '@aws-sdk/client-ec2';
import type { Machine } from '../../domain/machine.js';
import type { Reclaim } from '../../domain/ports/cloud-provider.js';
import type { AwsContext } from './api-handler.js';
import { isNotFound } from './aws-error-classifier.js';
import { chunk, describeInstances, describeWithRetry } from './instance-reader.js';

/** Seconds between a spot interruption notice and the instance going away. */
export const SPOT_NOTICE_SEC = 120;
const SPOT_MARKED = new Set(['marked-for-termination', 'marked-for-stop', 'marked-for-hibernation']);
const RETIREMENT_EVENTS = new Set(['instance-retirement', 'instance-stop']);
const GONE_STATES = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/**
 * Hosts EC2 is taking back, in one batched call set: DescribeInstances (1000 ids a call) for
 * instances stopped or terminated outside HostFactory; DescribeSpotInstanceRequests for spot
 * interruption notices; DescribeInstanceStatus (100 ids a call) for scheduled retirement and stop events.
 */
export class ReclaimFinder {
  constructor(private readonly context: AwsContext) {}

  async find(machines: readonly Machine[]): Promise<Reclaim[]> {
    if (machines.length === 0) return [];
    const ec2 = await this.context.clients.ec2();
    const config = this.context.config;
    const listing = await describeInstances(ec2, config, machines.map((machine) => machine.machineId));
    const now = this.context.clock.now();
    const found = new Map<string, Reclaim>();
    const add = (machine: Machine, gracePeriod: number, reason: string) => {
      const previous = found.get(machine.machineId);
      if (previous && previous.gracePeriod <= gracePeriod) return;
      found.set(machine.machineId, { machineId: machine.machineId, name: machine.name, gracePeriod: Math.max(0, Math.floor(gracePeriod)), reason });
    };
    const running: Array<{ machine: Machine; instance: Instance }> = [];
    for (const machine of machines) {
      const instance = listing.instances.get(machine.machineId);
      const state = instance?.State?.Name ?? 'terminated';
      if (!instance) add(machine, 0, 'instance no longer exists in EC2');
      else if (GONE_STATES.has(state)) add(machine, 0, `instance ${state} outside HostFactory${instance.StateReason?.Message ? `: ${instance.StateReason.Message}` : ''}`);
      else running.push({ machine, instance });
    }
    const spot = running.filter((entry) => entry.instance.SpotInstanceRequestId);
    const byRequest = new Map(spot.map((entry) => [entry.instance.SpotInstanceRequestId!, entry.machine]));
    for (const part of chunk([...byRequest.keys()], 1000)) {
      const output = await describeWithRetry(config, 'ec2:DescribeSpotInstanceRequests', () =>
        ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: part })),
      ).catch((error: unknown) => {
        if (isNotFound((error as { cause?: unknown }).cause)) return { SpotInstanceRequests: [] };
        throw error;
      });
      for (const request of output.SpotInstanceRequests ?? []) {
        const machine = byRequest.get(request.SpotInstanceRequestId ?? '');
        if (!machine || !SPOT_MARKED.has(request.Status?.Code ?? '')) continue;
        const noticed = request.Status?.UpdateTime?.getTime() ?? now;
        add(machine, SPOT_NOTICE_SEC - (now - noticed) / 1000, `spot interruption notice (${request.Status?.Code})`);
      }
    }
    const byId = new Map(running.map((entry) => [entry.machine.machineId, entry.machine]));
    for (const part of chunk([...byId.keys()], 100)) {
      const output = await describeWithRetry(config, 'ec2:DescribeInstanceStatus', () =>
        ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: part, IncludeAllInstances: true })),
      );
      for (const status of output.InstanceStatuses ?? []) {
        const machine = byId.get(status.InstanceId ?? '');
        if (!machine) continue;
        for (const event of status.Events ?? []) {
          if (!RETIREMENT_EVENTS.has(event.Code ?? '') || /^\[(Completed|Canceled)\]/.test(event.Description ?? '')) continue;
          const notBefore = event.NotBefore?.getTime() ?? now;
          add(machine, (notBefore - now) / 1000, `scheduled ${event.Code}${event.Description ? `: ${event.Description}` : ''}`);
        }
      }
    }
    return [...found.values()];
  }
}
