import type { ServiceIdentifier } from 'inversify';
import type { Machine, MachineRef } from '../machine.js';

/**
 * Machines launched for acquire requests. Safe against concurrent processes; `update` is
 * optimistic on `machine.version`.
 */
export interface MachineRepository {
  /**
   * Inserts the machines whose id is not stored yet (version 0) and leaves existing ones as they
   * are, so two processes discovering the same instance never fail or duplicate it. Returns the
   * machines as stored afterwards.
   */
  addIfAbsent(machines: readonly Machine[]): Promise<Machine[]>;
  /** Machines launched for any of these acquire requests. */
  listByRequests(requestIds: readonly string[]): Promise<Machine[]>;
  /** Machines given back by any of these return requests. */
  listByReturnRequests(returnRequestIds: readonly string[]): Promise<Machine[]>;
  /** Machines matching any ref by machineId or by name. */
  findByRefs(refs: readonly MachineRef[]): Promise<Machine[]>;
  /** Machines not terminated (they hold template capacity); O(live machines). */
  listLive(): Promise<Machine[]>;
  /**
   * Stores `machine` if the stored version is still `machine.version`; returns it with the new
   * version. Throws STORAGE_CONFLICT when another process updated it first.
   */
  update(machine: Machine): Promise<Machine>;
  /** Deletes these machines; unknown ids are skipped. Returns how many went. Only `store copy --prune-target` uses it. */
  remove(machineIds: readonly string[]): Promise<number>;
}

export const MachineRepository: ServiceIdentifier<MachineRepository> = Symbol.for('MachineRepository');
