import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ResourceLease } from '../../domain/ports/resource-lease.js';
import type { ProviderApi } from '../../domain/template.js';
import type { AwsSettings } from './aws-settings.js';
import type { AwsClients } from './ec2/aws-clients.js';
import { CapacityPools } from './capacity-pools.js';
import { AwsGateway } from './ec2/aws-gateway.js';
import { dryRunGateway } from './ec2/dry-run-gateways.js';
import { FulfilmentReporter } from './fulfilment-reporter.js';
import type { ApiHandler, AwsContext } from './handlers/api-handler.js';
import { AsgHandler } from './handlers/asg-handler.js';
import { Ec2FleetApi } from './handlers/ec2-fleet-api.js';
import { FleetHandler } from './handlers/fleet-handler.js';
import { HeterogeneousFallback } from './handlers/heterogeneous-fallback.js';
import { RunInstancesHandler } from './handlers/run-instances-handler.js';
import { SpotFleetApi } from './handlers/spot-fleet-api.js';
import { ImageResolver } from './image-resolver.js';
import { InventoryReader } from './inventory-reader.js';
import { LaunchTemplateCleaner } from './launch-template-cleaner.js';
import { LaunchTemplateStore } from './launch-template-store.js';
import { LeakRemover } from './leak-remover.js';
import { ReclaimFinder } from './reclaim-finder.js';
import { SubnetZones } from './subnet-zones.js';
import { LaunchCheck } from './template-checks/launch-check.js';
import { TemplateChecker } from './template-checks/template-checker.js';

/** Every part of the AWS provider, built once per process. */
export interface AwsProviderParts {
  context: AwsContext;
  handlers: Record<ProviderApi, ApiHandler>;
  launchTemplates: LaunchTemplateStore;
  cleaner: LaunchTemplateCleaner;
  reporter: FulfilmentReporter;
  reclaims: ReclaimFinder;
  subnets: SubnetZones;
  capacity: CapacityPools;
  inventory: InventoryReader;
  leaks: LeakRemover;
  checker: TemplateChecker;
  /** The launch call of a request made with DryRun (templates validate --cloud, machines request --dry-run). */
  launchCheck: LaunchCheck;
}

/**
 * The AWS provider of one region wired from its parts: one flat list, nothing decided elsewhere.
 * Every part sees `region` as its config's region, with that region's clients.
 */
export function buildAwsParts(settings: AwsSettings, clients: AwsClients, clock: Clock, logger: Logger, lease: ResourceLease, region = settings.config.region): AwsProviderParts {
  const config = { ...settings.config, region };
  const regional = clients.inRegion(region);
  const gateway = new AwsGateway(regional, config, logger);
  const context: AwsContext = { gateway, config, providerName: settings.providerName, clock, logger, lease };
  const subnets = new SubnetZones(context, settings.workDir, region === settings.config.region ? undefined : `aws-subnets.${region}.json`);
  const capacity = new CapacityPools(subnets, logger);
  const runInstances = new RunInstancesHandler(context);
  const handlers: Record<ProviderApi, ApiHandler> = {
    RunInstances: runInstances,
    EC2Fleet: new FleetHandler(context, new Ec2FleetApi(gateway.ec2Fleets)),
    SpotFleet: new FleetHandler(context, new SpotFleetApi(gateway.spotFleets), new HeterogeneousFallback(context, runInstances, capacity)),
    ASG: new AsgHandler(context),
  };
  const images = new ImageResolver(gateway, clock);
  const launchTemplates = new LaunchTemplateStore(gateway.launchTemplates, images, settings.providerName);
  // The same handlers over a gateway whose launch calls carry DryRun: `templates validate --cloud`.
  const dryRun: AwsContext = { ...context, gateway: dryRunGateway(gateway, regional, config, logger) };
  const dryRunInstances = new RunInstancesHandler(dryRun);
  const dryRunHandlers: Record<ProviderApi, ApiHandler> = {
    RunInstances: dryRunInstances,
    EC2Fleet: new FleetHandler(dryRun, new Ec2FleetApi(dryRun.gateway.ec2Fleets)),
    SpotFleet: new FleetHandler(dryRun, new SpotFleetApi(dryRun.gateway.spotFleets)),
    ASG: dryRunInstances,
  };
  const launchCheck = new LaunchCheck(context, dryRunHandlers, launchTemplates, subnets);
  const cleaner = new LaunchTemplateCleaner(context);
  return {
    context,
    handlers,
    launchTemplates,
    cleaner,
    reporter: new FulfilmentReporter(context, (api) => handlers[api]),
    reclaims: new ReclaimFinder(context),
    subnets,
    capacity,
    inventory: new InventoryReader(context, cleaner),
    leaks: new LeakRemover(context, cleaner),
    checker: new TemplateChecker(context, images, launchCheck),
    launchCheck,
  };
}
