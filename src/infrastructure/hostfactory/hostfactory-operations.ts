import { inject, injectable } from 'inversify';
import { GetAvailableTemplates } from '../../application/get-available-templates.js';
import { GetRequestStatus } from '../../application/get-request-status.js';
import { GetReturnRequests } from '../../application/get-return-requests.js';
import { RequestMachines } from '../../application/request-machines.js';
import { RequestReturnMachines } from '../../application/request-return-machines.js';
import { Logger } from '../../domain/ports/logger.js';
import {
  parseGetRequestStatus,
  parseGetReturnRequests,
  parseRequestMachines,
  parseRequestReturnMachines,
} from './hostfactory-input.js';
import { requestStatusResponse, returnRequestsResponse, templatesResponse, withBoundedMessages } from './hostfactory-output.js';

export const HOSTFACTORY_OPERATIONS = [
  'getAvailableTemplates',
  'requestMachines',
  'getRequestStatus',
  'requestReturnMachines',
  'getReturnRequests',
] as const;
export type HostFactoryOperation = (typeof HOSTFACTORY_OPERATIONS)[number];

/** The five provider-plugin operations: HostFactory JSON in, HostFactory JSON out. */
@injectable()
export class HostFactoryOperations {
  constructor(
    @inject(GetAvailableTemplates) private readonly getAvailableTemplates: GetAvailableTemplates,
    @inject(RequestMachines) private readonly requestMachines: RequestMachines,
    @inject(GetRequestStatus) private readonly getRequestStatus: GetRequestStatus,
    @inject(RequestReturnMachines) private readonly requestReturnMachines: RequestReturnMachines,
    @inject(GetReturnRequests) private readonly getReturnRequests: GetReturnRequests,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** The operation's response, every message in it bounded; input and response are logged at debug level. */
  async run(operation: HostFactoryOperation, input: unknown): Promise<Record<string, unknown>> {
    this.logger.debug({ operation, input }, 'operation input');
    const response = withBoundedMessages(await this.respond(operation, input));
    this.logger.debug({ operation, response }, 'operation response');
    return response;
  }

  private async respond(operation: HostFactoryOperation, input: unknown): Promise<Record<string, unknown>> {
    switch (operation) {
      case 'getAvailableTemplates':
        return templatesResponse(await this.getAvailableTemplates.execute());
      case 'requestMachines': {
        const { templateId, machineCount } = parseRequestMachines(input);
        return { ...(await this.requestMachines.execute(templateId, machineCount)) };
      }
      case 'getRequestStatus':
        return requestStatusResponse(await this.getRequestStatus.execute(parseGetRequestStatus(input)));
      case 'requestReturnMachines': {
        const result = await this.requestReturnMachines.execute(parseRequestReturnMachines(input));
        return { requestId: result.requestId, message: result.message };
      }
      case 'getReturnRequests':
        return returnRequestsResponse(await this.getReturnRequests.execute(parseGetReturnRequests(input)));
    }
  }
}
