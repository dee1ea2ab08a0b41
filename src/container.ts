import 'reflect-metadata';
import { Container } from 'inversify';
import { dirname, join } from 'node:path';
import { CachedPrices, PriceSettings } from './application/cached-prices.js';
import { CheckHealth } from './application/check-health.js';
import { CheckTemplates } from './application/check-templates.js';
import { GetAvailableTemplates } from './application/get-available-templates.js';
import { GetRequestStatus } from './application/get-request-status.js';
import { GetReturnRequests } from './application/get-return-requests.js';
import { CloudHealth, StoreHealth, TemplatesHealth } from './application/health-checks.js';
import { InterruptionNotices } from './application/interruption-notices.js';
import { ListActivity } from './application/list-activity.js';
import { MachineRecorder } from './application/machine-recorder.js';
import { ProviderIdentity } from './application/provider-identity.js';
import { RequestCosts } from './application/request-costs.js';
import { RequestMachines } from './application/request-machines.js';
import { RequestMachinesDryRun } from './application/request-machines-dry-run.js';
import { Reconcile, ReconcileSettings } from './application/reconcile.js';
import { RequestReturnMachines } from './application/request-return-machines.js';
import { RequestReturnMachinesDryRun } from './application/request-return-machines-dry-run.js';
import { ScheduledReconcile } from './application/scheduled-reconcile.js';
import { TemplateCatalog } from './application/template-catalog.js';
import { TemplatePrices } from './application/template-prices.js';
import { CapacityMemorySettings, UnavailableOfferings } from './application/unavailable-offerings.js';
import { CapacityMemory } from './domain/ports/capacity-memory.js';
import { Clock } from './domain/ports/clock.js';
import { CloudProvider } from './domain/ports/cloud-provider.js';
import { HealthCheck } from './domain/ports/health-check.js';
import { InterruptionFeed } from './domain/ports/interruption-feed.js';
import { Logger } from './domain/ports/logger.js';
import { Metrics } from './domain/ports/metrics.js';
import { PriceCache } from './domain/ports/price-cache.js';
import { PriceSource } from './domain/ports/price-source.js';
import { MachineRepository } from './domain/ports/machine-repository.js';
import { RequestRepository } from './domain/ports/request-repository.js';
import { ResourceLease } from './domain/ports/resource-lease.js';
import { SweepSchedule } from './domain/ports/sweep-schedule.js';
import { TemplateRepository } from './domain/ports/template-repository.js';
import { DryRunCommands } from './infrastructure/cli/dry-run-commands.js';
import { PeopleCommands } from './infrastructure/cli/people-commands.js';
import { StoreCommands } from './infrastructure/cli/store-commands.js';
import { SystemClock } from './infrastructure/clock/system-clock.js';
import type { ProviderConfig } from './infrastructure/config/provider-config.js';
import { BUNDLED_CONFIG_DIR, type RuntimeSettings } from './infrastructure/config/runtime-settings.js';
import { HostFactoryOperations } from './infrastructure/hostfactory/hostfactory-operations.js';
import { measured } from './infrastructure/metrics/measured-store.js';
import { NoMetrics } from './infrastructure/metrics/no-metrics.js';
import { FilePriceCache, PRICE_CACHE_FILE_NAME } from './infrastructure/prices/file-price-cache.js';
import { FileSweepSchedule } from './infrastructure/schedule/file-sweep-schedule.js';
import { pluginSearchDirs } from './infrastructure/plugins/plugin-discovery.js';
import { parseProviderKeys, PROVIDER_ERRORS, ProviderLifecycle } from './infrastructure/plugins/provider-lifecycle.js';
import { ProviderRegistry, type BuiltinProvider } from './infrastructure/plugins/provider-registry.js';
import { openStore } from './infrastructure/storage/open-store.js';
import { FileTemplateRepository } from './infrastructure/templates/file-template-repository.js';
import { TemplateSettings } from './infrastructure/templates/template-settings.js';
import type { ProviderInstance } from './plugin/provider-plugin.js';

export interface Composition {
  container: Container;
  /** The cloud provider instance, started (ready); stopped by dispose. */
  provider: ProviderLifecycle;
  instance: ProviderInstance;
  dispose(): Promise<void>;
}

/** The providers that ship with this package, each imported only when an instance uses it (the sim never loads AWS code). */
export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  { id: 'sim', load: async () => (await import('./providers/sim/index.js')).default },
  { id: 'aws', load: async () => (await import('./providers/aws/index.js')).default },
];

/** The built-ins and the provider packages installed where docs/providers.md says discovery looks. */
export function providerRegistry(env: NodeJS.ProcessEnv): ProviderRegistry {
  return new ProviderRegistry(BUILTIN_PROVIDERS, pluginSearchDirs(dirname(BUNDLED_CONFIG_DIR), env));
}

/** The composition root: the only place that binds, and that picks adapters from config. */
export async function buildContainer(
  settings: RuntimeSettings,
  config: ProviderConfig,
  storeUrl: string,
  logger: Logger,
  /** Where to count (README, "Metrics"); nothing is counted when absent. */
  metrics: Metrics = new NoMetrics(),
  registry: ProviderRegistry = providerRegistry(process.env),
): Promise<Composition> {
  const container = new Container();
  const disposers: Array<() => Promise<void>> = [];
  const counted = <T extends object>(port: T, name: string): T => (metrics instanceof NoMetrics ? port : measured(port, name, metrics));

  container.bind(Logger).toConstantValue(logger);
  container.bind(Metrics).toConstantValue(metrics);
  container.bind(Clock).to(SystemClock).inSingletonScope();
  container.bind(ProviderIdentity).toConstantValue(new ProviderIdentity(settings.providerName, config.returnUntrackedHosts));
  container.bind(TemplateRepository).to(FileTemplateRepository).inSingletonScope();
  container.bind(ReconcileSettings).toConstantValue(new ReconcileSettings(config.reconcile.graceSec, config.reconcile.intervalSec, config.reconcile.apply));
  container.bind(CapacityMemorySettings).toConstantValue(new CapacityMemorySettings(config.capacityMemoryTtlSec));
  container.bind(SweepSchedule).toConstantValue(new FileSweepSchedule(join(settings.workDir, 'reconcile-last-run')));
  container.bind(PriceSettings).toConstantValue(new PriceSettings(config.prices.cacheTtlSec, config.prices.priceInfo));
  container.bind(PriceCache).toConstantValue(new FilePriceCache(join(settings.workDir, PRICE_CACHE_FILE_NAME)));

  let provider: ProviderLifecycle | undefined;
  let instance: ProviderInstance | undefined;
  const dispose = async () => {
    await container.unbindAllAsync();
    for (const disposer of disposers.reverse()) await disposer();
  };
  try {
    const loaded = await registry.resolve(config.providerType);
    const providerConfig = parseProviderKeys(loaded, config.raw, config.file);
    container.bind(TemplateSettings).toConstantValue({ confDir: settings.confDir, providerName: settings.providerName, providerType: loaded.plugin.id });

    const store = await openStore(storeUrl, { clock: container.get(Clock), logger });
    disposers.push(() => store.close());
    container.bind(RequestRepository).toConstantValue(counted(store.requests, 'requests'));
    container.bind(MachineRepository).toConstantValue(counted(store.machines, 'machines'));
    container.bind(ResourceLease).toConstantValue(store.leases);
    container.bind(CapacityMemory).toConstantValue(store.capacity);

    const context = { config: providerConfig, configFile: config.file, providerName: settings.providerName, workDir: settings.workDir, logger, clock: container.get(Clock), metrics, store: { leases: store.leases }, templates: container.get(TemplateRepository), errors: PROVIDER_ERRORS };
    provider = new ProviderLifecycle(loaded, context);
    disposers.push(() => provider!.stop());
    instance = await provider.start();
    container.bind(CloudProvider).toConstantValue(instance.cloud);
    if (instance.interruptions) container.bind(InterruptionFeed).toConstantValue(instance.interruptions);
    if (instance.prices) container.bind(PriceSource).toConstantValue(instance.prices);
  } catch (error) {
    await dispose();
    throw error;
  }

  container.bind(MachineRecorder).toSelf();
  container.bind(UnavailableOfferings).toSelf();
  container.bind(GetAvailableTemplates).toSelf();
  container.bind(RequestMachines).toSelf();
  container.bind(RequestMachinesDryRun).toSelf();
  container.bind(GetRequestStatus).toSelf();
  container.bind(RequestReturnMachines).toSelf();
  container.bind(RequestReturnMachinesDryRun).toSelf();
  container.bind(GetReturnRequests).toSelf();
  container.bind(InterruptionNotices).toSelf();
  container.bind(Reconcile).toSelf();
  container.bind(ScheduledReconcile).toSelf();
  container.bind(ListActivity).toSelf();
  container.bind(CachedPrices).toSelf();
  container.bind(TemplatePrices).toSelf();
  container.bind(RequestCosts).toSelf();
  container.bind(HealthCheck).to(TemplatesHealth);
  container.bind(HealthCheck).to(StoreHealth);
  container.bind(HealthCheck).toConstantValue(provider!);
  container.bind(HealthCheck).to(CloudHealth);
  container.bind(CheckHealth).toSelf();
  container.bind(TemplateCatalog).toSelf();
  container.bind(CheckTemplates).toSelf();
  container.bind(HostFactoryOperations).toSelf();
  container.bind(PeopleCommands).toSelf();
  container.bind(DryRunCommands).toSelf();
  container.bind(StoreCommands).toSelf();

  return { container, provider: provider!, instance: instance!, dispose };
}
