import { inject, injectable } from 'inversify';
import { HostFactoryError, toHostFactoryError, unavailableOfferingsOf } from '../domain/errors.js';
import { newMachine } from '../domain/machine.js';
import type { Offering } from '../domain/offering.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository } from '../domain/ports/template-repository.js';
import { newRequestId, parseMachineCount, type Request } from '../domain/request.js';
import { availableUnits, isUnlimited, unitsHeldByTemplate, type Template } from '../domain/template.js';
import { ProviderIdentity } from './provider-identity.js';
import { changeRequest } from './optimistic-change.js';
import { UnavailableOfferings } from './unavailable-offerings.js';

export interface RequestMachinesResult {
  requestId: string;
  message: string;
}

/** requestMachines: check the template and the count, record the request, start the launch. */
@injectable()
export class RequestMachines {
  constructor(
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @inject(ProviderIdentity) private readonly identity: ProviderIdentity,
    @inject(UnavailableOfferings) private readonly offerings: UnavailableOfferings,
  ) {}

  async execute(templateId: string, machineCount: number): Promise<RequestMachinesResult> {
    const template = await this.check(templateId, machineCount);
    const unavailable = await this.offerings.current();

    const now = this.clock.now();
    const request: Request = {
      requestId: newRequestId('acquire'),
      kind: 'acquire',
      status: 'running',
      templateId,
      machineCount,
      providerName: this.identity.name,
      providerData: {},
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    await this.requests.create(request);
    await this.checkAvailable(template, machineCount, request);
    this.logger.info({ requestId: request.requestId, templateId, machineCount }, 'request recorded');
    return this.launch(request, template, unavailable);
  }

  /**
   * The checks a request must pass before it is recorded (count, template, maxNumber left), making
   * none of its changes; returns the template. Throws as execute does.
   */
  async check(templateId: string, machineCount: number): Promise<Template> {
    parseMachineCount(machineCount);
    const template = await this.findUsable(templateId);
    await this.checkAvailable(template, machineCount);
    return template;
  }

  /** The template, or TEMPLATE_NOT_FOUND saying whether it is missing or broken (and where). */
  private async findUsable(templateId: string): Promise<Template> {
    const listing = await this.templates.list();
    const template = listing.templates.find((candidate) => candidate.templateId === templateId);
    if (template) return template;
    const problem = listing.problems.find((candidate) => candidate.templateId === templateId);
    const detail = problem ? ` is invalid in ${problem.file}${problem.field ? ` (${problem.field})` : ''}: ${problem.message}` : ' not found';
    throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template "${templateId}"${detail}`);
  }

  /**
   * Before recording, the count must fit in what is left. After recording, it is checked again
   * against every other outstanding request: of two racing callers the later reader always sees
   * the other, so together they can never overshoot maxNumber (at worst both step back and
   * HostFactory asks again on its next cycle).
   */
  private async checkAvailable(template: Template, machineCount: number, recorded?: Request): Promise<void> {
    if (isUnlimited(template)) return;
    const [live, outstanding] = await Promise.all([this.machines.listLive(), this.requests.listOutstanding()]);
    const others = recorded ? outstanding.filter((other) => other.requestId !== recorded.requestId) : outstanding;
    const available = availableUnits(template, unitsHeldByTemplate(live, others).get(template.templateId) ?? 0);
    if (machineCount <= available) return;
    const message = `template "${template.templateId}" can provide ${available} more unit(s) (maxNumber ${template.maxNumber}); ${machineCount} requested`;
    if (recorded) await this.finish(recorded, 'complete_with_error', `rejected: ${message}`);
    throw new HostFactoryError('INVALID_INPUT', message);
  }

  private async launch(request: Request, template: Template, unavailable: readonly Offering[]): Promise<RequestMachinesResult> {
    try {
      const result = await this.cloud.launch({
        requestId: request.requestId,
        template,
        units: request.machineCount,
        ...(unavailable.length > 0 ? { unavailable } : {}),
      });
      const now = this.clock.now();
      await this.machines.addIfAbsent(
        result.machines.map((seen) => newMachine(request.requestId, template.templateId, seen, now)),
      );
      await changeRequest(this.requests, request, (current) => ({
        ...current,
        providerData: { ...current.providerData, ...result.providerData },
        message: result.message ?? current.message,
      }));
      await this.offerings.note(result.unavailableOfferings ?? []);
      this.logger.info({ requestId: request.requestId, machines: result.machines.length }, 'launch started');
      return { requestId: request.requestId, message: result.message ?? 'Request VM success.' };
    } catch (error) {
      await this.offerings.note(unavailableOfferingsOf(error));
      const failure = toHostFactoryError(error);
      if (failure.retryable) return this.launchLater(request, failure);
      this.logger.error({ requestId: request.requestId, err: failure }, 'launch failed');
      await this.finish(request, 'complete_with_error', failure.message);
      throw failure;
    }
  }

  /**
   * The cloud may have carried the launch out and lost the answer (or is throttling): the request
   * stays running and the provider launches it again on the next getRequestStatus, with the same
   * request id, so the same idempotency token: it never launches twice, and is never abandoned.
   */
  private async launchLater(request: Request, failure: HostFactoryError): Promise<RequestMachinesResult> {
    const message = `launch not confirmed yet (${failure.message}); retried on the next status poll`;
    this.logger.warn({ requestId: request.requestId, err: failure }, 'launch not confirmed; retried on the next poll');
    await changeRequest(this.requests, request, (current) => ({ ...current, message }));
    return { requestId: request.requestId, message };
  }

  private async finish(request: Request, status: Request['status'], message: string): Promise<void> {
    await changeRequest(this.requests, request, (current) => ({ ...current, status, message }));
  }
}
