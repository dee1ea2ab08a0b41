import { inject, injectable } from 'inversify';
import { HostFactoryError } from '../../domain/errors.js';
import type { CloudMachine } from '../../domain/machine.js';
import { Clock } from '../../domain/ports/clock.js';
import { SimCloudSettings } from './sim-cloud-settings.js';
import { SimDatabase } from './sim-database.js';
import { stateAt, toCloudMachine, type SimInstance } from './sim-instance.js';
import { SimStateStore } from './sim-state-store.js';

/**
 * The simulated cloud's "console": acts on instances outside HostFactory, on the same state file
 * the provider uses (for demos, tests and a CLI command).
 */
@injectable()
export class SimCloudConsole {
  private readonly db: SimDatabase;
  private readonly store: SimStateStore;

  constructor(
    @inject(SimCloudSettings) private readonly settings: SimCloudSettings,
    @inject(Clock) private readonly clock: Clock,
  ) {
    this.db = new SimDatabase(settings.stateFile);
    this.store = new SimStateStore(settings.config);
  }

  /**
   * Gives the instance a spot interruption notice now: it is terminated `graceSec` seconds later
   * and listReclaims reports it meanwhile. Throws INVALID_INPUT for an unknown or ended instance.
   */
  async interrupt(machineId: string, graceSec: number): Promise<CloudMachine> {
    if (!Number.isFinite(graceSec) || graceSec < 0) {
      throw new HostFactoryError('INVALID_INPUT', `grace period must be a number of seconds ≥ 0, got ${graceSec}`);
    }
    return this.change(machineId, (instance, now) => {
      const { status } = stateAt(instance, now, this.settings.config);
      if (status !== 'pending' && status !== 'running') {
        throw new HostFactoryError('INVALID_INPUT', `instance ${machineId} is already ending; it cannot be interrupted`);
      }
      return { ...instance, noticeAt: now, reclaimAt: now + graceSec * 1000 };
    });
  }

  /**
   * Terminates the instance as if from the cloud console: shutting-down now, terminated after
   * the shutdown delay. Idempotent. Throws INVALID_INPUT for an unknown instance.
   */
  async terminate(machineId: string): Promise<CloudMachine> {
    return this.change(machineId, (instance, now) =>
      instance.terminatedOutsideAt === null ? { ...instance, terminatedOutsideAt: now } : instance,
    );
  }

  /** The instance as the cloud sees it now, or undefined when the sim does not know it. */
  async show(machineId: string): Promise<CloudMachine | undefined> {
    const now = this.clock.now();
    const [instance] = await this.db.read((db) => this.store.instancesById(db, [machineId]));
    return instance ? toCloudMachine(instance, now, this.settings.config) : undefined;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private async change(machineId: string, edit: (instance: SimInstance, now: number) => SimInstance): Promise<CloudMachine> {
    const now = this.clock.now();
    const changed = await this.db.write(async (trx) => {
      const [instance] = await this.store.instancesById(trx, [machineId]);
      if (!instance) throw new HostFactoryError('INVALID_INPUT', `the simulated cloud has no instance ${machineId}`);
      const next = edit(instance, now);
      if (next !== instance) await this.store.saveEvents(trx, next);
      return next;
    });
    return toCloudMachine(changed, now, this.settings.config);
  }
}
