import type { Machine } from '../../domain/machine.js';
import type { ReleaseResult } from '../../domain/ports/cloud-provider.js';
import type { Request } from '../../domain/request.js';
import type { ProviderApi } from '../../domain/template.js';
import { byRegion, type AwsRegions } from './aws-regions.js';
import { translateAwsError } from './ec2/aws-errors.js';
import type { ReleaseGroup } from './handlers/api-handler.js';
import { ReleaseFailures } from './handlers/instance-release.js';
import { readProviderData } from './provider-data.js';

/**
 * Release and stopReplacing of CloudProvider: machines grouped by region (their request's, else
 * their own), then by API and owning request, so each region gets one batched call set per API.
 */
export class MachineRelease {
  constructor(private readonly regions: AwsRegions) {}

  async release(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[]): Promise<ReleaseResult> {
    if (machines.length === 0) return { failed: {} };
    const failures = new ReleaseFailures();
    for (const [region, list] of this.byRegion(machines, owners)) {
      const parts = this.regions.of(region);
      // Errors of another region name it; AWS_REGION's keep their reasons as they always read.
      const named = (error: unknown) => (region === this.regions.home ? error : this.regions.translate(error, region));
      const { groups, orphans } = groupByApi(list, owners, tracked);
      const freed: string[] = [];
      for (const [api, groupList] of groups) {
        try {
          const outcome = await parts.handlers[api].release(groupList);
          freed.push(...outcome.freedLaunchTemplates);
          failures.add(outcome.failed);
          failures.errors.push(...outcome.errors.map(named));
        } catch (error) {
          failures.addError(groupList, named(error));
        }
      }
      try {
        // Machines of requests this provider has no record of: terminated by id.
        if (orphans.length > 0) await parts.context.gateway.instances.terminate(orphans.map((machine) => machine.machineId));
      } catch (error) {
        failures.addError([{ machines: orphans }], named(error));
      }
      if (freed.length > 0) await parts.cleaner.cleanUp(freed, new Set(groups.keys()));
    }
    if (failures.errors.length > 0) this.regions.of().context.logger.error({ failed: failures.failed }, 'release failed for some machines');
    // Nothing released because of an AWS error: the return fails. Machines only not visible yet stay claimed and are retried.
    if (Object.keys(failures.failed).length === machines.length && failures.errors.length > 0) throw translateAwsError(failures.errors[0]);
    return { failed: failures.failed };
  }

  async stopReplacing(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[]): Promise<void> {
    // With no machines, every owner gets a group of its own: its fleet or group is brought in line with `tracked`.
    const everyOwner = machines.length === 0;
    const regions = everyOwner ? byRegion(owners, (owner) => this.regions.ofRequest(owner)) : this.byRegion(machines, owners);
    for (const [region] of regions) {
      const inRegion = machines.filter((machine) => this.regionOf(machine, owners) === region);
      const { groups } = groupByApi(inRegion, owners.filter((owner) => this.regions.ofRequest(owner) === region), tracked, everyOwner);
      for (const [api, list] of groups) {
        await this.regions.call(region, (parts) => parts.handlers[api].stopReplacing(list));
      }
    }
  }

  private byRegion(machines: readonly Machine[], owners: readonly Request[]): Map<string, Machine[]> {
    return byRegion(machines, (machine) => this.regionOf(machine, owners));
  }

  private regionOf(machine: Machine, owners: readonly Request[]): string {
    const owner = owners.find((request) => request.requestId === machine.requestId);
    return owner && readProviderData(owner.providerData) ? this.regions.ofRequest(owner) : this.regions.ofMachine(machine);
  }
}

function groupByApi(
  machines: readonly Machine[],
  owners: readonly Request[],
  tracked: readonly Machine[],
  everyOwner = false,
): { groups: Map<ProviderApi, ReleaseGroup[]>; orphans: Machine[] } {
  const groups = new Map<ProviderApi, Map<string, ReleaseGroup>>();
  const groupOf = (owner: Request): ReleaseGroup | undefined => {
    const data = readProviderData(owner.providerData);
    if (!data) return undefined;
    const forApi = groups.get(data.api) ?? new Map<string, ReleaseGroup>();
    const group = forApi.get(owner.requestId) ?? { owner, data, machines: [], tracked: tracked.filter((other) => other.requestId === owner.requestId) };
    forApi.set(owner.requestId, group);
    groups.set(data.api, forApi);
    return group;
  };
  if (everyOwner) for (const owner of owners) groupOf(owner);
  const byId = new Map(owners.map((owner) => [owner.requestId, owner]));
  const orphans: Machine[] = [];
  for (const machine of machines) {
    const owner = byId.get(machine.requestId);
    const group = owner && groupOf(owner);
    if (group) group.machines.push(machine);
    else orphans.push(machine);
  }
  return { groups: new Map([...groups].map(([api, forApi]) => [api, [...forApi.values()]])), orphans };
}
