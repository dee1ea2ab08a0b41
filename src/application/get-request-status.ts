import { inject, injectable } from 'inversify';
import type { CloudMachine, Machine } from '../domain/machine.js';
import type { Offering } from '../domain/offering.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider, type FulfilmentReport, type TrackedRequest } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { Metrics } from '../domain/ports/metrics.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository } from '../domain/ports/template-repository.js';
import { canMoveTo, kindOfRequestId, type Request, type RequestKind, type RequestStatus } from '../domain/request.js';
import { acquireProgress, returnProgress, type Progress } from '../domain/request-progress.js';
import { MachineRecorder } from './machine-recorder.js';
import { ownersOf } from './owners-of.js';
import { changeRequest } from './optimistic-change.js';
import { UnavailableOfferings } from './unavailable-offerings.js';

/** A returned machine still running this long after its return claimed it is released again. */
export const RELEASE_RETRY_AFTER_MS = 5_000;

export interface RequestStatusView {
  requestId: string;
  kind: RequestKind;
  status: RequestStatus;
  message: string;
  machines: Machine[];
}

/**
 * getRequestStatus for acquire and return requests. Finished requests are answered from the
 * store; every unfinished one is brought up to date with one batched set of cloud calls.
 */
@injectable()
export class GetRequestStatus {
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(MachineRecorder) private readonly recorder: MachineRecorder,
    @inject(Logger) private readonly logger: Logger,
    @inject(Clock) private readonly clock: Clock,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(UnavailableOfferings) private readonly offerings: UnavailableOfferings,
  ) {}

  async execute(requestIds: readonly string[]): Promise<RequestStatusView[]> {
    const found = new Map((await this.requests.getMany(requestIds)).map((request) => [request.requestId, request]));
    const running = [...found.values()].filter((request) => request.status === 'running');
    const acquiring = running.filter((request) => request.kind === 'acquire');
    const returning = running.filter((request) => request.kind === 'return');
    const finished = [...found.values()].filter((request) => request.status !== 'running');

    const [acquired, returned, finishedAcquire, finishedReturn] = await Promise.all([
      this.refreshAcquires(acquiring),
      this.refreshReturns(returning),
      this.machines.listByRequests(finished.filter((r) => r.kind === 'acquire').map((r) => r.requestId)),
      this.machines.listByReturnRequests(finished.filter((r) => r.kind === 'return').map((r) => r.requestId)),
    ]);
    const views = new Map<string, RequestStatusView>([...acquired, ...returned]);
    for (const request of finished) {
      const pool = request.kind === 'acquire' ? finishedAcquire : finishedReturn;
      const own = pool.filter((m) => (request.kind === 'acquire' ? m.requestId : m.returnRequestId) === request.requestId);
      views.set(request.requestId, viewOf(request, own));
    }
    return requestIds.map((requestId) => views.get(requestId) ?? notFound(requestId));
  }

  private async refreshAcquires(requests: readonly Request[]): Promise<Array<[string, RequestStatusView]>> {
    if (requests.length === 0) return [];
    const [stored, listing] = await Promise.all([
      this.machines.listByRequests(requests.map((request) => request.requestId)),
      this.templates.list(),
    ]);
    const templates = new Map(listing.templates.map((template) => [template.templateId, template]));
    const machinesOf = new Map<string, Machine[]>();
    for (const machine of stored) machinesOf.set(machine.requestId, [...(machinesOf.get(machine.requestId) ?? []), machine]);
    const tracked: TrackedRequest[] = requests.map((request) => ({
      request,
      template: request.templateId ? templates.get(request.templateId) : undefined,
      machines: machinesOf.get(request.requestId) ?? [],
    }));
    let remembered: Promise<readonly Offering[]> | undefined;
    const reports = await this.cloud.describeRequests(tracked, () => (remembered ??= this.offerings.current()));
    await this.offerings.note([...reports.values()].flatMap((report) => report.unavailableOfferings ?? []));
    return Promise.all(
      tracked.map(async (entry): Promise<[string, RequestStatusView]> => {
        const report = reports.get(entry.request.requestId) ?? { machines: [], final: false };
        const machines = await this.recorder.record(entry.request, entry.machines, report.machines, report.failedMachines);
        const progress = acquireProgress(entry.request, machines, { final: report.final, cloudMessage: report.message });
        const request = await this.save(entry.request, progress, report);
        return [request.requestId, viewOf(request, machines)];
      }),
    );
  }

  private async refreshReturns(requests: readonly Request[]): Promise<Array<[string, RequestStatusView]>> {
    if (requests.length === 0) return [];
    const stored = await this.machines.listByReturnRequests(requests.map((request) => request.requestId));
    const live = stored.filter((machine) => machine.status !== 'terminated');
    const seen: CloudMachine[] = live.length > 0 ? await this.cloud.describeMachines(live) : [];
    const updated = await this.recorder.observe(stored, seen);
    await this.releaseAgain(updated);
    return Promise.all(
      requests.map(async (request): Promise<[string, RequestStatusView]> => {
        const own = updated.filter((machine) => machine.returnRequestId === request.requestId);
        const saved = await this.save(request, returnProgress(own));
        return [saved.requestId, viewOf(saved, own)];
      }),
    );
  }

  /**
   * Machines of a return that still run a while after it claimed them were not released (the
   * cloud refused part of the return, or a call failed half-way): ask again. Releasing is
   * idempotent, so a machine already on its way out changes nothing.
   */
  private async releaseAgain(machines: readonly Machine[]): Promise<void> {
    const claimedBefore = this.clock.now() - RELEASE_RETRY_AFTER_MS;
    const stuck = machines.filter((machine) => (machine.status === 'running' || machine.status === 'pending') && machine.updatedAt <= claimedBefore);
    if (stuck.length === 0) return;
    try {
      const { owners, tracked } = await ownersOf(this.requests, this.machines, stuck.map((machine) => machine.requestId));
      const { failed } = await this.cloud.release(stuck, owners, tracked);
      if (Object.keys(failed).length > 0) this.logger.warn({ failed }, 'machines still not released; retried on the next poll');
    } catch (error) {
      this.logger.warn({ machines: stuck.map((machine) => machine.machineId), err: error }, 'release retry failed; retried on the next poll');
    }
  }

  /** Stores the new status and message; a request another process already finished stays as it is. */
  private async save(request: Request, progress: Progress, report?: FulfilmentReport): Promise<Request> {
    const unchanged =
      progress.status === request.status && progress.message === request.message && report?.providerData === undefined;
    if (unchanged) return request;
    const saved = await changeRequest(this.requests, request, (current) =>
      canMoveTo(current.status, progress.status)
        ? {
            ...current,
            status: progress.status,
            message: progress.message,
            providerData: report?.providerData ? { ...current.providerData, ...report.providerData } : current.providerData,
          }
        : undefined,
    );
    if (saved.status !== 'running') this.logger.info({ requestId: saved.requestId, status: saved.status }, 'request finished');
    // Counted by the call that finished it (a request another process finished first has another status or was not running here).
    if (request.status === 'running' && saved.status !== 'running' && saved.status === progress.status) this.metrics.requestFinished(saved.kind, saved.status);
    return saved;
  }
}

function viewOf(request: Request, machines: Machine[]): RequestStatusView {
  return { requestId: request.requestId, kind: request.kind, status: request.status, message: request.message ?? '', machines };
}

function notFound(requestId: string): RequestStatusView {
  return {
    requestId,
    kind: kindOfRequestId(requestId) ?? 'acquire',
    status: 'complete_with_error',
    message: `request ${requestId} not found`,
    machines: [],
  };
}
