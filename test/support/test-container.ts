import { tmpdir } from 'node:os';
import { buildContainer } from '../../src/container.js';
import { HostFactoryError } from '../../src/domain/errors.js';
import { CapacityMemory } from '../../src/domain/ports/capacity-memory.js';
import { Clock } from '../../src/domain/ports/clock.js';
import { CloudProvider } from '../../src/domain/ports/cloud-provider.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { MachineRepository } from '../../src/domain/ports/machine-repository.js';
import { RequestRepository } from '../../src/domain/ports/request-repository.js';
import { ResourceLease } from '../../src/domain/ports/resource-lease.js';
import { SweepSchedule } from '../../src/domain/ports/sweep-schedule.js';
import { TemplateRepository, type TemplateListing } from '../../src/domain/ports/template-repository.js';
import type { Template } from '../../src/domain/template.js';
import { parseProviderConfig } from '../../src/infrastructure/config/provider-config.js';
import { FakeCloudProvider } from './fake-cloud-provider.js';
import { createInMemoryStore } from './in-memory-store.js';
import { aTemplate } from './mothers.js';

/** Templates held in memory: a fake of the TemplateRepository port. */
export class FakeTemplateRepository implements TemplateRepository {
  constructor(public listing: TemplateListing) {}
  async list() {
    return this.listing;
  }
  async find(templateId: string) {
    return this.listing.templates.find((t) => t.templateId === templateId);
  }
  validate(): Template {
    throw new HostFactoryError('INTERNAL', 'not used by these tests');
  }
  async add(): Promise<string> {
    throw new HostFactoryError('INTERNAL', 'not used by these tests');
  }
  update = this.add;
  remove = this.add;
}

/** The last sweep's time, in memory. */
export class InMemorySweepSchedule implements SweepSchedule {
  last?: number;
  async lastRun() {
    return this.last;
  }
  async record(at: number) {
    this.last = at;
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The production container (buildContainer) of a simulated-cloud instance, with every port that
 * would reach outside the process rebound to a fake: the clock, the cloud, the templates, the store
 * and the sweep schedule. Nothing is read or written: the settings name no real dir, the simulated
 * cloud and the template files are rebound before anything builds them, and the JSON store
 * buildContainer opens (in the OS temp dir, which exists, so opening it creates nothing) is
 * replaced before anything uses it. Reconcile sweeps are off (RECONCILE_INTERVAL_SEC 0).
 */
export async function useCaseContainer(templates: Template[] = [aTemplate()]) {
  const clock = { time: 1_700_000_000_000, now() { return this.time; } };
  const store = createInMemoryStore({ clock });
  const cloud = new FakeCloudProvider();
  const templateRepository = new FakeTemplateRepository({ templates, problems: [] });
  const config = parseProviderConfig(JSON.stringify({ PROVIDER_TYPE: 'sim', RECONCILE_INTERVAL_SEC: 0 }), '/nonexistent-hostfactory-unit/conf/simprov_config.json', {});
  const settings = {
    providerName: 'sim',
    confDir: '/nonexistent-hostfactory-unit/conf',
    workDir: '/nonexistent-hostfactory-unit/work',
    logDir: '/nonexistent-hostfactory-unit/log',
  };
  const { container } = await buildContainer(settings, config, `json://${tmpdir()}`, silentLogger);
  container.rebind(Clock).toConstantValue(clock);
  container.rebind(CloudProvider).toConstantValue(cloud);
  container.rebind(TemplateRepository).toConstantValue(templateRepository);
  container.rebind(RequestRepository).toConstantValue(store.requests);
  container.rebind(MachineRepository).toConstantValue(store.machines);
  container.rebind(ResourceLease).toConstantValue(store.leases);
  container.rebind(CapacityMemory).toConstantValue(store.capacity);
  container.rebind(SweepSchedule).toConstantValue(new InMemorySweepSchedule());
  return { container, store, cloud, clock, templates: templateRepository };
}
