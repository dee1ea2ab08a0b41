import type { RequestKind } from './request.js';

/** EC2 instance states, as HostFactory reports them. */
export type MachineState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
export type MachineResult = 'executing' | 'succeed' | 'fail';
export type MachinePriceType = 'ondemand' | 'spot';

/** What the cloud says about one machine right now. */
export interface CloudMachine {
  machineId: string;
  /** The host name HostFactory uses (the private DNS name). */
  name: string;
  status: MachineState;
  privateIpAddress: string | null;
  publicIpAddress: string | null;
  /** epoch seconds */
  launchTime: number;
  instanceType: string;
  priceType: MachinePriceType;
  /** Units this machine counts for toward its request (the instance type's weight). */
  weight: number;
  instanceTags: Record<string, string>;
  cloudHostId: string | null;
  /** The cloud resource that owns the machine (fleet id, ASG name, reservation id). */
  resourceId?: string;
  /** Why the machine failed or ended before it was usable (launch error, stuck pending…). */
  failureMessage?: string;
  /** The cloud region it runs in, for a cloud spread over several (AWS); undefined: the provider's default region. */
  region?: string;
}

/** A host launched for an acquire request, as recorded in the store. */
export interface Machine extends CloudMachine {
  requestId: string;
  templateId: string;
  /** The return request that gave this machine back, once HostFactory returned it. */
  returnRequestId?: string;
  /** The cloud's word that it will take the host back, from an interruption event (see InterruptionFeed). */
  notice?: MachineNotice;
  /** Optimistic-concurrency version; the store increments it on every update. */
  version: number;
  /** epoch milliseconds */
  updatedAt: number;
}

/** The cloud will take a host back at `deadline`, for `reason`. */
export interface MachineNotice {
  /** epoch milliseconds */
  deadline: number;
  reason: string;
}

/** A reference to a host, as HostFactory sends them: by host name, by id, or both. */
export interface MachineRef {
  name?: string;
  machineId?: string;
}

const LIFECYCLE_ORDER: Record<MachineState, number> = {
  pending: 0,
  running: 1,
  stopping: 2,
  stopped: 3,
  'shutting-down': 4,
  terminated: 5,
};

/** True when `ref` names this machine: by machineId when given, else by host name. */
export function refersTo(ref: MachineRef, machine: Pick<CloudMachine, 'machineId' | 'name'>): boolean {
  return (ref.machineId !== undefined && ref.machineId === machine.machineId) || (ref.name !== undefined && ref.name === machine.name);
}

/** A host no longer usable: stopping, stopped, shutting down or terminated. */
export function isEnding(status: MachineState): boolean {
  return status !== 'pending' && status !== 'running';
}

/** Machine states only move forward; a stale observation must never undo a newer one. */
export function isForwardTransition(from: MachineState, to: MachineState): boolean {
  return LIFECYCLE_ORDER[to] >= LIFECYCLE_ORDER[from];
}

export function isGone(machine: Pick<Machine, 'status'>): boolean {
  return machine.status === 'terminated';
}

/** A machine counts against its template's maxNumber until it is gone. */
export function holdsCapacity(machine: Pick<Machine, 'status'>): boolean {
  return !isGone(machine);
}

/**
 * The per-machine `result` HostFactory reads. For an acquire request `succeed` means the host
 * is up; for a return request it means the host is gone.
 */
export function machineResult(machine: Machine, kind: RequestKind): MachineResult {
  if (kind === 'return') return machine.status === 'terminated' ? 'succeed' : 'executing';
  if (machine.failureMessage) return 'fail';
  if (machine.status === 'running') return 'succeed';
  if (machine.status === 'pending') return 'executing';
  return 'fail';
}

/** The message HostFactory requires for a failed machine. */
export function machineFailureMessage(machine: Machine): string {
  return machine.failureMessage ?? `instance is ${machine.status} before it became usable`;
}

/** Applies a cloud observation to a stored machine, never moving its state backwards. */
export function applyObservation(machine: Machine, seen: CloudMachine): Machine {
  if (!isForwardTransition(machine.status, seen.status)) return machine;
  return {
    ...machine,
    status: seen.status,
    name: seen.name || machine.name,
    privateIpAddress: seen.privateIpAddress ?? machine.privateIpAddress,
    publicIpAddress: seen.publicIpAddress ?? machine.publicIpAddress,
    launchTime: seen.launchTime || machine.launchTime,
    cloudHostId: seen.cloudHostId ?? machine.cloudHostId,
    failureMessage: machine.failureMessage ?? failureOf(machine, seen),
  };
}

function failureOf(machine: Machine, seen: CloudMachine): string | undefined {
  if (seen.failureMessage && seen.status !== 'running') return seen.failureMessage;
  const endedBeforeReturn = machine.returnRequestId === undefined;
  const everRan = machine.status !== 'pending';
  if (endedBeforeReturn && !everRan && seen.status !== 'pending' && seen.status !== 'running') {
    return `instance went ${seen.status} before it was running`;
  }
  return undefined;
}

/**
 * The machine with `notice` recorded, or undefined when it changes nothing: a host already
 * returned or gone needs none, and the earliest deadline wins (a rebalance recommendation, then the
 * spot warning two minutes before the end).
 */
export function withNotice(machine: Machine, notice: MachineNotice): Machine | undefined {
  if (machine.returnRequestId !== undefined || isGone(machine)) return undefined;
  if (machine.notice && machine.notice.deadline <= notice.deadline) return undefined;
  return { ...machine, notice };
}

/** Whole seconds left before `deadline` (epoch ms) at `now`, never below 0. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.floor((deadline - now) / 1000));
}

export function machineChanged(before: Machine, after: Machine): boolean {
  return (
    before.status !== after.status ||
    before.name !== after.name ||
    before.privateIpAddress !== after.privateIpAddress ||
    before.publicIpAddress !== after.publicIpAddress ||
    before.failureMessage !== after.failureMessage ||
    before.cloudHostId !== after.cloudHostId
  );
}

/** A new store record for a machine the cloud reported for the first time. */
export function newMachine(requestId: string, templateId: string, seen: CloudMachine, now: number): Machine {
  return {
    machineId: seen.machineId,
    name: seen.name,
    requestId,
    templateId,
    status: seen.status,
    failureMessage: seen.status === 'pending' || seen.status === 'running' ? undefined : seen.failureMessage ?? `instance is ${seen.status}`,
    privateIpAddress: seen.privateIpAddress,
    publicIpAddress: seen.publicIpAddress,
    launchTime: seen.launchTime,
    instanceType: seen.instanceType,
    priceType: seen.priceType,
    weight: seen.weight,
    instanceTags: seen.instanceTags,
    cloudHostId: seen.cloudHostId,
    resourceId: seen.resourceId,
    ...(seen.region ? { region: seen.region } : {}),
    version: 0,
    updatedAt: now,
  };
}
