import type { FakeCloud } from './fake-cloud.js';
import {
  activeInstances,
  terminateExcess,
  fill,
  hasUnfinished,
  readOverrides,
  reconcileCapacity,
  terminateAll,
  type CapacityOwner,
  type HistoryRecord,
} from './fleet-capacity.js';
import { ec2TagSet, element, filters, flagParam, iso, itemSet, list, numberParam, QueryError, specTags, wrap } from './query-protocol.js';

export interface FakeEc2Fleet extends CapacityOwner {
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
}

const DELETED = new Set(['deleted', 'deleted_running', 'deleted_terminating']);

/**
 * EC2 Fleet: CreateFleet (instant, request, maintain; ClientToken idempotent), DescribeFleets,
 * DescribeFleetInstances, DescribeFleetHistory, ModifyFleet and DeleteFleets. Request and maintain
 * fleets are filled on the tick after they are created; instances carry `aws:ec2:fleet-id`. As on
 * AWS, instant fleets are listed only when asked for by id and have no DescribeFleetInstances.
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
        return this.create(params);
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
        return historyXml(fleet.history.filter((record) => record.timestamp >= since), this.cloud.now()) + element('fleetId', fleet.id) + element('startTime', iso(since));
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
    if (!fleet) throw new QueryError('InvalidFleetId.NotFound', `The fleet ID '${id}' does not exist`);
    return fleet;
  }

  private create(params: URLSearchParams): string {
    const token = params.get('ClientToken');
    const known = token ? this.fleets.get(this.tokens.get(token) ?? '') : undefined;
    if (known) return this.createdXml(known);
    const launchTemplateId = params.get('LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateId') ?? '';
    const launchTemplate = this.cloud.launchTemplates.get(launchTemplateId);
    if (!launchTemplate) throw new QueryError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${launchTemplateId}, does not exist.`);
    const type = (params.get('Type') ?? 'maintain') as FakeEc2Fleet['type'];
    const target = numberParam(params, 'TargetCapacitySpecification.TotalTargetCapacity') ?? 0;
    const id = this.cloud.uuidId('fleet');
    const fleet: FakeEc2Fleet = {
      id,
      type,
      target,
      onDemandTarget: numberParam(params, 'TargetCapacitySpecification.OnDemandTargetCapacity') ?? 0,
      overrides: readOverrides(params, 'LaunchTemplateConfigs.1.Overrides'),
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
    };
    if (type === 'instant') {
      const onDemand = Math.min(target, fleet.onDemandTarget);
      fill(this.cloud, fleet, onDemand, 'on-demand');
      fill(this.cloud, fleet, target - onDemand, 'spot');
      fleet.filledOnce = true;
      fleet.activityStatus = 'fulfilled';
    }
    this.fleets.set(id, fleet);
    if (token) this.tokens.set(token, id);
    return this.createdXml(fleet);
  }

  private createdXml(fleet: FakeEc2Fleet): string {
    let instances = '';
    if (fleet.type === 'instant') {
      const groups = new Map<string, string[]>();
      for (const instance of this.cloud.instancesOf(fleet.id)) {
        const key = `${instance.instanceType}|${instance.lifecycle}|${instance.subnetId}`;
        groups.set(key, [...(groups.get(key) ?? []), instance.instanceId]);
      }
      instances = itemSet('fleetInstanceSet', [...groups.entries()], ([key, ids]) => {
        const [instanceType, lifecycle, subnetId] = key.split('|');
        const weight = fleet.overrides.find((entry) => entry.instanceType === instanceType)?.weight ?? 1;
        const overrides = wrap('overrides', element('instanceType', instanceType) + element('subnetId', subnetId) + element('weightedCapacity', weight));
        const spec = wrap('launchTemplateSpecification', element('launchTemplateId', fleet.launchTemplate?.id) + element('version', fleet.launchTemplateVersion));
        return wrap('launchTemplateAndOverrides', spec + overrides) + element('lifecycle', lifecycle) + itemSet('instanceIds', ids, (id) => id) + element('instanceType', instanceType);
      });
    }
    return element('fleetId', fleet.id) + '<errorSet/>' + instances;
  }

  private describe(params: URLSearchParams): string {
    const ids = list(params, 'FleetId');
    // AWS: an instant fleet appears only when its id is asked for.
    let found = ids.length > 0 ? ids.map((id) => this.get(id)) : [...this.fleets.values()].filter((fleet) => fleet.type !== 'instant');
    for (const [name, values] of filters(params)) {
      if (name === 'fleet-state') found = found.filter((fleet) => values.includes(fleet.state));
      if (name === 'type') found = found.filter((fleet) => values.includes(fleet.type));
      if (name === 'activity-status') found = found.filter((fleet) => values.includes(fleet.activityStatus));
    }
    return itemSet('fleetSet', found, (fleet) => this.fleetXml(fleet));
  }

  private fleetXml(fleet: FakeEc2Fleet): string {
    const overrides = itemSet('overrides', fleet.overrides, (entry) =>
      element('instanceType', entry.instanceType) + element('subnetId', entry.subnetId) + element('weightedCapacity', entry.weight) + element('priority', entry.priority),
    );
    const spec = wrap('launchTemplateSpecification', element('launchTemplateId', fleet.launchTemplate?.id) + element('version', fleet.launchTemplateVersion));
    const target = wrap(
      'targetCapacitySpecification',
      element('totalTargetCapacity', fleet.target) +
        element('onDemandTargetCapacity', fleet.onDemandTarget) +
        element('spotTargetCapacity', Math.max(0, fleet.target - fleet.onDemandTarget)) +
        element('defaultTargetCapacityType', fleet.defaultTargetCapacityType),
    );
    return (
      element('activityStatus', fleet.activityStatus) +
      element('createTime', iso(fleet.createTime)) +
      element('fleetId', fleet.id) +
      element('fleetState', fleet.state) +
      element('clientToken', fleet.clientToken) +
      element('excessCapacityTerminationPolicy', fleet.excessCapacityTerminationPolicy) +
      element('fulfilledCapacity', this.cloud.liveUnits(fleet.id).toFixed(1)) +
      element('fulfilledOnDemandCapacity', this.cloud.liveUnits(fleet.id, 'on-demand').toFixed(1)) +
      itemSet('launchTemplateConfigs', [fleet], () => spec + overrides) +
      target +
      element('terminateInstancesWithExpiration', fleet.terminateInstancesWithExpiration) +
      element('type', fleet.type) +
      element('validUntil', fleet.validUntil === undefined ? undefined : iso(fleet.validUntil)) +
      ec2TagSet(fleet.tags)
    );
  }

  private modify(params: URLSearchParams): string {
    const fleet = this.get(params.get('FleetId'));
    if (fleet.type === 'instant') throw new QueryError('InvalidParameterValue', 'ModifyFleet is not supported for instant fleets');
    if (DELETED.has(fleet.state)) throw new QueryError('IncorrectState', `The fleet ${fleet.id} is in the ${fleet.state} state`);
    fleet.target = numberParam(params, 'TargetCapacitySpecification.TotalTargetCapacity') ?? fleet.target;
    fleet.onDemandTarget = Math.min(fleet.target, numberParam(params, 'TargetCapacitySpecification.OnDemandTargetCapacity') ?? fleet.onDemandTarget);
    const policy = params.get('ExcessCapacityTerminationPolicy') ?? fleet.excessCapacityTerminationPolicy ?? 'termination';
    if (policy === 'termination') {
      terminateExcess(this.cloud, fleet.id, fleet.target);
    }
    fleet.history.push({ timestamp: this.cloud.now(), eventType: 'fleetRequestChange', eventSubType: 'modify_succeeded', description: `target ${fleet.target}` });
    return element('return', true);
  }

  private delete(params: URLSearchParams): string {
    const terminate = flagParam(params, 'TerminateInstances') ?? false;
    const done: string[] = [];
    const failed: string[] = [];
    for (const id of list(params, 'FleetId')) {
      const fleet = this.fleets.get(id);
      if (!fleet) {
        failed.push(wrap('error', element('code', 'fleetIdDoesNotExist') + element('message', `The fleet ID '${id}' does not exist`)) + element('fleetId', id));
        continue;
      }
      const previous = fleet.state;
      if (DELETED.has(previous)) {
        failed.push(wrap('error', element('code', 'fleetNotInDeletableState') + element('message', `The fleet is ${previous}`)) + element('fleetId', id));
        continue;
      }
      fleet.launching = false;
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
      if (fleet.launching && fleet.validUntil !== undefined && now >= fleet.validUntil) {
        fleet.launching = false;
        if (fleet.terminateInstancesWithExpiration) terminateAll(this.cloud, fleet.id);
        fleet.history.push({ timestamp: now, eventType: 'fleetRequestChange', eventSubType: 'expired', description: 'ValidUntil reached' });
      }
      reconcileCapacity(this.cloud, fleet);
      if (fleet.state === 'deleted_terminating' && !hasUnfinished(this.cloud, fleet.id)) fleet.state = 'deleted';
      if (!DELETED.has(fleet.state)) fleet.activityStatus = this.cloud.liveUnits(fleet.id) >= fleet.target ? 'fulfilled' : 'pending_fulfillment';
    }
  }
}

export function historyXml(records: readonly HistoryRecord[], now: number): string {
  return (
    itemSet('historyRecordSet', records, (record) =>
      wrap('eventInformation', element('eventDescription', record.description) + element('eventSubType', record.eventSubType) + element('instanceId', record.instanceId)) +
        element('eventType', record.eventType) +
        element('timestamp', iso(record.timestamp)),
    ) + element('lastEvaluatedTime', iso(now))
  );
}
