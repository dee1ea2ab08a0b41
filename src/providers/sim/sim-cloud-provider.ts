import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { HostFactoryError, LaunchFailedError } from '../../domain/errors.js';
import type { CloudMachine, Machine, MachineRef } from '../../domain/machine.js';
import type { Offering } from '../../domain/offering.js';
import { Clock } from '../../domain/ports/clock.js';
import type {
  CloudAccess,
  CloudHost,
  CloudInventory,
  CloudProvider,
  FulfilmentReport,
  LaunchOrder,
  LaunchResult,
  PlannedLaunch,
  Reclaim,
  ReleaseResult,
  TemplateCheck,
  TrackedRequest,
} from '../../domain/ports/cloud-provider.js';
import { Logger } from '../../domain/ports/logger.js';
import type { Request } from '../../domain/request.js';
import type { Template } from '../../domain/template.js';
import { poolsOf } from './launch-plan.js';
import { randomSeed } from './seeded-random.js';
import { SimCloudSettings } from './sim-cloud-settings.js';
import { SimDatabase } from './sim-database.js';
import { planOrder, plannedLaunchOf, refuseInvalidOrder } from './sim-launch-order.js';
import { createInstances, PROVIDER_TAG, REQUEST_ID_TAG, reservationIdOf, TEMPLATE_ID_TAG } from './sim-instance-factory.js';
import { reclaimOf, TERMINATED_OUTSIDE_REASON, toCloudMachine, type SimInstance } from './sim-instance.js';
import { SimStateStore, type SimReservation } from './sim-state-store.js';
import { checkTemplateOnSim } from './sim-template-checks.js';

/** EC2 forgets terminated instances after about an hour; so does the sim. */
const FORGET_TERMINATED_AFTER_MS = 60 * 60 * 1000;
/** A tracked request with no launch recorded after this long is reported final (its launch never happened). */
const MISSING_LAUNCH_FINAL_AFTER_MS = 60 * 1000;

interface Launched {
  reservation: SimReservation;
  instances: SimInstance[];
  reused: boolean;
  /** Pools that had no capacity when this launch asked them. */
  exhausted: Offering[];
}

/**
 * A simulated cloud that keeps its state in its own SQLite file, so each short-lived HostFactory
 * process sees the same instances. Instance states are computed from timestamps at each call.
 */
@injectable()
export class SimCloudProvider implements CloudProvider {
  private readonly db: SimDatabase;
  private readonly store: SimStateStore;

  constructor(
    @inject(SimCloudSettings) private readonly settings: SimCloudSettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {
    this.db = new SimDatabase(settings.stateFile);
    this.store = new SimStateStore(settings.config);
  }

  async launch(order: LaunchOrder): Promise<LaunchResult> {
    refuseInvalidOrder(order);
    const now = this.clock.now();
    const launched = await this.db.write((trx) => this.launchOnce(trx, order, now));
    const { reservation, instances, reused, exhausted } = launched;
    this.logger.info(
      { requestId: order.requestId, reservationId: reservation.reservationId, instances: instances.length, reused },
      reused ? 'sim launch already recorded; returning its instances' : 'sim launched instances',
    );
    const result: LaunchResult = {
      machines: instances.map((instance) => toCloudMachine(instance, now, this.settings.config)),
      providerData: { simReservationId: reservation.reservationId },
    };
    if (reservation.message) result.message = reservation.message;
    if (exhausted.length > 0) result.unavailableOfferings = exhausted;
    return result;
  }

  /** What launch would start now (see planOrder), read without the write lock; nothing is written. */
  async planLaunch(order: LaunchOrder): Promise<PlannedLaunch> {
    refuseInvalidOrder(order);
    const plan = await this.db.read((db) => planOrder(db, this.store, this.settings.config, order, this.clock.now()));
    return plannedLaunchOf(order, plan, this.settings.providerName);
  }

  /** The template's types in the sim's one zone, on the markets its price type uses. */
  async offeringsOf(template: Template): Promise<Offering[]> {
    return poolsOf(template);
  }

  async describeRequests(requests: readonly TrackedRequest[]): Promise<Map<string, FulfilmentReport>> {
    const ids = [...new Set(requests.map((tracked) => tracked.request.requestId))];
    const now = this.clock.now();
    const [reservations, instances] = await this.db.read(async (db) => [
      await this.store.reservations(db, ids),
      await this.store.instancesOfRequests(db, ids),
    ] as const);
    const byRequest = new Map(reservations.map((reservation) => [reservation.requestId, reservation]));
    const reports = new Map<string, FulfilmentReport>();
    for (const { request } of requests) {
      const reservation = byRequest.get(request.requestId);
      const machines = instances
        .filter((instance) => instance.requestId === request.requestId)
        .map((instance) => toCloudMachine(instance, now, this.settings.config));
      reports.set(request.requestId, reservation ? this.reportOf(request, reservation, machines) : this.missingLaunch(request, now));
    }
    return reports;
  }

  async describeMachines(machines: readonly Machine[]): Promise<CloudMachine[]> {
    const now = this.clock.now();
    const known = await this.instancesOf(machines);
    return machines.map((machine) => {
      const instance = known.get(machine.machineId);
      return instance ? toCloudMachine(instance, now, this.settings.config) : gone(machine);
    });
  }

  async release(machines: readonly Machine[], owners: readonly Request[]): Promise<ReleaseResult> {
    const ids = [...new Set(machines.map((machine) => machine.machineId))];
    if (ids.length === 0) return { failed: {} };
    const released = await this.releaseInstances(ids);
    this.logger.info({ machines: ids.length, released, owners: owners.map((owner) => owner.requestId) }, 'sim released instances');
    return { failed: {} };
  }

  /** Every live instance tagged with this provider instance; the sim has no fleets or groups. */
  async inventory(): Promise<CloudInventory> {
    const now = this.clock.now();
    const live = await this.db.read((db) => this.store.liveInstances(db, now));
    const ours = live.filter((instance) => instance.tags[PROVIDER_TAG] === this.settings.providerName);
    return { hosts: ours.map((instance) => this.hostOf(instance, now)), resources: [] };
  }

  /** The simulated cloud answers when its state database can be read. */
  async checkAccess(): Promise<CloudAccess> {
    const live = await this.db.read((db) => this.store.liveInstances(db, this.clock.now()));
    return { message: `simulated cloud at ${this.settings.stateFile} answered (${live.length} live instances)` };
  }

  /** See sim-template-checks.ts: each template against the sim's own catalog and SIM_CAPACITY left now. */
  async checkTemplates(templates: readonly Template[]): Promise<TemplateCheck[]> {
    const { config } = this.settings;
    const limited = Object.keys(config.capacity);
    const live = await this.db.read((db) => this.store.liveCountByType(db, limited, this.clock.now()));
    const left = new Map(limited.map((type) => [type, Math.max(0, config.capacity[type] - (live.get(type) ?? 0))]));
    return templates.map((template) => ({ templateId: template.templateId, findings: checkTemplateOnSim(template, config, left) }));
  }

  async removeLeaks(hosts: readonly Pick<CloudHost, 'machineId'>[]): Promise<void> {
    if (hosts.length === 0) return;
    const hostIds = hosts.map((host) => host.machineId);
    const released = await this.releaseInstances([...new Set(hostIds)]);
    for (const instanceId of hostIds) this.logger.info({ instanceId, reason: 'leak: no request in the store owns it' }, 'leaked instance terminated');
    this.logger.info({ released }, 'sim removed leaks');
  }

  /** Marks instances released now (their shutdown starts); returns how many were not released yet. */
  private releaseInstances(ids: readonly string[]): Promise<number> {
    const now = this.clock.now();
    return this.db.write(async (trx) => {
      const instances = await this.store.instancesById(trx, ids);
      const fresh = instances.filter((instance) => instance.releasedAt === null);
      for (const instance of fresh) await this.store.saveEvents(trx, { ...instance, releasedAt: now });
      return fresh.length;
    });
  }

  private hostOf(instance: SimInstance, now: number): CloudHost {
    return {
      ...toCloudMachine(instance, now, this.settings.config),
      providerName: instance.tags[PROVIDER_TAG],
      requestId: instance.tags[REQUEST_ID_TAG],
      templateId: instance.tags[TEMPLATE_ID_TAG],
    };
  }

  async findHosts(refs: readonly MachineRef[]): Promise<CloudHost[]> {
    const ids = refs.flatMap((ref) => (ref.machineId ? [ref.machineId] : []));
    const names = refs.flatMap((ref) => (!ref.machineId && ref.name ? [ref.name] : []));
    const found = await this.db.read(async (db) => [...(await this.store.instancesById(db, ids)), ...(await this.store.instancesByName(db, names))]);
    const now = this.clock.now();
    return found.map((instance) => this.hostOf(instance, now));
  }

  async listReclaims(machines: readonly Machine[]): Promise<Reclaim[]> {
    const now = this.clock.now();
    const known = await this.instancesOf(machines);
    const reclaims: Reclaim[] = [];
    const seen = new Set<string>();
    for (const machine of machines) {
      if (seen.has(machine.machineId)) continue;
      seen.add(machine.machineId);
      const instance = known.get(machine.machineId);
      if (instance) {
        const reclaim = reclaimOf(instance, now, this.settings.config);
        if (reclaim) reclaims.push(reclaim);
      } else if (machine.returnRequestId === undefined) {
        reclaims.push({ machineId: machine.machineId, name: machine.name, gracePeriod: 0, reason: TERMINATED_OUTSIDE_REASON });
      }
    }
    return reclaims;
  }

  /** Destroys the knex instance; call once at process end. */
  async close(): Promise<void> {
    await this.db.close();
  }

  private async launchOnce(trx: Knex.Transaction, order: LaunchOrder, now: number): Promise<Launched> {
    const [existing] = await this.store.reservations(trx, [order.requestId]);
    if (existing) {
      return { reservation: existing, instances: await this.store.instancesOfRequests(trx, [order.requestId]), reused: true, exhausted: [] };
    }
    await this.store.forgetTerminatedBefore(trx, now - FORGET_TERMINATED_AFTER_MS);
    const { config } = this.settings;
    const plan = await planOrder(trx, this.store, config, order, now);
    if (plan.instances.length === 0) {
      const failure = new HostFactoryError('INSUFFICIENT_CAPACITY', plan.shortMessage ?? `no capacity for ${order.requestId}`);
      throw plan.exhausted.length > 0 ? new LaunchFailedError(failure, plan.exhausted) : failure;
    }
    const ips = await this.store.allocateIps(trx, plan.instances.length);
    if (ips.length < plan.instances.length) {
      throw new HostFactoryError('CLOUD_ERROR', 'InsufficientFreeAddressesInSubnet: 10.0.0.0/16 has no free address left');
    }
    const context = {
      seed: config.seed ?? randomSeed(),
      requestId: order.requestId,
      templateId: order.template.templateId,
      providerName: this.settings.providerName,
      templateTags: order.template.instanceTags,
      now,
      config,
    };
    const instances = createInstances(plan, ips, context);
    const reservation: SimReservation = {
      requestId: order.requestId,
      reservationId: reservationIdOf(context),
      templateId: order.template.templateId,
      unitsRequested: plan.unitsRequested,
      unitsLaunched: plan.unitsPlanned,
      message: plan.shortMessage ?? null,
      createdAt: now,
    };
    await this.store.insertLaunch(trx, reservation, instances);
    return { reservation, instances, reused: false, exhausted: plan.exhausted };
  }

  private reportOf(request: Request, reservation: SimReservation, machines: CloudMachine[]): FulfilmentReport {
    const report: FulfilmentReport = { machines, final: true };
    if (reservation.message) report.message = reservation.message;
    if (request.providerData.simReservationId !== reservation.reservationId) {
      report.providerData = { ...request.providerData, simReservationId: reservation.reservationId };
    }
    return report;
  }

  private missingLaunch(request: Request, now: number): FulfilmentReport {
    const final = now - request.createdAt >= MISSING_LAUNCH_FINAL_AFTER_MS;
    return { machines: [], final, message: 'the simulated cloud has no launch recorded for this request' };
  }

  private async instancesOf(machines: readonly Machine[]): Promise<Map<string, SimInstance>> {
    if (machines.length === 0) return new Map();
    const ids = machines.map((machine) => machine.machineId);
    const instances = await this.db.read((db) => this.store.instancesById(db, ids));
    return new Map(instances.map((instance) => [instance.instanceId, instance]));
  }
}

/** A machine the sim no longer knows: terminated, as EC2 reports forgotten instances. */
function gone(machine: Machine): CloudMachine {
  return {
    machineId: machine.machineId,
    name: machine.name,
    status: 'terminated',
    privateIpAddress: machine.privateIpAddress,
    publicIpAddress: machine.publicIpAddress,
    launchTime: machine.launchTime,
    instanceType: machine.instanceType,
    priceType: machine.priceType,
    weight: machine.weight,
    instanceTags: machine.instanceTags,
    cloudHostId: machine.cloudHostId,
    resourceId: machine.resourceId,
  };
}
