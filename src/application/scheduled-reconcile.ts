import { inject, injectable } from 'inversify';
import { Clock } from '../domain/ports/clock.js';
import { Logger } from '../domain/ports/logger.js';
import { ResourceLease } from '../domain/ports/resource-lease.js';
import { SweepSchedule } from '../domain/ports/sweep-schedule.js';
import { Reconcile, ReconcileSettings } from './reconcile.js';

/**
 * The reconcile sweep getReturnRequests runs at most once per RECONCILE_INTERVAL_SEC across every
 * process of the provider instance (a store lease picks one process; the others skip), applying
 * it when RECONCILE_APPLY=true. A failing sweep never fails the call that ran it.
 */
@injectable()
export class ScheduledReconcile {
  constructor(
    @inject(Reconcile) private readonly reconcile: Reconcile,
    @inject(ReconcileSettings) private readonly settings: ReconcileSettings,
    @inject(SweepSchedule) private readonly schedule: SweepSchedule,
    @inject(ResourceLease) private readonly lease: ResourceLease,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** Runs the sweep if it is due; true when it ran. */
  async runIfDue(): Promise<boolean> {
    if (this.settings.intervalSec <= 0) return false;
    try {
      return await this.lease.withLease('reconcile-sweep', () => this.sweepIfDue(), { waitMs: 0, ttlMs: 120_000 });
    } catch (error) {
      this.logger.warn({ err: error }, 'scheduled reconcile skipped or failed; tried again next interval');
      return false;
    }
  }

  private async sweepIfDue(): Promise<boolean> {
    const now = this.clock.now();
    const last = await this.schedule.lastRun();
    if (last !== undefined && now - last < this.settings.intervalSec * 1000) return false;
    await this.schedule.record(now);
    const report = await this.reconcile.execute(this.settings.apply);
    this.logger.info({ applied: report.applied, leaks: report.leaks.length, ghosts: report.ghosts.length, oversized: report.oversized.length }, 'scheduled reconcile');
    return true;
  }
}
