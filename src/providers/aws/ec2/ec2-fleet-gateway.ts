import type {
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  FleetData,
} from '@aws-sdk/client-ec2';
import type { Logger } from '../../../domain/ports/logger.js';
import type { FleetType } from '../../../domain/template.js';
import type { AwsConfig } from '../aws-config.js';
import { chunk } from '../../../shared/chunk.js';
import { allPages, describe, describeKnown, EC2_BATCH, send } from './aws-call.js';
import type { HistoryRead } from '../capacity-events.js';
import type { RegionalClients } from './aws-clients.js';
import { isFleetGone, isNotFound } from './aws-errors.js';
import { fromEc2Tags } from '../resource-tags.js';
import { historyRead, historyReasons, LIVE_FLEET_STATES, type FleetGateway, type FleetInstance, type FleetView, type TaggedFleet } from './fleet-gateway.js';

const ENDED = new Set(['failed', 'deleted', 'deleted_running', 'deleted_terminating']);

/** EC2 Fleet calls (CreateFleet, DescribeFleets, DescribeFleetInstances, DescribeFleetHistory, ModifyFleet, DeleteFleets). */
export class Ec2FleetGateway implements FleetGateway {
  readonly api = 'EC2Fleet';
  readonly kind = 'ec2-fleet';

  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
    private readonly logger: Logger,
  ) {}

  async create(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    return send('ec2:CreateFleet', () => ec2.send(new sdk.CreateFleetCommand(input)));
  }

  async describe(ids: readonly string[]): Promise<Map<string, FleetView>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const found = await describeKnown(ids, EC2_BATCH, async (part) => {
      const output = await describe(this.config, 'ec2:DescribeFleets', () => ec2.send(new sdk.DescribeFleetsCommand({ FleetIds: part })), isNotFound);
      return output.Fleets ?? [];
    });
    return new Map(found.filter((fleet) => fleet.FleetId).map((fleet) => [fleet.FleetId!, viewOf(fleet)]));
  }

  /**
   * DescribeFleets with a `fleet-state` filter (submitted, active, modifying), 1000 a page, all
   * pages; the tag is matched on each fleet's `Tags`, as DescribeFleets has no tag filter (EC2 API
   * Reference, "DescribeFleets": Filter.N is activity-status, excess-capacity-termination-policy,
   * fleet-state, replace-unhealthy-instances, type). Instant fleets are not listed without their id.
   */
  async liveTagged(tag: string, value: string): Promise<TaggedFleet[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeFleets', () =>
        ec2.send(new sdk.DescribeFleetsCommand({ Filters: [{ Name: 'fleet-state', Values: LIVE_FLEET_STATES }], MaxResults: 1000, NextToken })),
      ),
    );
    const fleets = pages.flatMap((page) => page.Fleets ?? []).filter((fleet) => fleet.FleetId && LIVE_FLEET_STATES.includes(fleet.FleetState ?? ''));
    return fleets
      .map((fleet) => ({
        id: fleet.FleetId!,
        type: (fleet.Type ?? 'maintain') as FleetType,
        createdAt: fleet.CreateTime?.getTime(),
        total: fleet.TargetCapacitySpecification?.TotalTargetCapacity ?? 0,
        tags: fromEc2Tags(fleet.Tags),
      }))
      .filter((fleet) => fleet.tags[tag] === value);
  }

  async instances(id: string): Promise<FleetInstance[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeFleetInstances', () => ec2.send(new sdk.DescribeFleetInstancesCommand({ FleetId: id, NextToken }))),
    );
    return pages.flatMap((page) =>
      (page.ActiveInstances ?? []).filter((entry) => entry.InstanceId).map((entry) => ({ instanceId: entry.InstanceId!, instanceType: entry.InstanceType, spot: Boolean(entry.SpotInstanceRequestId) })),
    );
  }

  async errorHistory(id: string, since: number): Promise<string[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await describe(this.config, 'ec2:DescribeFleetHistory', () => ec2.send(new sdk.DescribeFleetHistoryCommand({ FleetId: id, StartTime: new Date(since) })));
    const errors = (output.HistoryRecords ?? []).filter(
      (record) => ['error', 'service-error'].includes(String(record.EventType)) || /error|fail|unusable|insufficient|invalid/i.test(record.EventInformation?.EventSubType ?? ''),
    );
    return historyReasons(errors);
  }

  /**
   * DescribeFleetHistory with EventType `service-error`: EC2 Fleet's HistoryRecordEntry.EventType is
   * `instance-change | fleet-change | service-error` (EC2 API Reference, "HistoryRecordEntry",
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_HistoryRecordEntry.html), so its
   * error and information events are all `service-error`.
   */
  async capacityEvents(id: string, since: number): Promise<HistoryRead> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeFleetHistory', () => ec2.send(new sdk.DescribeFleetHistoryCommand({ FleetId: id, StartTime: new Date(since), EventType: 'service-error', NextToken }))),
    );
    return historyRead(pages, () => true);
  }

  async setTarget(id: string, total: number, onDemand: number): Promise<void> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    await send('ec2:ModifyFleet', () =>
      ec2.send(
        new sdk.ModifyFleetCommand({
          FleetId: id,
          ExcessCapacityTerminationPolicy: 'no-termination',
          TargetCapacitySpecification: { TotalTargetCapacity: total, OnDemandTargetCapacity: onDemand, SpotTargetCapacity: total - onDemand },
        }),
      ),
    );
  }

  async remove(ids: readonly string[], terminateInstances: boolean): Promise<void> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    for (const part of chunk(ids, 100)) {
      const output = await send('ec2:DeleteFleets', () => ec2.send(new sdk.DeleteFleetsCommand({ FleetIds: part, TerminateInstances: terminateInstances })));
      for (const failure of output.UnsuccessfulFleetDeletions ?? []) {
        const error = { name: failure.Error?.Code ?? 'Unknown', message: failure.Error?.Message ?? '' };
        if (isFleetGone(error) || error.name === 'fleetNotInDeletableState') continue;
        this.logger.warn({ fleetId: failure.FleetId, code: error.name, error: error.message }, 'EC2 Fleet not deleted');
      }
    }
  }
}

function viewOf(fleet: FleetData): FleetView {
  const state = fleet.FleetState ?? '';
  const spec = fleet.TargetCapacitySpecification;
  return {
    id: fleet.FleetId!,
    type: (fleet.Type ?? 'maintain') as FleetType,
    state,
    ended: ENDED.has(state),
    listable: !ENDED.has(state) || state === 'deleted_running',
    modifying: state === 'modifying',
    activityStatus: fleet.ActivityStatus,
    total: spec?.TotalTargetCapacity ?? 0,
    onDemand: spec?.OnDemandTargetCapacity ?? 0,
    fulfilled: fleet.FulfilledCapacity ?? 0,
  };
}
