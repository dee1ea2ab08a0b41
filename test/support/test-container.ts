import { Container } from 'inversify';
import { GetAvailableTemplates } from '../../src/application/get-available-templates.js';
import { GetRequestStatus } from '../../src/application/get-request-status.js';
import { GetReturnRequests } from '../../src/application/get-return-requests.js';
import { InterruptionNotices } from '../../src/application/interruption-notices.js';
import { MachineRecorder } from '../../src/application/machine-recorder.js';
import { ProviderIdentity } from '../../src/application/provider-identity.js';
import { RequestMachines } from '../../src/application/request-machines.js';
import { Reconcile, ReconcileSettings } from '../../src/application/reconcile.js';
import { RequestReturnMachines } from '../../src/application/request-return-machines.js';
import { ScheduledReconcile } from '../../src/application/scheduled-reconcile.js';
import { SweepSchedule } from '../../src/domain/ports/sweep-schedule.js';
import { HostFactoryError } from '../../src/domain/errors.js';
import { Clock } from '../../src/domain/ports/clock.js';
import { CloudProvider } from '../../src/domain/ports/cloud-provider.js';
import { Logger } from '../../src/domain/ports/logger.js';
import { MachineRepository } from '../../src/domain/ports/machine-repository.js';
import { RequestRepository } from '../../src/domain/ports/request-repository.js';
import { ResourceLease } from '../../src/domain/ports/resource-lease.js';
import { TemplateRepository, type TemplateListing } from '../../src/domain/ports/template-repository.js';
import type { Template } from '../../src/domain/template.js';
import { FakeCloudProvider } from './fake-cloud-provider.js';
import { createInMemoryStore } from './in-memory-store.js';

export function template(overrides: Partial<Template> = {}): Template {
  return {
    templateId: 'Small',
    maxNumber: 10,
    attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '4096'] },
    priceType: 'ondemand',
    subnetIds: [],
    vmType: 't3.medium',
    instanceTags: {},
    securityGroupIds: [],
    raw: {},
    sourceFile: '/conf/simprov_templates.json',
    ...overrides,
  };
}

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

/** A fresh container of the use cases over in-memory fakes of every port. */
export function useCaseContainer(templates: Template[] = [template()]) {
  const clock = { time: 1_700_000_000_000, now() { return this.time; } };
  const store = createInMemoryStore({ clock });
  const cloud = new FakeCloudProvider();
  const templateRepository = new FakeTemplateRepository({ templates, problems: [] });
  const container = new Container();
  container.bind(Clock).toConstantValue(clock);
  container.bind(Logger).toConstantValue(silentLogger);
  container.bind(ProviderIdentity).toConstantValue(new ProviderIdentity('sim'));
  container.bind(TemplateRepository).toConstantValue(templateRepository);
  container.bind(RequestRepository).toConstantValue(store.requests);
  container.bind(MachineRepository).toConstantValue(store.machines);
  container.bind(ResourceLease).toConstantValue(store.leases);
  container.bind(CloudProvider).toConstantValue(cloud);
  container.bind(MachineRecorder).toSelf();
  container.bind(GetAvailableTemplates).toSelf();
  container.bind(RequestMachines).toSelf();
  container.bind(GetRequestStatus).toSelf();
  container.bind(RequestReturnMachines).toSelf();
  container.bind(GetReturnRequests).toSelf();
  container.bind(InterruptionNotices).toSelf();
  container.bind(ReconcileSettings).toConstantValue(new ReconcileSettings(600, 0, false));
  container.bind(SweepSchedule).toConstantValue(new InMemorySweepSchedule());
  container.bind(Reconcile).toSelf();
  container.bind(ScheduledReconcile).toSelf();
  return { container, store, cloud, clock, templates: templateRepository };
}
