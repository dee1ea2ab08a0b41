import { inject, injectable } from 'inversify';
import { CloudProvider, type PlannedLaunch } from '../domain/ports/cloud-provider.js';
import { newRequestId } from '../domain/request.js';
import { RequestMachines } from './request-machines.js';
import { UnavailableOfferings } from './unavailable-offerings.js';

export interface RequestMachinesPlan {
  /** A request id of its own, recorded nowhere: the tags show what a real request would carry. */
  requestId: string;
  templateId: string;
  units: number;
  /** The provider's plan; undefined when the provider cannot tell one (no `planLaunch`). */
  plan?: PlannedLaunch;
}

/**
 * `machines request --dry-run`: the checks requestMachines makes (count, template, maxNumber left)
 * and the launch the provider would make now, with the pools remembered out of capacity; nothing
 * is recorded in the store and nothing is launched.
 */
@injectable()
export class RequestMachinesDryRun {
  constructor(
    @inject(RequestMachines) private readonly requestMachines: RequestMachines,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(UnavailableOfferings) private readonly offerings: UnavailableOfferings,
  ) {}

  async execute(templateId: string, machineCount: number): Promise<RequestMachinesPlan> {
    const template = await this.requestMachines.check(templateId, machineCount);
    const requestId = newRequestId('acquire');
    if (!this.cloud.planLaunch) return { requestId, templateId, units: machineCount };
    const unavailable = await this.offerings.current();
    const plan = await this.cloud.planLaunch({ requestId, template, units: machineCount, ...(unavailable.length > 0 ? { unavailable } : {}) });
    return { requestId, templateId, units: machineCount, plan };
  }
}
