import { inject, injectable } from 'inversify';
import { HostFactoryError } from '../../domain/errors.js';
import type { CloudMachine, Machine } from '../../domain/machine.js';
import type { CloudProvider, FulfilmentReport, LaunchOrder, LaunchResult, Reclaim, TrackedRequest } from '../../domain/ports/cloud-provider.js';
import { Clock } from '../../domain/ports/clock.js';
import { Logger } from '../../domain/ports/logger.js';
import type { Request } from '../../domain/request.js';
import type { ProviderApi } from '../../domain/template.js';
import { chooseApi } from './api-choice.js';
import { AsgHandler } from './asg-handler.js';
import type { ApiHandler, AwsContext, ReleaseGroup } from './api-handler.js';
import { AwsClients } from './aws-clients.js';
import { awsErrorCode, translateAwsError } from './aws-error-classifier.js';
import { AwsSettings } from './aws-settings.js';
import { planCapacity } from './capacity-plan.js';
import { Ec2FleetHandler } from './ec2-fleet-handler.js';
import { FulfilmentReporter } from './fulfilment-reporter.js';
import { HeterogeneousFallback } from './heterogeneous-fallback.js';
import { ImageResolver } from './image-resolver.js';
import { describeInstances } from './instance-reader.js';
import { goneMachine, toCloudMachine } from './instance-mapper.js';
import { terminateInstances } from './instance-terminator.js';
import { LaunchTemplateCleaner } from './launch-template-cleaner.js';
import { LaunchTemplateStore } from './launch-template-store.js';
import { readProviderData } from './provider-data.js';
import { ReclaimFinder } from './reclaim-finder.js';
import { requestTags } from './resource-tags.js';
import { RunInstancesHandler } from './run-instances-handler.js';
import { SpotFleetHandler } from './spot-fleet-handler.js';

/**
 * The CloudProvider port on AWS: RunInstances, EC2 Fleet, Spot Fleet and Auto Scaling groups,
 * chosen per template (see api-choice.ts), with one batched call set per status poll.
 */
@injectable()
export class AwsCloudProvider implements CloudProvider {
  private readonly context: AwsContext;
  private readonly launchTemplates: LaunchTemplateStore;
  private readonly handlers = new Map<ProviderApi, ApiHandler>();
  private readonly reporter: FulfilmentReporter;
  private readonly cleaner: LaunchTemplateCleaner;
  private readonly reclaims: ReclaimFinder;

  constructor(
    @inject(AwsSettings) settings: AwsSettings,
    @inject(AwsClients) clients: AwsClients,
    @inject(Clock) clock: Clock,
    @inject(Logger) logger: Logger,
  ) {
    this.context = { clients, config: settings.config, providerName: settings.providerName, clock, logger };
    this.launchTemplates = new LaunchTemplateStore(clients, new ImageResolver(clients, settings.config), settings.providerName);
    this.reporter = new FulfilmentReporter(this.context, (api) => this.handlerOf(api));
    this.cleaner = new LaunchTemplateCleaner(this.context);
    this.reclaims = new ReclaimFinder(this.context);
  }

  async launch(order: LaunchOrder): Promise<LaunchResult> {
    const { template, requestId } = order;
    if (!Number.isInteger(order.units) || order.units <= 0) {
      throw new HostFactoryError('INVALID_INPUT', `request ${requestId}: units must be a positive integer (got ${order.units})`);
    }
    const choice = chooseApi(template);
    if (choice.api === 'SpotFleet' && !template.fleetRole) {
      throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: providerApi SpotFleet needs a fleetRole`);
    }
    const plan = planCapacity(template, order.units);
    const tags = requestTags(template, this.context.providerName, requestId);
    const handler = this.handlerOf(choice.api);
    let launchTemplate = await this.launchTemplates.ensure(template, requestId, choice.api);
    let result: LaunchResult;
    try {
      result = await handler.launch({ requestId, template, plan, fleetType: choice.fleetType, launchTemplate, tags });
    } catch (error) {
      const code = awsErrorCode((error as { cause?: unknown }).cause);
      if (!launchTemplate.created || !code.startsWith('InvalidLaunchTemplate')) throw error;
      // Our launch template was deleted under us (another process found it unused): make it again.
      this.launchTemplates.forget(launchTemplate.launchTemplateId);
      launchTemplate = await this.launchTemplates.ensure(template, `${requestId}-again`, choice.api);
      result = await handler.launch({ requestId, template, plan, fleetType: choice.fleetType, launchTemplate, tags });
    }
    this.context.logger.info(
      { requestId, templateId: template.templateId, api: choice.api, fleetType: choice.fleetType, units: order.units, instances: result.machines.length },
      'launched',
    );
    return result;
  }

  describeRequests(requests: readonly TrackedRequest[]): Promise<Map<string, FulfilmentReport>> {
    return this.reporter.report(requests);
  }

  async describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]> {
    if (machines.length === 0) return [];
    const listing = await describeInstances(await this.context.clients.ec2(), this.context.config, machines.map((machine) => machine.machineId));
    return machines.map((machine) => {
      const instance = listing.instances.get(machine.machineId);
      if (instance) return toCloudMachine(instance, { weight: machine.weight, resourceId: machine.resourceId });
      return goneMachine({ ...machine });
    });
  }

  async release(machines: readonly Machine[], owners: readonly Request[]): Promise<void> {
    if (machines.length === 0) return;
    const byId = new Map(owners.map((owner) => [owner.requestId, owner]));
    const groups = new Map<ProviderApi, Map<string, ReleaseGroup>>();
    const orphans: string[] = [];
    for (const machine of machines) {
      const owner = byId.get(machine.requestId);
      const data = readProviderData(owner?.providerData);
      if (!owner || !data) {
        orphans.push(machine.machineId);
        continue;
      }
      const forApi = groups.get(data.api) ?? new Map<string, ReleaseGroup>();
      const group = forApi.get(owner.requestId) ?? { owner, data, machines: [] };
      group.machines.push(machine);
      forApi.set(owner.requestId, group);
      groups.set(data.api, forApi);
    }
    const failures: unknown[] = [];
    const freed: string[] = [];
    for (const [api, forApi] of groups) {
      try {
        freed.push(...(await this.handlerOf(api).release([...forApi.values()])).freedLaunchTemplates);
      } catch (error) {
        failures.push(error);
        this.context.logger.error({ api, error: (error as Error).message }, 'release failed');
      }
    }
    if (orphans.length > 0) {
      await terminateInstances(await this.context.clients.ec2(), orphans).catch((error: unknown) => failures.push(error));
    }
    const parts = groups.size + (orphans.length > 0 ? 1 : 0);
    if (failures.length === parts) throw translateAwsError(failures[0], 'release');
    if (freed.length > 0) await this.cleaner.cleanUp(freed, new Set(groups.keys()));
  }

  listReclaims(machines: readonly Machine[]): Promise<Reclaim[]> {
    return this.reclaims.find(machines);
  }

  private handlerOf(api: ProviderApi): ApiHandler {
    let handler = this.handlers.get(api);
    if (!handler) {
      handler = this.createHandler(api);
      this.handlers.set(api, handler);
    }
    return handler;
  }

  private createHandler(api: ProviderApi): ApiHandler {
    switch (api) {
      case 'RunInstances':
        return new RunInstancesHandler(this.context);
      case 'EC2Fleet':
        return new Ec2FleetHandler(this.context);
      case 'SpotFleet':
        return new SpotFleetHandler(this.context, new HeterogeneousFallback(this.context, this.handlerOf('RunInstances')));
      case 'ASG':
        return new AsgHandler(this.context);
      default:
        throw new HostFactoryError('INVALID_INPUT', `providerApi ${String(api)} is not supported`);
    }
  }
}
