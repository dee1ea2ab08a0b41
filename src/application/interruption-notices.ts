import { inject, injectable, optional } from 'inversify';
import { withNotice } from '../domain/machine.js';
import { InterruptionFeed, type HostNotice } from '../domain/ports/interruption-feed.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { changeMachine } from './optimistic-change.js';

/** Moves the notices the cloud pushed into the store, where every getReturnRequests call sees them. */
@injectable()
export class InterruptionNotices {
  constructor(
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(Logger) private readonly logger: Logger,
    @inject(InterruptionFeed) @optional() private readonly feed?: InterruptionFeed,
  ) {}

  /** Drains the feed when one is configured; a feed that fails never fails the call (its notices wait for the next one). */
  async collect(): Promise<void> {
    if (!this.feed) return;
    try {
      await this.feed.drain((notices) => this.record(notices));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the interruption feed; read again next call');
    }
  }

  /** Records each notice on its machine (the earliest deadline wins); notices for hosts the store does not hold are logged and dropped. */
  private async record(notices: readonly HostNotice[]): Promise<void> {
    if (notices.length === 0) return;
    const known = await this.machines.findByRefs(notices.map((notice) => ({ machineId: notice.machineId })));
    for (const notice of notices) {
      const machine = known.find((candidate) => candidate.machineId === notice.machineId);
      if (!machine) {
        this.logger.info({ machineId: notice.machineId, reason: notice.reason }, 'interruption notice for a host the store does not hold; dropped');
        continue;
      }
      const { machineId, ...recorded } = notice;
      const stored = await changeMachine(this.machines, machine, (current) => withNotice(current, recorded));
      if (stored.notice === undefined || stored.notice.deadline !== notice.deadline) continue;
      this.logger.info({ machineId, deadline: new Date(notice.deadline).toISOString(), reason: notice.reason }, 'interruption notice recorded');
    }
  }
}
