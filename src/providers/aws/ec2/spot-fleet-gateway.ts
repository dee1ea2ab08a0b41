import type {
  SpotFleetRequestConfig,
  SpotFleetRequestConfigData,
} from '@aws-sdk/client-ec2';
import type { Logger } from '../../../domain/ports/logger.js';
import type { AwsConfig } from '../aws-config.js';
import { chunk } from '../../../shared/chunk.js';
import { allPages, describe, describeKnown, EC2_BATCH, send } from './aws-call.js';
import type { HistoryRead } from '../capacity-events.js';
import type { RegionalClients } from './aws-clients.js';
import { isFleetGone, isNotFound } from './aws-errors.js';
import { fromEc2Tags } from '../resource-tags.js';
import { historyRead, historyReasons, LIVE_FLEET_STATES, type FleetGateway, type FleetInstance, type FleetView, type TaggedFleet } from './fleet-gateway.js';

const ENDED = new Set(['cancelled', 'cancelled_running', 'cancelled_terminating', 'failed']);

/** Spot Fleet calls (RequestSpotFleet, DescribeSpotFleetRequests/Instances/RequestHistory, ModifySpotFleetRequest, CancelSpotFleetRequests). */
export class SpotFleetGateway implements FleetGateway {
  readonly api = 'SpotFleet';
  readonly kind = 'spot-fleet';

  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
    private readonly logger: Logger,
  ) {}

  /** RequestSpotFleet; with `dryRun` AWS only answers whether it would have been allowed (see dry-run-gateways.ts). */
  async request(config: SpotFleetRequestConfigData, dryRun = false): Promise<string | undefined> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await send('ec2:RequestSpotFleet', () => ec2.send(new sdk.RequestSpotFleetCommand({ SpotFleetRequestConfig: config, ...(dryRun ? { DryRun: true } : {}) })));
    return output.SpotFleetRequestId;
  }

  async describe(ids: readonly string[]): Promise<Map<string, FleetView>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const found = await describeKnown(ids, EC2_BATCH, async (part) => {
      const output = await describe(this.config, 'ec2:DescribeSpotFleetRequests', () => ec2.send(new sdk.DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: part })), isNotFound);
      return output.SpotFleetRequestConfigs ?? [];
    });
    return new Map(found.filter((fleet) => fleet.SpotFleetRequestId).map((fleet) => [fleet.SpotFleetRequestId!, viewOf(fleet)]));
  }

  /**
   * DescribeSpotFleetRequests, 1000 a page, all pages (it takes no filter at all: EC2 API
   * Reference, "DescribeSpotFleetRequests"), keeping the live requests (submitted, active,
   * modifying) whose `Tags` carry `tag`=`value`. Cancelled requests stay listed for a while, so
   * this pages over them too.
   */
  async liveTagged(tag: string, value: string): Promise<TaggedFleet[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeSpotFleetRequests', () => ec2.send(new sdk.DescribeSpotFleetRequestsCommand({ MaxResults: 1000, NextToken }))),
    );
    const live = pages.flatMap((page) => page.SpotFleetRequestConfigs ?? []).filter((fleet) => fleet.SpotFleetRequestId && LIVE_FLEET_STATES.includes(fleet.SpotFleetRequestState ?? ''));
    return live
      .map((fleet) => ({
        id: fleet.SpotFleetRequestId!,
        type: fleet.SpotFleetRequestConfig?.Type === 'maintain' ? ('maintain' as const) : ('request' as const),
        createdAt: fleet.CreateTime?.getTime(),
        total: fleet.SpotFleetRequestConfig?.TargetCapacity ?? 0,
        tags: fromEc2Tags(fleet.Tags),
      }))
      .filter((fleet) => fleet.tags[tag] === value);
  }

  async instances(id: string): Promise<FleetInstance[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeSpotFleetInstances', () => ec2.send(new sdk.DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: id, NextToken }))),
    );
    return pages.flatMap((page) =>
      (page.ActiveInstances ?? []).filter((entry) => entry.InstanceId).map((entry) => ({ instanceId: entry.InstanceId!, instanceType: entry.InstanceType, spot: Boolean(entry.SpotInstanceRequestId) })),
    );
  }

  async errorHistory(id: string, since: number): Promise<string[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await describe(this.config, 'ec2:DescribeSpotFleetRequestHistory', () =>
      ec2.send(new sdk.DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: id, StartTime: new Date(since), EventType: 'error' })),
    );
    return historyReasons(output.HistoryRecords ?? []);
  }

  /**
   * DescribeSpotFleetRequestHistory with no EventType (it takes one of `instanceChange |
   * fleetRequestChange | error | information`), keeping the `error` and `information` events.
   */
  async capacityEvents(id: string, since: number): Promise<HistoryRead> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeSpotFleetRequestHistory', () => ec2.send(new sdk.DescribeSpotFleetRequestHistoryCommand({ SpotFleetRequestId: id, StartTime: new Date(since), NextToken }))),
    );
    return historyRead(pages, (record) => record.EventType === 'error' || record.EventType === 'information');
  }

  async setTarget(id: string, total: number, onDemand: number): Promise<void> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    await send('ec2:ModifySpotFleetRequest', () =>
      ec2.send(new sdk.ModifySpotFleetRequestCommand({ SpotFleetRequestId: id, TargetCapacity: total, OnDemandTargetCapacity: onDemand, ExcessCapacityTerminationPolicy: 'noTermination' })),
    );
  }

  async remove(ids: readonly string[], terminateInstances: boolean): Promise<void> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    for (const part of chunk(ids, 100)) {
      const output = await send('ec2:CancelSpotFleetRequests', () =>
        ec2.send(new sdk.CancelSpotFleetRequestsCommand({ SpotFleetRequestIds: part, TerminateInstances: terminateInstances })),
      );
      for (const failure of output.UnsuccessfulFleetRequests ?? []) {
        if (isFleetGone({ name: failure.Error?.Code })) continue;
        this.logger.warn({ spotFleetRequestId: failure.SpotFleetRequestId, error: failure.Error?.Message }, 'spot fleet request not cancelled');
      }
    }
  }
}

function viewOf(fleet: SpotFleetRequestConfig): FleetView {
  const state = fleet.SpotFleetRequestState ?? '';
  const config = fleet.SpotFleetRequestConfig;
  return {
    id: fleet.SpotFleetRequestId!,
    type: config?.Type === 'maintain' ? 'maintain' : 'request',
    state,
    ended: ENDED.has(state),
    listable: !ENDED.has(state) || state === 'cancelled_running',
    modifying: state === 'modifying',
    activityStatus: fleet.ActivityStatus,
    total: config?.TargetCapacity ?? 0,
    onDemand: config?.OnDemandTargetCapacity ?? 0,
    fulfilled: config?.FulfilledCapacity ?? 0,
  };
}
