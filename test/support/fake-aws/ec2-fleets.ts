import { createdXml, fleetXml } from './ec2-fleet-xml.js';
import type { FakeCloud } from './fake-cloud.js';
import {
  activeInstances,
  fill,
  hasDuplicatePools,
  hasUnfinished,
  readOverrides,
  reconcileCapacity,
  terminateAll,
  type PoolFailure,
} from './fleet-capacity.js';
import { activityStatus, historyXml, recordPoolFailures } from './fleet-history.js';
import { dropModification, finishModification, startModification, type ModifiableFleet } from './fleet-modify.js';
import { element, filters, flagParam, iso, itemSet, list, numberParam, QueryError, specTags, wrap } from './query-protocol.js';

export interface FakeEc2Fleet extends ModifiableFleet {
  clientToken?: string;
  /** submitted | active | modifying | deleted_running | deleted_terminating | deleted | failed */
  state: string;
  activityStatus: string;
  createTime: number;
  defaultTargetCapacityType: string;
  excessCapacityTerminationPolicy?: string;
  validUntil?: number;
  terminateInstancesWithExpiration: boolean;
  launchTemplateVersion: string;
  tags: Record<string, string>;
  /** Instant fleets: the pools that could not launch (CreateFleet's `Errors`). */
  errors: PoolFailure[];
}

const DELETED = new Set(['deleted', 'deleted_running', 'deleted_terminating']);

/**
 * EC2 Fleet: CreateFleet (instant, request, maintain; ClientToken idempotent), DescribeFleets,
 * DescribeFleetInstances, DescribeFleetHistory, ModifyFleet and DeleteFleets. Request and maintain
 * fleets are filled on the tick after they are created; instances carry `aws:ec2:fleet-id`. As on
 * AWS, instant fleets are listed only when asked for by id and have no DescribeFleetInstances.
 *
 * DescribeFleets filters as AWS does (EC2 API Reference, "DescribeFleets",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFleets.html: Filter.N is
 * activity-status, excess-capacity-termination-policy, fleet-state, replace-unhealthy-instances,
 * type — there is no tag filter); each fleet carries its `tagSet` (the fleet's TagSpecification,
 * FleetData in the same reference), on which callers match tags themselves.
 *
 * Launch failures per pool (unknown image, no capacity…) are modelled in fleet-capacity.ts and
 * recorded in the history as fleet-history.ts says; modifications take effect after the
 * `modifying` state (fleet-modify.ts). A fleet created under a visibility lag is unknown
 * (`InvalidFleetId.NotFound`, the code AWS answers for an unknown fleet id — it is not in the
 * published error code list; hashicorp's AWS provider handles it for DescribeFleets) until the lag
 * has passed (EC2 API, "Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
export class FakeEc2Fleets {
  readonly fleets = new Map<string, FakeEc2Fleet>();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly cloud: FakeCloud) {
    cloud.onTick(() => this.reconcile());
  }

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'CreateFleet':
        return createdXml(this.cloud, this.create(params));
      case 'DescribeFleets':
        return this.describe(params);
      case 'DescribeFleetInstances': {
        const fleet = this.get(params.get('FleetId'));
        if (fleet.type === 'instant') throw new QueryError('UnsupportedOperation', 'DescribeFleetInstances does not support fleets of type instant.');
        const items = itemSet('activeInstanceSet', activeInstances(this.cloud, fleet.id), (instance) =>
          element('instanceId', instance.instanceId) + element('instanceType', instance.instanceType) + element('spotInstanceRequestId', instance.spotInstanceRequestId) + element('instanceHealth', 'healthy'),
        );
        return items + element('fleetId', fleet.id);
      }
      case 'DescribeFleetHistory': {
        const fleet = this.get(params.get('FleetId'));
        const since = Date.parse(params.get('StartTime') ?? '') || 0;
        return historyXml(fleet.history, since, this.cloud.now(), params.get('EventType'), true) + element('fleetId', fleet.id) + element('startTime', iso(since));
      }
      case 'ModifyFleet':
        return this.modify(params);
      case 'DeleteFleets':
        return this.delete(params);
      default:
        return undefined;
    }
  }

  private get(id: string | null): FakeEc2Fleet {
    const fleet = this.fleets.get(id ?? '');
    if (!fleet || !this.cloud.isVisible(fleet)) throw new QueryError('InvalidFleetId.NotFound', `The fleet ID '${id}' does not exist`);
    return fleet;
  }

  private create(params: URLSearchParams): FakeEc2Fleet {
    const token = params.get('ClientToken');
    const known = token ? this.fleets.get(this.tokens.get(token) ?? '') : undefined;
    if (known) return known;
    const launchTemplateId = params.get('LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateId') ?? '';
    const launchTemplate = this.cloud.launchTemplates.get(launchTemplateId);
    if (!launchTemplate) throw new QueryError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${launchTemplateId}, does not exist.`);
    const overrides = readOverrides(params, 'LaunchTemplateConfigs.1.Overrides');
    // Quotas page (see hasDuplicatePools); code and message as AWS answers CreateFleet, also for
    // instant fleets (an exception, not an Errors entry): aws-samples/aws-plugin-for-slurm#19,
    // 4dn-dcic/tibanna#389, aws/aws-parallelcluster#4352.
    if (hasDuplicatePools(this.cloud, overrides)) throw new QueryError('InvalidFleetConfig', 'The fleet configuration contains duplicate instance pools.');
    const type = (params.get('Type') ?? 'maintain') as FakeEc2Fleet['type'];
    const target = numberParam(params, 'TargetCapacitySpecification.TotalTargetCapacity') ?? 0;
    const id = this.cloud.uuidId('fleet');
    const fleet: FakeEc2Fleet = {
      id,
      type,
      target,
      onDemandTarget: numberParam(params, 'TargetCapacitySpecification.OnDemandTargetCapacity') ?? 0,
      overrides,
      launchTemplate,
      launchTemplateVersion: params.get('LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version') ?? '$Default',
      instanceTags: { ...(type === 'instant' ? specTags(params, 'TagSpecification', 'instance') : {}), 'aws:ec2:fleet-id': id },
      launching: true,
      filledOnce: false,
      history: [],
      clientToken: token ?? undefined,
      state: type === 'instant' ? 'active' : 'submitted',
      activityStatus: 'pending_fulfillment',
      createTime: this.cloud.now(),
      defaultTargetCapacityType: params.get('TargetCapacitySpecification.DefaultTargetCapacityType') ?? 'on-demand',
      excessCapacityTerminationPolicy: params.get('ExcessCapacityTerminationPolicy') ?? undefined,
      validUntil: params.has('ValidUntil') ? Date.parse(params.get('ValidUntil')!) : undefined,
      terminateInstancesWithExpiration: flagParam(params, 'TerminateInstancesWithExpiration') ?? false,
      tags: specTags(params, 'TagSpecification', 'fleet'),
      errors: [],
      visibleAt: this.cloud.visibleAtForNew(),
    };
    if (type === 'instant') {
      // One synchronous attempt; pools that fail become Errors entries, the others launch.
      const onDemand = Math.min(target, fleet.onDemandTarget);
      fill(this.cloud, fleet, onDemand, 'on-demand', fleet.errors);
      fill(this.cloud, fleet, target - onDemand, 'spot', fleet.errors);
      fleet.filledOnce = true;
      fleet.activityStatus = 'fulfilled';
    }
    this.fleets.set(id, fleet);
    if (token) this.tokens.set(token, id);
    return fleet;
  }

  private describe(params: URLSearchParams): string {
    const ids = list(params, 'FleetId');
    // AWS: an instant fleet appears only when its id is asked for.
    let found = ids.length > 0 ? ids.map((id) => this.get(id)) : [...this.fleets.values()].filter((fleet) => fleet.type !== 'instant' && this.cloud.isVisible(fleet));
    for (const [name, values] of filters(params)) {
      if (name === 'fleet-state') found = found.filter((fleet) => values.includes(fleet.state));
      if (name === 'type') found = found.filter((fleet) => values.includes(fleet.type));
      if (name === 'activity-status') found = found.filter((fleet) => values.includes(fleet.activityStatus));
    }
    return itemSet('fleetSet', found, (fleet) => fleetXml(this.cloud, fleet));
  }

  private modify(params: URLSearchParams): string {
    const fleet = this.get(params.get('FleetId'));
    if (fleet.type === 'instant') throw new QueryError('InvalidParameterValue', 'ModifyFleet is not supported for instant fleets');
    if (DELETED.has(fleet.state)) throw new QueryError('IncorrectState', `The fleet ${fleet.id} is in the ${fleet.state} state`);
    const target = numberParam(params, 'TargetCapacitySpecification.TotalTargetCapacity') ?? fleet.target;
    const onDemandTarget = Math.min(target, numberParam(params, 'TargetCapacitySpecification.OnDemandTargetCapacity') ?? fleet.onDemandTarget);
    const policy = params.get('ExcessCapacityTerminationPolicy') ?? fleet.excessCapacityTerminationPolicy ?? 'termination';
    startModification(this.cloud, fleet, { target, onDemandTarget, terminateExcess: policy === 'termination' });
    return element('return', true);
  }

  private delete(params: URLSearchParams): string {
    const terminate = flagParam(params, 'TerminateInstances') ?? false;
    const done: string[] = [];
    const failed: string[] = [];
    for (const id of list(params, 'FleetId')) {
      const fleet = this.fleets.get(id);
      if (!fleet || !this.cloud.isVisible(fleet)) {
        failed.push(wrap('error', element('code', 'fleetIdDoesNotExist') + element('message', `The fleet ID '${id}' does not exist`)) + element('fleetId', id));
        continue;
      }
      const previous = fleet.state;
      if (DELETED.has(previous)) {
        failed.push(wrap('error', element('code', 'fleetNotInDeletableState') + element('message', `The fleet is ${previous}`)) + element('fleetId', id));
        continue;
      }
      fleet.launching = false;
      dropModification(fleet);
      fleet.state = terminate ? (terminateAll(this.cloud, id) ? 'deleted_terminating' : 'deleted') : 'deleted_running';
      fleet.history.push({ timestamp: this.cloud.now(), eventType: 'fleetRequestChange', eventSubType: 'deleted', description: fleet.state });
      done.push(element('currentFleetState', fleet.state) + element('previousFleetState', previous) + element('fleetId', id));
    }
    return itemSet('successfulFleetDeletionSet', done, (xml) => xml) + itemSet('unsuccessfulFleetDeletionSet', failed, (xml) => xml);
  }

  private reconcile(): void {
    const now = this.cloud.now();
    for (const fleet of this.fleets.values()) {
      if (fleet.state === 'submitted') fleet.state = 'active';
      finishModification(this.cloud, fleet);
      if (fleet.launching && fleet.validUntil !== undefined && now >= fleet.validUntil) {
        fleet.launching = false;
        if (fleet.terminateInstancesWithExpiration) terminateAll(this.cloud, fleet.id);
        fleet.history.push({ timestamp: now, eventType: 'fleetRequestChange', eventSubType: 'expired', description: 'ValidUntil reached' });
      }
      const failures: PoolFailure[] = [];
      const launched = reconcileCapacity(this.cloud, fleet, failures);
      if (fleet.type !== 'instant') recordPoolFailures(this.cloud, fleet, failures, launched.length);
      if (fleet.state === 'deleted_terminating' && !hasUnfinished(this.cloud, fleet.id)) fleet.state = 'deleted';
      if (!DELETED.has(fleet.state) && fleet.type !== 'instant') fleet.activityStatus = activityStatus(this.cloud, fleet);
    }
  }
}
