import type { Offering } from '../../../domain/offering.js';
import type { Template } from '../../../domain/template.js';
import { planCapacity } from '../capacity-plan.js';
import type { CapacityPools } from '../capacity-pools.js';
import { LaunchPools } from '../launch-pools.js';
import { awsReason, isOutcomeUnknown, isRetryable } from '../ec2/aws-errors.js';
import type { FleetView } from '../ec2/fleet-gateway.js';
import type { AwsProviderData } from '../provider-data.js';
import { requestTags } from '../resource-tags.js';
import type { ApiHandler, AwsContext, ObservedRequest } from './api-handler.js';

/** What the on-demand fallback of a heterogeneous fleet launched. */
export interface FallbackResult {
  data: AwsProviderData;
  message?: string;
  /** The launch failed in a way another try may fix (throttling, an AWS-side error, a lost answer): not final, tried again next poll. */
  retry?: boolean;
  /** Pools that answered "insufficient capacity" to its RunInstances calls. */
  offerings: Offering[];
}

/**
 * IBM's heterogeneous meaning: a fleet still short at its expiry is cancelled (its running
 * instances kept) and the missing units are launched on demand with RunInstances, on
 * `vmTypesOnDemand` when given. Tokens `<requestId>-od-<n>` keep a repeated fallback from launching twice.
 * Like any RunInstances launch it tries the pools the capacity memory holds last and reports the
 * pools that answered "insufficient capacity".
 */
export class HeterogeneousFallback {
  constructor(
    private readonly context: AwsContext,
    private readonly runInstances: ApiHandler,
    private readonly capacity: CapacityPools,
  ) {}

  applies(request: ObservedRequest): boolean {
    return request.template?.priceType === 'heterogeneous' && request.data.fallbackInstanceIds === undefined && request.data.launchTemplateId !== undefined;
  }

  /** Cancels the fleet with `cancelKeepingHosts`, then launches what it lacks on demand. */
  async run(request: ObservedRequest, fleet: FleetView, cancelKeepingHosts: () => Promise<void>): Promise<FallbackResult> {
    const template = request.template as Template;
    const missing = Math.ceil(fleet.total - fleet.fulfilled);
    const pools = new LaunchPools(await request.unavailable?.());
    await cancelKeepingHosts();
    const onDemand: Template = {
      ...template,
      priceType: 'ondemand',
      vmType: undefined,
      vmTypes: template.vmTypesOnDemand && Object.keys(template.vmTypesOnDemand).length > 0 ? template.vmTypesOnDemand : template.vmTypes,
      vmTypesOnDemand: undefined,
    };
    if (!onDemand.vmTypes) onDemand.vmType = template.vmType;
    const data: AwsProviderData = { ...request.data, fallbackInstanceIds: [] };
    if (missing <= 0) return { data, offerings: [] };
    const plan = planCapacity(onDemand, missing);
    await this.capacity.prepare(pools, plan);
    try {
      const result = await this.runInstances.launch({
        requestId: `${request.request.requestId}-od`,
        template: onDemand,
        plan,
        pools,
        launchTemplate: {
          launchTemplateId: request.data.launchTemplateId!,
          version: request.data.launchTemplateVersion ?? '$Default',
          created: true,
          data: {},
        },
        tags: requestTags(template, this.context.providerName, request.request.requestId),
      });
      const launched = result.providerData as unknown as AwsProviderData;
      data.fallbackInstanceIds = launched.instanceIds ?? [];
      data.owners = { ...(request.data.owners ?? {}), ...(launched.owners ?? {}) };
      return { data, message: result.message && `on-demand fallback: ${result.message}`, offerings: await this.capacity.offeringsOf(pools) };
    } catch (error) {
      const offerings = await this.capacity.offeringsOf(pools);
      const message = `on-demand fallback for ${missing} unit(s) failed: ${awsReason(error)}`;
      // The same tokens make a second try launch nothing twice; a request is given up on once its hosts would be stuck pending anyway.
      const expiredLongAgo = request.data.validUntil !== undefined && this.context.clock.now() >= request.data.validUntil + this.context.config.instancePendingTimeoutSec * 1000;
      if ((isRetryable(error) || isOutcomeUnknown(error)) && !expiredLongAgo) {
        this.context.logger.warn({ requestId: request.request.requestId, error: message }, 'heterogeneous fallback failed; tried again next poll');
        return { data: request.data, message: `${message}; retried next poll`, retry: true, offerings };
      }
      this.context.logger.warn({ requestId: request.request.requestId, error: message }, 'heterogeneous fallback failed');
      return { data, message, offerings };
    }
  }
}
