import { inject, injectable } from 'inversify';
import { HostFactoryError, toHostFactoryError } from '../domain/errors.js';
import { newMachine, refersTo, type Machine, type MachineRef } from '../domain/machine.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider, type CloudHost } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { newRequestId, type Request } from '../domain/request.js';
import { ProviderIdentity } from './provider-identity.js';
import { ownersOf } from './owners-of.js';
import { changeMachine, changeRequest } from './optimistic-change.js';

export interface ReturnResult {
  requestId: string;
  message: string;
  returned: Machine[];
}

/**
 * requestReturnMachines: records a return request, claims the machines for it (a machine is given
 * back once, even when two calls race) and asks the cloud to release them.
 */
@injectable()
export class RequestReturnMachines {
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @inject(ProviderIdentity) private readonly identity: ProviderIdentity,
  ) {}

  async execute(refs: readonly MachineRef[]): Promise<ReturnResult> {
    const usable = refs.filter((ref) => ref.machineId || ref.name);
    if (usable.length === 0) throw new HostFactoryError('INVALID_INPUT', 'no machines given: each needs a name or a machineId');
    const known = await this.machines.findByRefs(usable);
    const unknown = usable.filter((ref) => !known.some((machine) => refersTo(ref, machine)));

    const now = this.clock.now();
    const request: Request = {
      requestId: newRequestId('return'),
      kind: 'return',
      status: 'running',
      machineCount: 0,
      providerName: this.identity.name,
      providerData: {},
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    await this.requests.create(request);
    const notes: string[] = [];
    const found = [...known, ...(unknown.length > 0 ? await this.adopt(unknown, notes) : [])];
    const claimed = await this.claim(found, request.requestId);
    const skipped = found.filter((machine) => !claimed.some((own) => own.machineId === machine.machineId));

    if (skipped.length > 0) notes.push(`already returned: ${nameSome(skipped.map((m) => m.name || m.machineId))}`);
    await this.release(request, claimed, notes);
    const message = [claimed.length > 0 ? 'Delete VM success.' : 'No Active VM.', ...notes].join(' ');
    await this.finishRecording(request, claimed.length, claimed.length > 0 ? undefined : message);
    this.logger.info({ requestId: request.requestId, machines: claimed.map((m) => m.machineId) }, 'return requested');
    return { requestId: request.requestId, message, returned: claimed };
  }

  /**
   * Hosts the store does not know are looked up in the cloud: one this provider instance tagged
   * (or any, with RETURN_UNTRACKED_HOSTS) is recorded and returned like the others; one tagged by
   * nobody or by another provider instance is left alone and named; one the cloud does not know is
   * named as unknown.
   */
  private async adopt(refs: readonly MachineRef[], notes: string[]): Promise<Machine[]> {
    let hosts: CloudHost[];
    try {
      hosts = await this.cloud.findHosts(refs);
    } catch (error) {
      this.logger.warn({ refs, err: error }, 'hosts the store does not know could not be looked up in the cloud');
      notes.push(`unknown machine(s), not looked up in the cloud (${toHostFactoryError(error).message}): ${nameSome(refs.map(describeRef))}`);
      return [];
    }
    const missing = refs.filter((ref) => !hosts.some((host) => refersTo(ref, host)));
    const ours = hosts.filter((host) => host.providerName === this.identity.name || this.identity.returnUntrackedHosts);
    const foreign = hosts.filter((host) => !ours.includes(host));
    if (missing.length > 0) notes.push(`unknown machine(s): ${nameSome(missing.map(describeRef))}`);
    if (foreign.length > 0) {
      const owners = foreign.map((host) => `${host.name || host.machineId} (${host.providerName ? `tagged by ${host.providerName}` : 'untagged'})`);
      notes.push(`left running, not launched by provider instance ${this.identity.name}: ${nameSome(owners)}; set RETURN_UNTRACKED_HOSTS=true to return such hosts`);
    }
    if (ours.length === 0) return [];
    const now = this.clock.now();
    const recorded = await this.machines.addIfAbsent(ours.map((host) => newMachine(host.requestId ?? UNTRACKED_REQUEST_ID, host.templateId ?? '', host, now)));
    this.logger.info({ machines: recorded.map((machine) => machine.machineId) }, 'hosts the store did not know recorded for return');
    return this.machines.findByRefs(ours.map((host) => ({ machineId: host.machineId })));
  }

  /** Sets returnRequestId on each machine not already being returned; returns the ones won. */
  private async claim(found: readonly Machine[], returnRequestId: string): Promise<Machine[]> {
    const results = await Promise.all(
      found.map((machine) =>
        changeMachine(this.machines, machine, (current) =>
          current.returnRequestId ? undefined : { ...current, returnRequestId, updatedAt: this.clock.now() },
        ),
      ),
    );
    return results.filter((machine) => machine.returnRequestId === returnRequestId);
  }

  /**
   * Asks the cloud to release the claimed machines. Machines it could not release yet stay claimed
   * (the return's next getRequestStatus tries them again) and are named in the message; when none
   * could be released the claims are undone and the return fails.
   */
  private async release(request: Request, claimed: Machine[], notes: string[]): Promise<void> {
    const live = claimed.filter((machine) => machine.status !== 'terminated');
    if (live.length === 0) return;
    try {
      const { owners, tracked } = await ownersOf(this.requests, this.machines, live.map((machine) => machine.requestId));
      const { failed } = await this.cloud.release(live, owners, tracked);
      const pending = Object.entries(failed);
      if (pending.length > 0) {
        this.logger.warn({ requestId: request.requestId, failed }, 'some machines not released yet; retried on the next poll');
        notes.push(`${pending.length} machine(s) not released yet, retried on the next poll: ${nameSome(pending.map(([id, reason]) => `${id} (${reason})`))}`);
      }
    } catch (error) {
      const failure = toHostFactoryError(error);
      this.logger.error({ requestId: request.requestId, err: failure }, 'release failed; machines unclaimed');
      await Promise.all(claimed.map((machine) => this.unclaim(machine)));
      await changeRequest(this.requests, request, (current) => ({
        ...current,
        status: 'complete_with_error',
        message: [failure.message, ...notes].join(' '),
      }));
      throw failure;
    }
  }

  private unclaim(machine: Machine): Promise<Machine> {
    return changeMachine(this.machines, machine, (current) => ({ ...current, returnRequestId: undefined, updatedAt: this.clock.now() }));
  }

  /** Records how many machines the return took; a return that took none is complete at once. */
  private finishRecording(request: Request, machineCount: number, finalMessage?: string): Promise<Request> {
    return changeRequest(this.requests, request, (current) => ({
      ...current,
      machineCount,
      status: finalMessage !== undefined ? 'complete' : current.status,
      message: finalMessage ?? current.message,
    }));
  }
}

/** The request id recorded for a returned host whose tags name no request. */
export const UNTRACKED_REQUEST_ID = 'untracked';

/** A note names at most this many hosts and counts the rest: HostFactory repeats it on every poll. */
const NAMED_HOSTS_LIMIT = 20;

/** `a, b, c`, or the first NAMED_HOSTS_LIMIT names and `… and N more`. */
function nameSome(names: readonly string[]): string {
  const named = names.slice(0, NAMED_HOSTS_LIMIT).join(', ');
  return names.length > NAMED_HOSTS_LIMIT ? `${named} … and ${names.length - NAMED_HOSTS_LIMIT} more` : named;
}

function describeRef(ref: MachineRef): string {
  return ref.name && ref.machineId ? `${ref.name} (${ref.machineId})` : (ref.name ?? ref.machineId ?? '?');
}
