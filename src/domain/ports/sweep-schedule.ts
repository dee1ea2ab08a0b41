import type { ServiceIdentifier } from 'inversify';

/** When the periodic reconcile sweep last ran, shared by every process of a provider instance. */
export interface SweepSchedule {
  /** Epoch ms of the last sweep, or undefined when none ran yet. */
  lastRun(): Promise<number | undefined>;
  /** Records a sweep started at `at` (epoch ms). */
  record(at: number): Promise<void>;
}

export const SweepSchedule: ServiceIdentifier<SweepSchedule> = Symbol.for('SweepSchedule');
