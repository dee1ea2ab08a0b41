import type { CloudMachine, MachinePriceType, MachineState } from '../../domain/machine.js';
import type { Reclaim } from '../../domain/ports/cloud-provider.js';

/** One simulated instance as stored; every time is epoch milliseconds. */
export interface SimInstance {
  instanceId: string;
  requestId: string;
  reservationId: string;
  instanceType: string;
  priceType: MachinePriceType;
  weight: number;
  privateIp: string;
  name: string;
  tags: Record<string, string>;
  launchedAt: number;
  /** The instance fails at boot time instead of running. */
  bootFails: boolean;
  /** When the interruption notice is (or was) given, if the instance was chosen. */
  noticeAt: number | null;
  /** When an interrupted instance is terminated. */
  reclaimAt: number | null;
  /** When HostFactory released it. */
  releasedAt: number | null;
  /** When it was terminated outside HostFactory (the console). */
  terminatedOutsideAt: number | null;
}

export interface SimTimings {
  bootDelaySec: number;
  shutdownDelaySec: number;
}

export const BOOT_FAILURE_MESSAGE = 'Server.InternalError: Internal error on launch';
export const INTERRUPTION_MESSAGE = 'Server.SpotInstanceTermination: Spot instance termination';
export const OUTSIDE_TERMINATION_MESSAGE = 'Client.UserInitiatedShutdown: User initiated shutdown';
export const TERMINATED_OUTSIDE_REASON = 'terminated outside HostFactory';
export const INTERRUPTION_NOTICE_REASON = 'spot interruption notice';

type EndCause = 'boot-failure' | 'interruption' | 'outside' | 'release';

interface Ending {
  /** When shutting-down starts (equal to terminatedAt for causes without a shutdown phase). */
  shutdownAt: number;
  terminatedAt: number;
  cause: EndCause;
}

const min = (values: Array<number | null>): number | null => {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : Math.min(...present);
};

function bootAt(instance: SimInstance, timings: SimTimings): number {
  return instance.launchedAt + timings.bootDelaySec * 1000;
}

/** The interruption counts only if its notice came before anything else ended the instance. */
function effectiveNotice(instance: SimInstance, timings: SimTimings): number | null {
  if (instance.noticeAt === null || instance.reclaimAt === null) return null;
  const failedAt = instance.bootFails ? bootAt(instance, timings) : null;
  const stoppedAt = min([instance.releasedAt, instance.terminatedOutsideAt, failedAt]);
  return stoppedAt === null || instance.noticeAt < stoppedAt ? instance.noticeAt : null;
}

/** How and when the instance ends, from everything recorded so far; null while nothing ends it. */
export function endingOf(instance: SimInstance, timings: SimTimings): Ending | null {
  const shutdownMs = timings.shutdownDelaySec * 1000;
  const endings: Ending[] = [];
  if (instance.bootFails) {
    const at = bootAt(instance, timings);
    endings.push({ shutdownAt: at, terminatedAt: at, cause: 'boot-failure' });
  }
  if (effectiveNotice(instance, timings) !== null && instance.reclaimAt !== null) {
    endings.push({ shutdownAt: instance.reclaimAt, terminatedAt: instance.reclaimAt, cause: 'interruption' });
  }
  if (instance.terminatedOutsideAt !== null) {
    const at = instance.terminatedOutsideAt;
    endings.push({ shutdownAt: at, terminatedAt: at + shutdownMs, cause: 'outside' });
  }
  if (instance.releasedAt !== null) {
    const at = instance.releasedAt;
    endings.push({ shutdownAt: at, terminatedAt: at + shutdownMs, cause: 'release' });
  }
  if (endings.length === 0) return null;
  endings.sort((a, b) => a.shutdownAt - b.shutdownAt || a.terminatedAt - b.terminatedAt);
  const first = endings[0];
  const terminatedAt = Math.min(...endings.map((ending) => ending.terminatedAt));
  return { ...first, terminatedAt };
}

/** When the instance is terminated, or null while nothing ends it (stored to count live instances). */
export function terminatedAt(instance: SimInstance, timings: SimTimings): number | null {
  return endingOf(instance, timings)?.terminatedAt ?? null;
}

export interface SimInstanceState {
  status: MachineState;
  failureMessage?: string;
}

const CAUSE_MESSAGE: Record<EndCause, string | undefined> = {
  'boot-failure': BOOT_FAILURE_MESSAGE,
  interruption: INTERRUPTION_MESSAGE,
  outside: OUTSIDE_TERMINATION_MESSAGE,
  release: undefined,
};

/** The instance's state at `now` (epoch ms), computed from its timestamps. */
export function stateAt(instance: SimInstance, now: number, timings: SimTimings): SimInstanceState {
  const ending = endingOf(instance, timings);
  if (ending && now >= ending.shutdownAt) {
    const status: MachineState = now >= ending.terminatedAt ? 'terminated' : 'shutting-down';
    const failureMessage = CAUSE_MESSAGE[ending.cause];
    return failureMessage ? { status, failureMessage } : { status };
  }
  return { status: now >= bootAt(instance, timings) ? 'running' : 'pending' };
}

/** The instance as the CloudProvider port reports it. */
export function toCloudMachine(instance: SimInstance, now: number, timings: SimTimings): CloudMachine {
  const state = stateAt(instance, now, timings);
  const machine: CloudMachine = {
    machineId: instance.instanceId,
    name: instance.name,
    status: state.status,
    privateIpAddress: instance.privateIp,
    publicIpAddress: null,
    launchTime: Math.floor(instance.launchedAt / 1000),
    instanceType: instance.instanceType,
    priceType: instance.priceType,
    weight: instance.weight,
    instanceTags: { ...instance.tags },
    cloudHostId: instance.instanceId,
    resourceId: instance.reservationId,
  };
  if (state.failureMessage) machine.failureMessage = state.failureMessage;
  return machine;
}

/**
 * The reclaim HostFactory should hear about at `now`, if any: an interruption notice with the
 * seconds left, or an instance that ended while HostFactory had not released it.
 */
export function reclaimOf(instance: SimInstance, now: number, timings: SimTimings): Reclaim | undefined {
  if (instance.releasedAt !== null && instance.releasedAt <= now) return undefined;
  const base = { machineId: instance.instanceId, name: instance.name };
  const ending = endingOf(instance, timings);
  if (ending && now >= ending.shutdownAt) {
    const reason = ending.cause === 'interruption' ? INTERRUPTION_NOTICE_REASON : TERMINATED_OUTSIDE_REASON;
    return { ...base, gracePeriod: 0, reason };
  }
  const notice = effectiveNotice(instance, timings);
  if (notice !== null && instance.reclaimAt !== null && now >= notice) {
    const gracePeriod = Math.max(0, Math.ceil((instance.reclaimAt - now) / 1000));
    return { ...base, gracePeriod, reason: INTERRUPTION_NOTICE_REASON };
  }
  return undefined;
}
