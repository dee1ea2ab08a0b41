import { inject, injectable } from 'inversify';
import { performance } from 'node:perf_hooks';
import { GetAvailableTemplates } from '../../application/get-available-templates.js';
import { GetRequestStatus } from '../../application/get-request-status.js';
import { GetReturnRequests } from '../../application/get-return-requests.js';
import { RequestMachines } from '../../application/request-machines.js';
import { RequestReturnMachines } from '../../application/request-return-machines.js';
import { toHostFactoryError } from '../../domain/errors.js';
import { Logger } from '../../domain/ports/logger.js';
import { Metrics } from '../../domain/ports/metrics.js';
import type { HostFactoryOperation } from '../../shared/hostfactory-protocol.js';
import {
  parseGetRequestStatus,
  parseGetReturnRequests,
  parseRequestMachines,
  parseRequestReturnMachines,
} from './hostfactory-input.js';
import { requestStatusResponse, returnRequestsResponse, templatesResponse, withBoundedMessages } from './hostfactory-output.js';

export { HOSTFACTORY_OPERATIONS, type HostFactoryOperation } from '../../shared/hostfactory-protocol.js';

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
    @inject(Metrics) private readonly metrics: Metrics,
  ) {}

  /** The operation's response, every message in it bounded; input and response are logged at debug level, outcome and duration counted. */
  async run(operation: HostFactoryOperation, input: unknown): Promise<Record<string, unknown>> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    this.logger.debug({ operation, input }, 'operation input');
    try {
      const response = withBoundedMessages(await this.respond(operation, input));
      this.logger.debug({ operation, response }, 'operation response');
      this.metrics.operation(operation, 'ok', seconds());
      return response;
    } catch (error) {
      this.metrics.operation(operation, toHostFactoryError(error).code, seconds());
      throw error;
    }
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
