import { HostFactoryError } from '../../src/domain/errors.js';
import type { CloudMachine, Machine, MachineRef } from '../../src/domain/machine.js';
import type { Offering } from '../../src/domain/offering.js';
import type {
  CloudHost,
  CloudInventory,
  CloudProvider,
  CloudResource,
  FulfilmentReport,
  LaunchOrder,
  LaunchResult,
  Reclaim,
  ReleaseResult,
  TrackedRequest,
} from '../../src/domain/ports/cloud-provider.js';
import type { Request } from '../../src/domain/request.js';
import { unitsOf, weightedTypes } from '../../src/domain/template.js';

/**
 * A scripted cloud for use-case tests: instances are whatever the test says, every call is
 * recorded so tests can assert batching and idempotency.
 */
export class FakeCloudProvider implements CloudProvider {
  readonly instances = new Map<string, CloudMachine & { requestId: string }>();
  /** Hosts the cloud has that no launch of this fake made (other provider instances', untagged, lost records). */
  readonly strangers = new Map<string, CloudHost>();
  /** Fleets and groups the inventory lists. */
  resources: CloudResource[] = [];
  readonly calls: Array<{ method: string; args: unknown }> = [];
  reports = new Map<string, Partial<FulfilmentReport>>();
  /** The capacity memory reader the last describeRequests was given. */
  memoryOfLastPoll?: () => Promise<readonly Offering[]>;
  reclaims: Reclaim[] = [];
  launchError?: HostFactoryError;
  /** Most instances one launch creates, to simulate a short cloud. */
  capacity = Number.POSITIVE_INFINITY;
  releaseError?: HostFactoryError;
  /** machine id → reason: release reports these machines failed (not released this time). */
  releaseFailures: Record<string, string> = {};
  private counter = 0;

  async launch(order: LaunchOrder): Promise<LaunchResult> {
    this.calls.push({ method: 'launch', args: order });
    if (this.launchError) throw this.launchError;
    const [type] = Object.keys(weightedTypes(order.template));
    const weight = unitsOf(order.template, type);
    const created: CloudMachine[] = [];
    for (let units = 0; units < order.units && created.length < this.capacity; units += weight) {
      const id = `i-${(++this.counter).toString(16).padStart(17, '0')}`;
      const machine = {
        machineId: id,
        name: `ip-10-0-0-${this.counter}.ec2.internal`,
        status: 'pending' as const,
        privateIpAddress: `10.0.0.${this.counter}`,
        publicIpAddress: null,
        launchTime: 1_700_000_000,
        instanceType: type ?? 't3.medium',
        priceType: 'ondemand' as const,
        weight,
        instanceTags: {},
        cloudHostId: id,
        resourceId: `r-${order.requestId}`,
        requestId: order.requestId,
      };
      this.instances.set(id, machine);
      created.push(machine);
    }
    return { machines: created, providerData: { reservation: `r-${order.requestId}` } };
  }

  /** Moves instances to a state, as the cloud would over time. */
  setState(status: CloudMachine['status'], ids: string[] = [...this.instances.keys()]): void {
    for (const id of ids) {
      const instance = this.instances.get(id);
      if (instance) this.instances.set(id, { ...instance, status });
    }
  }

  async describeRequests(requests: readonly TrackedRequest[], unavailable?: () => Promise<readonly Offering[]>): Promise<Map<string, FulfilmentReport>> {
    this.calls.push({ method: 'describeRequests', args: requests.map((r) => r.request.requestId) });
    this.memoryOfLastPoll = unavailable;
    const reports = new Map<string, FulfilmentReport>();
    for (const { request } of requests) {
      const machines = [...this.instances.values()].filter((i) => i.requestId === request.requestId);
      reports.set(request.requestId, { machines, final: true, ...this.reports.get(request.requestId) });
    }
    return reports;
  }

  async describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]> {
    this.calls.push({ method: 'describeMachines', args: machines.map((m) => m.machineId) });
    return machines.map((m) => this.instances.get(m.machineId) ?? { ...m, status: 'terminated' as const });
  }

  async release(machines: readonly Machine[], owners: readonly Request[]): Promise<ReleaseResult> {
    this.calls.push({ method: 'release', args: { machines: machines.map((m) => m.machineId), owners: owners.map((o) => o.requestId) } });
    if (this.releaseError) throw this.releaseError;
    const failed = Object.fromEntries(machines.filter((m) => this.releaseFailures[m.machineId]).map((m) => [m.machineId, this.releaseFailures[m.machineId]]));
    this.setState('shutting-down', machines.map((m) => m.machineId).filter((id) => !failed[id]));
    return { failed };
  }

  async listReclaims(machines: readonly Machine[]): Promise<Reclaim[]> {
    this.calls.push({ method: 'listReclaims', args: machines.map((m) => m.machineId) });
    return this.reclaims.filter((r) => machines.some((m) => m.machineId === r.machineId));
  }

  async findHosts(refs: readonly MachineRef[]): Promise<CloudHost[]> {
    this.calls.push({ method: 'findHosts', args: refs });
    const all: CloudHost[] = [...[...this.instances.values()].map((instance) => ({ ...instance, providerName: 'sim' })), ...this.strangers.values()];
    return all.filter((host) => refs.some((ref) => (ref.machineId ? ref.machineId === host.machineId : ref.name === host.name)));
  }

  async inventory(stored: readonly Machine[] = []): Promise<CloudInventory> {
    this.calls.push({ method: 'inventory', args: stored.map((machine) => machine.machineId) });
    const live = [...this.instances.values()].filter((instance) => instance.status !== 'terminated');
    return { hosts: [...live.map((instance) => ({ ...instance, providerName: 'sim' })), ...this.strangers.values()].filter((host) => host.providerName === 'sim'), resources: this.resources };
  }

  async removeLeaks(hosts: readonly Pick<CloudHost, 'machineId'>[], resources: readonly CloudResource[]): Promise<void> {
    const hostIds = hosts.map((host) => host.machineId);
    this.calls.push({ method: 'removeLeaks', args: { hostIds: [...hostIds], resources: resources.map((resource) => resource.id) } });
    this.setState('shutting-down', [...hostIds]);
    for (const id of hostIds) this.strangers.delete(id);
  }

  callsOf(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }
}
