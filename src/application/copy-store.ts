import { HostFactoryError } from '../domain/errors.js';
import type { Machine } from '../domain/machine.js';
import type { Clock } from '../domain/ports/clock.js';
import type { MachineRepository } from '../domain/ports/machine-repository.js';
import type { RequestRepository } from '../domain/ports/request-repository.js';
import type { Request } from '../domain/request.js';

export interface StoreRepositories {
  requests: RequestRepository;
  machines: MachineRepository;
}

export interface CopyOptions {
  /** Delete the requests and machines the target holds and the source does not. */
  pruneTarget: boolean;
}

/** What a copy did to one kind of record. */
export interface CopyCounts {
  inSource: number;
  /** Missing from the target, written. */
  added: number;
  /** Older in the target, overwritten with the source's. */
  updated: number;
  /** Already equal in the target. */
  unchanged: number;
  /** Changed later in the target than in the source: kept as the target has it. */
  newerInTarget: number;
  /** Held by the target only: kept, or deleted with `pruneTarget`. */
  onlyInTarget: number;
  pruned: number;
}

export interface CopyReport {
  requests: CopyCounts;
  machines: CopyCounts;
}

/**
 * The target store's clock during a copy. Stores stamp `updatedAt` from their clock on every
 * update; the copy sets it to the source record's `updatedAt` before writing, so the target keeps
 * the source's timestamps and a later re-run can still tell which side changed last.
 */
export class SourceTimestampClock implements Clock {
  private stamp = 0;

  now(): number {
    return this.stamp;
  }

  stampWith(updatedAt: number): void {
    this.stamp = updatedAt;
  }
}

type StoredRecord = Request | Machine;

const ALL = Number.MAX_SAFE_INTEGER;
const BATCH = 500;

/**
 * Brings the target up to the source, then reads the target back and fails unless it holds what
 * it should. Per request and machine (by id): missing in the target → added; equal apart from the
 * store's own `version` → unchanged; otherwise the later `updatedAt` wins (the source on a tie).
 * Versions are not compared across stores: each counts its own, and the target's start at 0. The
 * target is written with its own optimistic version, so a concurrent change there is a conflict,
 * not lost. What only the target holds is kept unless `pruneTarget`. Re-running is safe.
 * `targetClock` must be the clock the target store stamps updates with.
 */
export async function copyStore(
  from: StoreRepositories,
  to: StoreRepositories,
  targetClock: SourceTimestampClock,
  options: CopyOptions,
): Promise<CopyReport> {
  const report: CopyReport = { requests: noCounts(), machines: noCounts() };
  const requests = await from.requests.list({ limit: ALL });
  const sourceIds = new Set(requests.map((request) => request.requestId));
  const targetOnlyMachines: Machine[] = [];
  for (let start = 0; start < requests.length; start += BATCH) {
    const batch = requests.slice(start, start + BATCH);
    const requestIds = batch.map((request) => request.requestId);
    const machines = await from.machines.listByRequests(requestIds);
    const machineIds = new Set(machines.map((machine) => machine.machineId));
    const expectedRequests = await copyRequests(batch, to.requests, targetClock, report.requests);
    const expectedMachines = await copyMachines(machines, to.machines, targetClock, report.machines);
    await verify(expectedRequests, await to.requests.getMany(requestIds), 'request');
    await verify(expectedMachines, await to.machines.findByRefs(byMachineId(machines)), 'machine');
    targetOnlyMachines.push(...(await to.machines.listByRequests(requestIds)).filter((machine) => !machineIds.has(machine.machineId)));
  }
  const targetOnlyRequestIds = (await to.requests.list({ limit: ALL })).map((request) => request.requestId).filter((id) => !sourceIds.has(id));
  targetOnlyMachines.push(...(await to.machines.listByRequests(targetOnlyRequestIds)));
  report.requests.onlyInTarget = targetOnlyRequestIds.length;
  report.machines.onlyInTarget = targetOnlyMachines.length;
  if (options.pruneTarget) await prune(to, targetOnlyRequestIds, targetOnlyMachines, report);
  return report;
}

type Outcome = 'added' | 'unchanged' | 'newerInTarget' | 'updated';

/** What the copy does with one source record, given the target's record of the same id. */
function outcomeOf(source: StoredRecord, target: StoredRecord | undefined): Outcome {
  if (target === undefined) return 'added';
  if (sameRecord(source, target)) return 'unchanged';
  return target.updatedAt > source.updatedAt ? 'newerInTarget' : 'updated';
}

/** Writes what the target lacks or holds older; returns what the target should now hold. */
async function copyRequests(source: Request[], to: RequestRepository, clock: SourceTimestampClock, counts: CopyCounts): Promise<StoredRecord[]> {
  const inTarget = new Map((await to.getMany(source.map((request) => request.requestId))).map((request) => [request.requestId, request]));
  counts.inSource += source.length;
  const expected: StoredRecord[] = [];
  for (const request of source) {
    const target = inTarget.get(request.requestId);
    const outcome = outcomeOf(request, target);
    counts[outcome] += 1;
    if (outcome === 'added') await to.create(request);
    if (outcome === 'updated' && target !== undefined) {
      clock.stampWith(request.updatedAt);
      await to.update({ ...request, version: target.version });
    }
    expected.push(outcome === 'newerInTarget' && target !== undefined ? target : request);
  }
  return expected;
}

async function copyMachines(source: Machine[], to: MachineRepository, clock: SourceTimestampClock, counts: CopyCounts): Promise<StoredRecord[]> {
  const inTarget = new Map((await to.findByRefs(byMachineId(source))).map((machine) => [machine.machineId, machine]));
  counts.inSource += source.length;
  await to.addIfAbsent(source.filter((machine) => !inTarget.has(machine.machineId)));
  const expected: StoredRecord[] = [];
  for (const machine of source) {
    const target = inTarget.get(machine.machineId);
    const outcome = outcomeOf(machine, target);
    counts[outcome] += 1;
    if (outcome === 'updated' && target !== undefined) {
      clock.stampWith(machine.updatedAt);
      await to.update({ ...machine, version: target.version });
    }
    expected.push(outcome === 'newerInTarget' && target !== undefined ? target : machine);
  }
  return expected;
}

async function prune(to: StoreRepositories, requestIds: string[], machines: Machine[], report: CopyReport): Promise<void> {
  report.machines.pruned = await to.machines.remove(machines.map((machine) => machine.machineId));
  report.requests.pruned = await to.requests.remove(requestIds);
  const leftRequests = await to.requests.getMany(requestIds);
  const leftMachines = await to.machines.findByRefs(byMachineId(machines));
  if (leftRequests.length > 0 || leftMachines.length > 0) {
    throw new HostFactoryError(
      'STORAGE_CONFLICT',
      `copy verification failed: ${leftRequests.length} request(s) and ${leftMachines.length} machine(s) only in the target are still there after pruning`,
      { retryable: false },
    );
  }
}

/** Fails unless the target holds exactly `expected` (apart from its own versions). */
async function verify(expected: StoredRecord[], readBack: StoredRecord[], what: string): Promise<void> {
  const stored = new Map(readBack.map((record) => [idOf(record), record]));
  const wrong = expected.filter((record) => {
    const copy = stored.get(idOf(record));
    return copy === undefined || !sameRecord(record, copy);
  });
  if (wrong.length > 0) {
    throw new HostFactoryError(
      'STORAGE_CONFLICT',
      `copy verification failed: ${wrong.length} of ${expected.length} ${what}(s) read back different, first ${idOf(wrong[0])}`,
      { retryable: false },
    );
  }
}

function idOf(record: StoredRecord): string {
  return 'machineId' in record ? record.machineId : record.requestId;
}

function byMachineId(machines: Machine[]): Array<{ machineId: string }> {
  return machines.map((machine) => ({ machineId: machine.machineId }));
}

/** Equal in every field but `version`, which each store counts for itself. */
function sameRecord(a: StoredRecord, b: StoredRecord): boolean {
  const { version: _a, ...left } = a;
  const { version: _b, ...right } = b;
  return canonical(left) === canonical(right);
}

/** JSON with object keys sorted and undefined fields dropped, so key order never matters. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : field,
  );
}

function noCounts(): CopyCounts {
  return { inSource: 0, added: 0, updated: 0, unchanged: 0, newerInTarget: 0, onlyInTarget: 0, pruned: 0 };
}
