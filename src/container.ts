import 'reflect-metadata';
import { Container } from 'inversify';
import { join } from 'node:path';
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
import { RequestMachines } from './application/request-machines.js';
import { Reconcile, ReconcileSettings } from './application/reconcile.js';
import { RequestReturnMachines } from './application/request-return-machines.js';
import { ScheduledReconcile } from './application/scheduled-reconcile.js';
import { TemplateCatalog } from './application/template-catalog.js';
import { CapacityMemorySettings, UnavailableOfferings } from './application/unavailable-offerings.js';
import { CapacityMemory } from './domain/ports/capacity-memory.js';
import { Clock } from './domain/ports/clock.js';
import { CloudProvider } from './domain/ports/cloud-provider.js';
import { HealthCheck } from './domain/ports/health-check.js';
import { InterruptionFeed } from './domain/ports/interruption-feed.js';
import { Logger } from './domain/ports/logger.js';
import { Metrics } from './domain/ports/metrics.js';
import { MachineRepository } from './domain/ports/machine-repository.js';
import { RequestRepository } from './domain/ports/request-repository.js';
import { ResourceLease } from './domain/ports/resource-lease.js';
import { SweepSchedule } from './domain/ports/sweep-schedule.js';
import { TemplateRepository } from './domain/ports/template-repository.js';
import { PeopleCommands } from './infrastructure/cli/people-commands.js';
import { StoreCommands } from './infrastructure/cli/store-commands.js';
import { SystemClock } from './infrastructure/clock/system-clock.js';
import type { ProviderConfig } from './infrastructure/config/provider-config.js';
import type { RuntimeSettings } from './infrastructure/config/runtime-settings.js';
import { HostFactoryOperations } from './infrastructure/hostfactory/hostfactory-operations.js';
import { measured } from './infrastructure/metrics/measured-store.js';
import { NoMetrics } from './infrastructure/metrics/no-metrics.js';
import { FileSweepSchedule } from './infrastructure/schedule/file-sweep-schedule.js';
import { openStore } from './infrastructure/storage/open-store.js';
import { FileTemplateRepository } from './infrastructure/templates/file-template-repository.js';
import { TemplateSettings } from './infrastructure/templates/template-settings.js';

export interface Composition {
  container: Container;
  dispose(): Promise<void>;
}

/** The composition root: the only place that binds, and that picks adapters from config. */
export async function buildContainer(
  settings: RuntimeSettings,
  config: ProviderConfig,
  storeUrl: string,
  logger: Logger,
  /** Where to count (README, "Metrics"); nothing is counted when absent. */
  metrics: Metrics = new NoMetrics(),
): Promise<Composition> {
  const container = new Container();
  const disposers: Array<() => Promise<void>> = [];
  const counted = <T extends object>(port: T, name: string): T => (metrics instanceof NoMetrics ? port : measured(port, name, metrics));

  container.bind(Logger).toConstantValue(logger);
  container.bind(Metrics).toConstantValue(metrics);
  container.bind(Clock).to(SystemClock).inSingletonScope();
  container.bind(ProviderIdentity).toConstantValue(new ProviderIdentity(settings.providerName, config.returnUntrackedHosts));
  container.bind(TemplateSettings).toConstantValue({ confDir: settings.confDir, providerName: settings.providerName, providerType: config.providerType });
  container.bind(TemplateRepository).to(FileTemplateRepository).inSingletonScope();
  container.bind(ReconcileSettings).toConstantValue(new ReconcileSettings(config.reconcile.graceSec, config.reconcile.intervalSec, config.reconcile.apply));
  container.bind(CapacityMemorySettings).toConstantValue(new CapacityMemorySettings(config.capacityMemoryTtlSec));
  container.bind(SweepSchedule).toConstantValue(new FileSweepSchedule(join(settings.workDir, 'reconcile-last-run')));

  const dispose = async () => {
    await container.unbindAllAsync();
    for (const disposer of disposers.reverse()) await disposer();
  };
  try {
    switch (config.providerType) {
      case 'sim': {
        const sim = await import('./providers/sim/index.js');
        container.bind(sim.SimCloudSettings).toConstantValue({
          config: sim.parseSimConfig(config.raw, config.file),
          stateFile: join(settings.workDir, sim.SIM_STATE_FILE_NAME),
          providerName: settings.providerName,
        });
        container
          .bind(CloudProvider)
          .to(sim.SimCloudProvider)
          .inSingletonScope()
          .onDeactivation((provider) => (provider as InstanceType<typeof sim.SimCloudProvider>).close());
        container.bind(sim.SimCloudConsole).toSelf().inSingletonScope().onDeactivation((console) => console.close());
        break;
      }
      case 'aws': {
        const aws = await import('./providers/aws/index.js');
        const awsConfig = aws.parseAwsConfig(config.raw, config.file);
        container.bind(aws.AwsSettings).toConstantValue({ config: awsConfig, providerName: settings.providerName, workDir: settings.workDir });
        container.bind(aws.AwsClients).toSelf().inSingletonScope();
        container.bind(CloudProvider).to(aws.AwsCloudProvider).inSingletonScope();
        if (awsConfig.interruptionQueueUrl) container.bind(InterruptionFeed).to(aws.SqsInterruptionFeed).inSingletonScope();
        break;
      }
    }

    const store = await openStore(storeUrl, { clock: container.get(Clock), logger });
    disposers.push(() => store.close());
    container.bind(RequestRepository).toConstantValue(counted(store.requests, 'requests'));
    container.bind(MachineRepository).toConstantValue(counted(store.machines, 'machines'));
    container.bind(ResourceLease).toConstantValue(store.leases);
    container.bind(CapacityMemory).toConstantValue(store.capacity);
  } catch (error) {
    await dispose();
    throw error;
  }

  container.bind(MachineRecorder).toSelf();
  container.bind(UnavailableOfferings).toSelf();
  container.bind(GetAvailableTemplates).toSelf();
  container.bind(RequestMachines).toSelf();
  container.bind(GetRequestStatus).toSelf();
  container.bind(RequestReturnMachines).toSelf();
  container.bind(GetReturnRequests).toSelf();
  container.bind(InterruptionNotices).toSelf();
  container.bind(Reconcile).toSelf();
  container.bind(ScheduledReconcile).toSelf();
  container.bind(ListActivity).toSelf();
  container.bind(HealthCheck).to(TemplatesHealth);
  container.bind(HealthCheck).to(StoreHealth);
  container.bind(HealthCheck).to(CloudHealth);
  container.bind(CheckHealth).toSelf();
  container.bind(TemplateCatalog).toSelf();
  container.bind(CheckTemplates).toSelf();
  container.bind(HostFactoryOperations).toSelf();
  container.bind(PeopleCommands).toSelf();
  container.bind(StoreCommands).toSelf();

  return { container, dispose };
}
