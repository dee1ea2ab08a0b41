import { inject, injectable } from 'inversify';
import { HostFactoryError, LaunchFailedError, unavailableOfferingsOf } from '../../domain/errors.js';
import type { CloudMachine, Machine, MachineRef } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import type { CloudAccess, CloudHost, CloudInventory, CloudProvider, CloudResource, FulfilmentReport, LaunchOrder, LaunchResult, Reclaim, ReleaseResult, TemplateCheck, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import { Clock } from '../../domain/ports/clock.js';
import { Logger } from '../../domain/ports/logger.js';
import { ResourceLease } from '../../domain/ports/resource-lease.js';
import type { Request } from '../../domain/request.js';
import type { ProviderApi, Template } from '../../domain/template.js';
import { chooseApi } from './api-choice.js';
import { buildAwsParts, type AwsProviderParts } from './aws-provider-parts.js';
import { AwsSettings } from './aws-settings.js';
import { planCapacity } from './capacity-plan.js';
import { LaunchPools } from './launch-pools.js';
import { AwsClients } from './ec2/aws-clients.js';
import { isLaunchTemplateNotFound, isOutcomeUnknown, translateAwsError } from './ec2/aws-errors.js';
import { ReleaseFailures } from './handlers/instance-release.js';
import type { ReleaseGroup } from './handlers/api-handler.js';
import { goneMachine, toCloudHost, toCloudMachine } from './instance-mapper.js';
import { readProviderData } from './provider-data.js';
import { requestTags } from './resource-tags.js';

const FLEET_APIS = new Set<ProviderApi>(['EC2Fleet', 'SpotFleet']);

/**
 * The CloudProvider port on AWS: RunInstances, EC2 Fleet, Spot Fleet and Auto Scaling groups,
 * chosen per template (see api-choice.ts), with one batched call set per status poll. This is the
 * adapter's edge: AWS errors become HostFactoryErrors here and nowhere else.
 */
@injectable()
export class AwsCloudProvider implements CloudProvider {
  private readonly parts: AwsProviderParts;

  constructor(
    @inject(AwsSettings) settings: AwsSettings,
    @inject(AwsClients) clients: AwsClients,
    @inject(Clock) clock: Clock,
    @inject(Logger) logger: Logger,
    @inject(ResourceLease) lease: ResourceLease,
  ) {
    this.parts = buildAwsParts(settings, clients, clock, logger, lease);
  }

  /**
   * Pools noted out of capacity on the way (see CapacityPools) come back in the result, or in a
   * LaunchFailedError when nothing launched.
   */
  async launch(order: LaunchOrder): Promise<LaunchResult> {
    const pools = new LaunchPools(order.unavailable);
    try {
      const result = await this.launchOrder(order, pools);
      const offerings = await this.parts.capacity.offeringsOf(pools);
      return offerings.length > 0 ? { ...result, unavailableOfferings: offerings } : result;
    } catch (error) {
      const failure = translateAwsError(error);
      const offerings = await this.parts.capacity.offeringsOf(pools);
      throw offerings.length > 0 ? new LaunchFailedError(failure, offerings) : failure;
    }
  }

  /** See CapacityPools.ofTemplate: from the subnet cache, never a call to AWS. */
  async offeringsOf(template: Template): Promise<Offering[] | undefined> {
    try {
      return await this.parts.capacity.ofTemplate(template, planCapacity(template, 100));
    } catch {
      return undefined;
    }
  }

  async checkAccess(): Promise<CloudAccess> {
    const { config, clock } = this.parts.context;
    try {
      const sent = clock.now();
      const { zones, serverTime } = await this.parts.context.gateway.region.probe();
      const received = clock.now();
      const message = `EC2 in ${config.region} answered (${zones.length} zones: ${zones.join(', ')})`;
      // The Date header has whole seconds: compare it with the middle of the call, rounded down the same way.
      return serverTime === undefined ? { message } : { message, clockSkewMs: serverTime - Math.floor((sent + received) / 2000) * 1000 };
    } catch (error) {
      throw translateAwsError(error);
    }
  }

  /** See TemplateChecker: each template's fields against AWS, and its launch call as a DryRun; nothing is created. */
  checkTemplates(templates: readonly Template[]): Promise<TemplateCheck[]> {
    return this.parts.checker.check(templates).catch((error: unknown) => {
      throw translateAwsError(error);
    });
  }

  private async launchOrder(order: LaunchOrder, pools: LaunchPools): Promise<LaunchResult> {
    const { template, requestId } = order;
    if (!Number.isInteger(order.units) || order.units <= 0) {
      throw new HostFactoryError('INVALID_INPUT', `request ${requestId}: units must be a positive integer (got ${order.units})`);
    }
    const choice = chooseApi(template);
    if (choice.api === 'SpotFleet' && !template.fleetRole) {
      throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: providerApi SpotFleet needs a fleetRole`);
    }
    const plan = planCapacity(template, order.units);
    if (FLEET_APIS.has(choice.api)) plan.subnetIds = await this.parts.subnets.onePerZone(plan.subnetIds);
    await this.parts.capacity.prepare(pools, plan);
    const tags = requestTags(template, this.parts.context.providerName, requestId);
    const handler = this.parts.handlers[choice.api];
    const { launchTemplates } = this.parts;
    let launchTemplate = await launchTemplates.ensure(template, requestId, choice.api);
    let result: LaunchResult;
    try {
      try {
        result = await handler.launch({ requestId, template, plan, fleetType: choice.fleetType, launchTemplate, tags, pools });
      } catch (error) {
        if (!launchTemplate.created || !isLaunchTemplateNotFound(error)) throw error;
        // Our launch template was deleted under us (another process found it unused): make it again.
        launchTemplates.forget(launchTemplate.launchTemplateId);
        launchTemplate = await launchTemplates.ensure(template, `${requestId}-again`, choice.api);
        result = await handler.launch({ requestId, template, plan, fleetType: choice.fleetType, launchTemplate, tags, pools });
      }
    } catch (error) {
      // A launch that surely failed leaves no launch template of ours behind (one whose outcome is unknown is retried with it).
      if (launchTemplate.created && !isOutcomeUnknown(error)) await this.parts.cleaner.cleanUp([launchTemplate.launchTemplateId], new Set([choice.api]));
      throw error;
    }
    this.parts.context.logger.info(
      { requestId, templateId: template.templateId, api: choice.api, fleetType: choice.fleetType, units: order.units, instances: result.machines.length },
      'launched',
    );
    return result;
  }

  async describeRequests(requests: readonly TrackedRequest[]): Promise<Map<string, FulfilmentReport>> {
    const unlaunched = requests.filter((entry) => !readProviderData(entry.request.providerData));
    const reports = await this.parts.reporter.report(requests.filter((entry) => !unlaunched.includes(entry)));
    for (const entry of unlaunched) reports.set(entry.request.requestId, await this.relaunch(entry));
    return reports;
  }

  /**
   * A request whose launch answer was lost (the SDK gave up on a call AWS may have carried out)
   * is launched again with the same request id, so the same ClientToken: AWS answers with what the
   * first call made, or makes it now. Given up once older than AWS_INSTANCE_PENDING_TIMEOUT_SEC.
   */
  private async relaunch(entry: TrackedRequest): Promise<FulfilmentReport> {
    const { request, template } = entry;
    const ageSec = (this.parts.context.clock.now() - request.createdAt) / 1000;
    if (!template) return { machines: [], final: true, message: `template ${request.templateId} no longer exists; the launch was not confirmed` };
    if (ageSec > this.parts.context.config.instancePendingTimeoutSec) return { machines: [], final: true, message: `launch never confirmed by AWS: ${request.message ?? 'no answer'}` };
    try {
      const result = await this.launch({ requestId: request.requestId, template, units: request.machineCount });
      const { unavailableOfferings } = result;
      return { machines: result.machines, final: false, providerData: result.providerData, ...(result.message ? { message: result.message } : {}), ...(unavailableOfferings ? { unavailableOfferings } : {}) };
    } catch (error) {
      const failure = translateAwsError(error);
      const offerings = unavailableOfferingsOf(error);
      const learnt = offerings.length > 0 ? { unavailableOfferings: [...offerings] } : {};
      if (failure.retryable || isOutcomeUnknown(error)) return { machines: [], final: false, message: `launch not confirmed (${failure.message}); retried next poll`, ...learnt };
      return { machines: [], final: true, message: failure.message, ...learnt };
    }
  }

  async describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]> {
    if (machines.length === 0) return [];
    const { context } = this.parts;
    const listing = await context.gateway.instances.describe(machines.map((machine) => machine.machineId)).catch((error: unknown) => {
      throw translateAwsError(error);
    });
    const nowSec = context.clock.now() / 1000;
    return machines.flatMap((machine) => {
      const instance = listing.instances.get(machine.machineId);
      if (instance) return [toCloudMachine(instance, { weight: machine.weight, resourceId: machine.resourceId })];
      // Eventual consistency: a host launched moments ago may not be visible yet; it is not gone.
      if (nowSec - machine.launchTime < context.config.instancePendingTimeoutSec) return [];
      return [goneMachine({ ...machine })];
    });
  }

  async release(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[] = []): Promise<ReleaseResult> {
    if (machines.length === 0) return { failed: {} };
    const { groups, orphans } = this.groupByApi(machines, owners, tracked);
    const failures = new ReleaseFailures();
    const freed: string[] = [];
    for (const [api, list] of groups) {
      try {
        const outcome = await this.parts.handlers[api].release(list);
        freed.push(...outcome.freedLaunchTemplates);
        failures.add(outcome.failed);
        failures.errors.push(...outcome.errors);
      } catch (error) {
        failures.addError(list, error);
      }
    }
    try {
      // Machines of requests this provider has no record of: terminated by id.
      if (orphans.length > 0) await this.parts.context.gateway.instances.terminate(orphans.map((machine) => machine.machineId));
    } catch (error) {
      failures.addError([{ machines: orphans }], error);
    }
    if (failures.errors.length > 0) this.parts.context.logger.error({ failed: failures.failed }, 'release failed for some machines');
    // Nothing released because of an AWS error: the return fails. Machines only not visible yet stay claimed and are retried.
    if (Object.keys(failures.failed).length === machines.length && failures.errors.length > 0) throw translateAwsError(failures.errors[0]);
    if (freed.length > 0) await this.parts.cleaner.cleanUp(freed, new Set(groups.keys()));
    return { failed: failures.failed };
  }

  async findHosts(refs: readonly MachineRef[]): Promise<CloudHost[]> {
    const ids = refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : []));
    const names = refs.flatMap((ref) => (!ref.machineId && ref.name ? [ref.name] : []));
    const { instances } = this.parts.context.gateway;
    try {
      const byId = ids.length > 0 ? [...(await instances.describe(ids)).instances.values()] : [];
      const byName = names.length > 0 ? await instances.byPrivateDnsNames(names) : [];
      return [...byId, ...byName].map(toCloudHost);
    } catch (error) {
      throw translateAwsError(error);
    }
  }

  /** See InventoryReader: four tag-filtered listings, each all pages. */
  inventory(): Promise<CloudInventory> {
    return this.parts.inventory.read().catch((error: unknown) => {
      throw translateAwsError(error);
    });
  }

  /** See LeakRemover: fleets and groups deleted with their instances, then the hosts terminated. */
  removeLeaks(hostIds: readonly string[], resources: readonly CloudResource[]): Promise<void> {
    return this.parts.leaks.remove(hostIds, resources).catch((error: unknown) => {
      throw translateAwsError(error);
    });
  }

  listReclaims(machines: readonly Machine[]): Promise<Reclaim[]> {
    return this.parts.reclaims.find(machines).catch((error: unknown) => {
      throw translateAwsError(error);
    });
  }

  async stopReplacing(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[]): Promise<void> {
    // With no machines, every owner gets a group of its own: its fleet or group is brought in line with `tracked`.
    const { groups } = this.groupByApi(machines, owners, tracked, machines.length === 0);
    for (const [api, list] of groups) {
      await this.parts.handlers[api].stopReplacing(list).catch((error: unknown) => {
        throw translateAwsError(error);
      });
    }
  }

  private groupByApi(
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
}
