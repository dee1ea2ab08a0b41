import type { ServiceIdentifier } from 'inversify';
import type { Offering, RememberedOffering } from '../offering.js';

/**
 * Pools the cloud recently answered "insufficient capacity" for, kept in the store so every
 * process and host using the store avoids them for a while (Karpenter's unavailable-offerings
 * cache, shared). Times are epoch ms from the Clock port, so hosts sharing a store must agree on
 * the time. Throws HostFactoryError STORAGE_CONFLICT (retryable) when the store is busy, INTERNAL
 * or CONFIG_INVALID when it fails; nothing else.
 */
export interface CapacityMemory {
  /**
   * Remembers each offering as unavailable until `until`. An offering remembered already keeps
   * the later of the two times, so a process writing late never shortens another's memory.
   * Offerings whose time has passed may be deleted on the way. Atomic per offering.
   */
  remember(offerings: readonly Offering[], until: number): Promise<void>;
  /** Every offering remembered until after `now` (until > now), each once, in no particular order. */
  unavailable(now: number): Promise<RememberedOffering[]>;
}

export const CapacityMemory: ServiceIdentifier<CapacityMemory> = Symbol.for('CapacityMemory');
