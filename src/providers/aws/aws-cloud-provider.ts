import { inject, injectable, optional } from 'inversify';
import { HostFactoryError, LaunchFailedError, unavailableOfferingsOf } from '../../domain/errors.js';
import type { CloudMachine, Machine, MachineRef } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import type { CloudAccess, CloudHost, CloudInventory, CloudProvider, CloudResource, FulfilmentReport, LaunchOrder, LaunchResult, PlannedLaunch, Reclaim, ReleaseResult, TemplateCheck, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import { Clock } from '../../domain/ports/clock.js';
import { Logger } from '../../domain/ports/logger.js';
import { ResourceLease } from '../../domain/ports/resource-lease.js';
import { TemplateRepository } from '../../domain/ports/template-repository.js';
import type { Request } from '../../domain/request.js';
import type { ProviderApi, Template } from '../../domain/template.js';
import { chooseApi } from './api-choice.js';
import { buildAwsParts, type AwsProviderParts } from './aws-provider-parts.js';
import { AwsRegions, byRegion, inRegion } from './aws-regions.js';
import { AwsSettings } from './aws-settings.js';
import { planCapacity } from './capacity-plan.js';
import { LaunchPools } from './launch-pools.js';
import { AwsClients } from './ec2/aws-clients.js';
import { isLaunchTemplateNotFound, isOutcomeUnknown } from './ec2/aws-errors.js';
import { goneMachine, toCloudHost, toCloudMachine } from './instance-mapper.js';
import { MachineRelease } from './machine-release.js';
import { readProviderData } from './provider-data.js';
import { requestTags } from './resource-tags.js';
import { planAwsLaunch } from './launch-planner.js';

const FLEET_APIS = new Set<ProviderApi>(['EC2Fleet', 'SpotFleet']);

/**
 * The CloudProvider port on AWS: RunInstances, EC2 Fleet, Spot Fleet and Auto Scaling groups,
 * chosen per template (see api-choice.ts), in the template's region (AWS_REGION when it names
 * none), with one batched call set per region per status poll. This is the adapter's edge: AWS
 * errors become HostFactoryErrors here and nowhere else.
 */
@injectable()
export class AwsCloudProvider implements CloudProvider {
  private readonly regions: AwsRegions;
  private readonly releases: MachineRelease;

  constructor(
    @inject(AwsSettings) settings: AwsSettings,
    @inject(AwsClients) clients: AwsClients,
    @inject(Clock) clock: Clock,
    @inject(Logger) logger: Logger,
    @inject(ResourceLease) lease: ResourceLease,
    /** The templates' regions are searched too (findHosts, inventory); without it, AWS_REGION only. */
    @inject(TemplateRepository) @optional() templates?: Pick<TemplateRepository, 'list'>,
  ) {
    this.regions = new AwsRegions(settings.config.region, (region) => buildAwsParts(settings, clients, clock, logger, lease, region), templates);
    this.releases = new MachineRelease(this.regions);
  }

  /**
   * Launches in the template's region and records it in the provider data, so every later call
   * for the request goes there whatever the template says by then. Pools noted out of capacity on
   * the way (see CapacityPools) come back in the result, or in a LaunchFailedError when nothing
   * launched.
   */
  async launch(order: LaunchOrder): Promise<LaunchResult> {
    const region = this.regionOf(order.template);
    const parts = this.regions.of(region);
    const pools = new LaunchPools(order.unavailable);
    try {
      const result = await this.launchOrder(parts, order, pools);
      const offerings = await parts.capacity.offeringsOf(pools);
      const launched = { ...result, machines: result.machines.map((machine) => inRegion(machine, region)), providerData: { ...result.providerData, region } };
      return offerings.length > 0 ? { ...launched, unavailableOfferings: offerings } : launched;
    } catch (error) {
      const failure = this.regions.translate(error, region);
      const offerings = await parts.capacity.offeringsOf(pools);
      throw offerings.length > 0 ? new LaunchFailedError(failure, offerings) : failure;
    }
  }

  /** See CapacityPools.ofTemplate: from the subnet cache of the template's region, never a call to AWS. */
  async offeringsOf(template: Template): Promise<Offering[] | undefined> {
    try {
      return await this.regions.of(this.regionOf(template)).capacity.ofTemplate(template, planCapacity(template, 100));
    } catch {
      return undefined;
    }
  }

  /** One call in AWS_REGION. */
  async checkAccess(): Promise<CloudAccess> {
    const { context } = this.regions.of();
    const { config, clock } = context;
    try {
      const sent = clock.now();
      const { zones, serverTime } = await context.gateway.region.probe();
      const received = clock.now();
      const message = `EC2 in ${config.region} answered (${zones.length} zones: ${zones.join(', ')})`;
      // The Date header has whole seconds: compare it with the middle of the call, rounded down the same way.
      return serverTime === undefined ? { message } : { message, clockSkewMs: serverTime - Math.floor((sent + received) / 2000) * 1000 };
    } catch (error) {
      throw this.regions.translate(error, config.region);
    }
  }

  /** See planAwsLaunch: the launch in the template's region, its call made with DryRun; nothing is created. */
  async planLaunch(order: LaunchOrder): Promise<PlannedLaunch> {
    const region = this.regionOf(order.template);
    return planAwsLaunch(this.regions.of(region), order).catch((error: unknown) => {
      throw this.regions.translate(error, region);
    });
  }

  /** See TemplateChecker: each template's fields against AWS in its region, and its launch call as a DryRun; nothing is created. */
  async checkTemplates(templates: readonly Template[]): Promise<TemplateCheck[]> {
    const checks = new Map<Template, TemplateCheck>();
    for (const [region, list] of byRegion(templates, (template) => this.regionOf(template))) {
      const found = await this.regions.call(region, (parts) => parts.checker.check(list));
      list.forEach((template, index) => checks.set(template, found[index]));
    }
    return templates.map((template) => checks.get(template)!);
  }

  private async launchOrder(parts: AwsProviderParts, order: LaunchOrder, pools: LaunchPools): Promise<LaunchResult> {
    const { template, requestId } = order;
    if (!Number.isInteger(order.units) || order.units <= 0) {
      throw new HostFactoryError('INVALID_INPUT', `request ${requestId}: units must be a positive integer (got ${order.units})`);
    }
    const choice = chooseApi(template);
    if (choice.api === 'SpotFleet' && !template.fleetRole) {
      throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: providerApi SpotFleet needs a fleetRole`);
    }
    const plan = planCapacity(template, order.units);
    if (FLEET_APIS.has(choice.api)) plan.subnetIds = await parts.subnets.onePerZone(plan.subnetIds);
    await parts.capacity.prepare(pools, plan);
    const tags = requestTags(template, parts.context.providerName, requestId);
    const handler = parts.handlers[choice.api];
    const { launchTemplates } = parts;
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
      if (launchTemplate.created && !isOutcomeUnknown(error)) await parts.cleaner.cleanUp([launchTemplate.launchTemplateId], new Set([choice.api]));
      throw error;
    }
    parts.context.logger.info(
      { requestId, templateId: template.templateId, region: parts.context.config.region, api: choice.api, fleetType: choice.fleetType, units: order.units, instances: result.machines.length },
      'launched',
    );
    return result;
  }

  /** One batched call set per region, the region each request launched in. */
  async describeRequests(requests: readonly TrackedRequest[], unavailable?: () => Promise<readonly Offering[]>): Promise<Map<string, FulfilmentReport>> {
    const unlaunched = requests.filter((entry) => !readProviderData(entry.request.providerData));
    const launched = requests.filter((entry) => !unlaunched.includes(entry));
    const reports = new Map<string, FulfilmentReport>();
    for (const [region, list] of byRegion(launched, (entry) => this.regions.ofRequest(entry.request))) {
      const found = await this.regions.call(region, (parts) => parts.reporter.report(list, unavailable));
      for (const [requestId, report] of found) {
        const machines = report.machines.map((machine) => inRegion(machine, region));
        reports.set(requestId, report.providerData ? { ...report, machines, providerData: { ...report.providerData, region } } : { ...report, machines });
      }
    }
    for (const entry of unlaunched) reports.set(entry.request.requestId, await this.relaunch(entry, unavailable));
    return reports;
  }

  /**
   * A request whose launch answer was lost (the SDK gave up on a call AWS may have carried out)
   * is launched again with the same request id, so the same ClientToken: AWS answers with what the
   * first call made, or makes it now. Given up once older than AWS_INSTANCE_PENDING_TIMEOUT_SEC.
   */
  private async relaunch(entry: TrackedRequest, unavailable?: () => Promise<readonly Offering[]>): Promise<FulfilmentReport> {
    const { request, template } = entry;
    const { context } = this.regions.of();
    const ageSec = (context.clock.now() - request.createdAt) / 1000;
    if (!template) return { machines: [], final: true, message: `template ${request.templateId} no longer exists; the launch was not confirmed` };
    if (ageSec > context.config.instancePendingTimeoutSec) return { machines: [], final: true, message: `launch never confirmed by AWS: ${request.message ?? 'no answer'}` };
    // Outside the try: a store set up wrong fails the poll (as it fails requestMachines), it does not end the request.
    const remembered = await unavailable?.();
    try {
      const result = await this.launch({ requestId: request.requestId, template, units: request.machineCount, unavailable: remembered });
      const { unavailableOfferings } = result;
      return { machines: result.machines, final: false, providerData: result.providerData, ...(result.message ? { message: result.message } : {}), ...(unavailableOfferings ? { unavailableOfferings } : {}) };
    } catch (error) {
      const failure = this.regions.translate(error, this.regionOf(template));
      const offerings = unavailableOfferingsOf(error);
      const learnt = offerings.length > 0 ? { unavailableOfferings: [...offerings] } : {};
      if (failure.retryable || isOutcomeUnknown(error)) return { machines: [], final: false, message: `launch not confirmed (${failure.message}); retried next poll`, ...learnt };
      return { machines: [], final: true, message: failure.message, ...learnt };
    }
  }

  /** One DescribeInstances set per region, each machine in the region recorded on it. */
  async describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]> {
    const seen: CloudMachine[] = [];
    for (const [region, list] of byRegion(machines, (machine) => this.regions.ofMachine(machine))) {
      const { context } = this.regions.of(region);
      const listing = await this.regions.call(region, () => context.gateway.instances.describe(list.map((machine) => machine.machineId)));
      const nowSec = context.clock.now() / 1000;
      for (const machine of list) {
        const instance = listing.instances.get(machine.machineId);
        if (instance) seen.push(inRegion(toCloudMachine(instance, { weight: machine.weight, resourceId: machine.resourceId }), region));
        // Eventual consistency: a host launched moments ago may not be visible yet; it is not gone.
        else if (nowSec - machine.launchTime >= context.config.instancePendingTimeoutSec) seen.push(goneMachine({ ...machine }));
      }
    }
    return seen;
  }

  /** See MachineRelease: per region, then per API and owning resource. */
  release(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[] = []): Promise<ReleaseResult> {
    return this.releases.release(machines, owners, tracked);
  }

  /**
   * By id, else by host name: in AWS_REGION first, then in each template's region for the refs not
   * found yet. A region that cannot be asked fails the search: a host left out would be reported
   * gone to HostFactory.
   */
  async findHosts(refs: readonly MachineRef[]): Promise<CloudHost[]> {
    let ids = refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : []));
    let names = refs.flatMap((ref) => (!ref.machineId && ref.name ? [ref.name] : []));
    const hosts: CloudHost[] = [];
    for (const region of await this.regions.searched()) {
      if (ids.length === 0 && names.length === 0) break;
      const found = await this.regions.call(region, async ({ context: { gateway } }) => [
        ...(ids.length > 0 ? (await gateway.instances.describe(ids)).instances.values() : []),
        ...(names.length > 0 ? await gateway.instances.byPrivateDnsNames(names) : []),
      ]);
      const seen = found.map((instance) => inRegion(toCloudHost(instance), region));
      hosts.push(...seen);
      ids = ids.filter((id) => !seen.some((host) => host.machineId === id));
      names = names.filter((name) => !seen.some((host) => host.name === name));
    }
    return hosts;
  }

  /**
   * See InventoryReader: four tag-filtered listings, each all pages, in AWS_REGION, every `live`
   * machine's region (a failure there fails the inventory: its machines would be taken for gone)
   * and every template's region (one that cannot be asked is left out).
   */
  async inventory(live: readonly Machine[] = []): Promise<CloudInventory> {
    const needed = new Set([this.regions.home, ...live.map((machine) => this.regions.ofMachine(machine))]);
    const regions = await this.regions.searched(needed);
    const read = (parts: AwsProviderParts) => parts.inventory.read();
    const found = await Promise.all(regions.map((region) => (needed.has(region) ? this.regions.call(region, read) : this.regions.callOrSkip(region, read, { hosts: [], resources: [] }))));
    return {
      hosts: found.flatMap((inventory, index) => inventory.hosts.map((host) => inRegion(host, regions[index]))),
      resources: found.flatMap((inventory, index) => inventory.resources.map((resource) => inRegion(resource, regions[index]))),
    };
  }

  /** See LeakRemover, in each region the inventory found them in: fleets and groups deleted with their instances, then the hosts terminated, then unused launch templates deleted. */
  async removeLeaks(hosts: readonly Pick<CloudHost, 'machineId' | 'region'>[], resources: readonly CloudResource[]): Promise<void> {
    const { home } = this.regions;
    const regions = new Set([...hosts.map((host) => host.region ?? home), ...resources.map((resource) => resource.region ?? home)]);
    const errors: unknown[] = [];
    for (const region of regions) {
      const ids = hosts.filter((host) => (host.region ?? home) === region).map((host) => host.machineId);
      const own = resources.filter((resource) => (resource.region ?? home) === region);
      await this.regions.call(region, (parts) => parts.leaks.remove(ids, own)).catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  }

  /** One set of reclaim look-ups per region. */
  async listReclaims(machines: readonly Machine[]): Promise<Reclaim[]> {
    const reclaims: Reclaim[] = [];
    for (const [region, list] of byRegion(machines, (machine) => this.regions.ofMachine(machine))) {
      reclaims.push(...(await this.regions.call(region, (parts) => parts.reclaims.find(list))));
    }
    return reclaims;
  }

  /** See MachineRelease. */
  stopReplacing(machines: readonly Machine[], owners: readonly Request[], tracked: readonly Machine[]): Promise<void> {
    return this.releases.stopReplacing(machines, owners, tracked);
  }

  private regionOf(template: Template): string {
    return template.region ?? this.regions.home;
  }
}
