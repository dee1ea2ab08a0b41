import type { ServiceIdentifier } from 'inversify';
import type { MachineNotice } from '../machine.js';

/** The cloud's word, pushed by the cloud itself, that it will take a host back. */
export interface HostNotice extends MachineNotice {
  machineId: string;
}

/**
 * Notices the cloud pushes (spot interruption warnings, rebalance recommendations, scheduled
 * changes, state changes), beside what polling the cloud finds. Optional: bound only when the
 * provider's config names a feed.
 */
export interface InterruptionFeed {
  /**
   * Takes what the feed holds now, one batch at a time: each batch goes to `record`, and leaves
   * the feed only once `record` resolved, so a crash never loses a notice (a batch may come again;
   * recording must be idempotent). Throws when the feed cannot be read or `record` throws; batches
   * recorded before stay recorded. Returns how many notices were recorded.
   */
  drain(record: (notices: readonly HostNotice[]) => Promise<void>): Promise<number>;
}

export const InterruptionFeed: ServiceIdentifier<InterruptionFeed> = Symbol.for('InterruptionFeed');
