import type { FakeCloud } from './fake-cloud.js';
import { activeInstances, hasDuplicatePools, hasUnfinished, readOverrides, reconcileCapacity, terminateAll, type PoolFailure } from './fleet-capacity.js';
import { activityStatus, historyXml, recordPoolFailures } from './fleet-history.js';
import { dropModification, finishModification, startModification, type ModifiableFleet } from './fleet-modify.js';
import { ec2TagSet, element, flagParam, iso, itemSet, list, numberParam, QueryError, specTags, wrap } from './query-protocol.js';

export interface FakeSpotFleet extends ModifiableFleet {
  clientToken?: string;
  /** submitted | active | modifying | cancelled_running | cancelled_terminating | cancelled | failed */
  state: string;
  activityStatus: string;
  createTime: number;
  iamFleetRole: string;
  allocationStrategy?: string;
  onDemandAllocationStrategy?: string;
  excessCapacityTerminationPolicy?: string;
  validUntil?: number;
  terminateInstancesWithExpiration: boolean;
  launchTemplateVersion: string;
  tags: Record<string, string>;
}

const CANCELLED = new Set(['cancelled', 'cancelled_running', 'cancelled_terminating']);
const CONFIG = 'SpotFleetRequestConfig';

/**
 * Spot Fleet: RequestSpotFleet (request, maintain; ClientToken idempotent),
 * DescribeSpotFleetRequests, DescribeSpotFleetInstances, DescribeSpotFleetRequestHistory,
 * ModifySpotFleetRequest and CancelSpotFleetRequests. Fleets fill on the tick after they are
 * requested; instances carry `aws:ec2spot:fleet-request-id`. DescribeSpotFleetRequests takes ids
 * and no filter (EC2 API Reference, "DescribeSpotFleetRequests",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotFleetRequests.html) and
 * lists cancelled requests too; each carries its `tagSet` ("SpotFleetRequestConfig",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetRequestConfig.html: "The tags
 * for a Spot Fleet resource").
 *
 * Launch failures, history and modifications as for EC2 Fleet (fleet-capacity.ts,
 * fleet-history.ts, fleet-modify.ts). Overrides naming one instance type in two subnets of one zone
 * answer `InvalidSpotFleetRequestConfig` ("The Spot Fleet request configuration is not valid…
 * Limits apply… see Fleet quotas", EC2 API Reference, "Error codes for the Amazon EC2 API",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html; the message text is not
 * documented for Spot Fleet — EC2 Fleet's is used). A request created under a visibility lag is
 * `InvalidSpotFleetRequestId.NotFound` (documented code, same page) until the lag has passed (EC2 API,
 * "Eventual consistency in the Amazon EC2 API").
 */
export class FakeSpotFleets {
  readonly fleets = new Map<string, FakeSpotFleet>();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly cloud: FakeCloud) {
    cloud.onTick(() => this.reconcile());
  }

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'RequestSpotFleet':
        return element('spotFleetRequestId', this.request(params).id);
      case 'DescribeSpotFleetRequests': {
        const ids = list(params, 'SpotFleetRequestId');
        const found = ids.length > 0 ? ids.map((id) => this.get(id)) : [...this.fleets.values()].filter((fleet) => this.cloud.isVisible(fleet));
        return itemSet('spotFleetRequestConfigSet', found, (fleet) => this.fleetXml(fleet));
      }
      case 'DescribeSpotFleetInstances': {
        const fleet = this.get(params.get('SpotFleetRequestId'));
        const items = itemSet('activeInstanceSet', activeInstances(this.cloud, fleet.id), (instance) =>
          element('instanceId', instance.instanceId) + element('instanceType', instance.instanceType) + element('spotInstanceRequestId', instance.spotInstanceRequestId) + element('instanceHealth', 'healthy'),
        );
        return items + element('spotFleetRequestId', fleet.id);
      }
      case 'DescribeSpotFleetRequestHistory': {
        const fleet = this.get(params.get('SpotFleetRequestId'));
        const since = Date.parse(params.get('StartTime') ?? '') || 0;
        return historyXml(fleet.history, since, this.cloud.now(), params.get('EventType'), false) + element('spotFleetRequestId', fleet.id) + element('startTime', iso(since));
      }
      case 'ModifySpotFleetRequest':
        return this.modify(params);
      case 'CancelSpotFleetRequests':
        return this.cancel(params);
      default:
        return undefined;
    }
  }

  private get(id: string | null): FakeSpotFleet {
    const fleet = this.fleets.get(id ?? '');
    if (!fleet || !this.cloud.isVisible(fleet)) throw new QueryError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${id}' does not exist`);
    return fleet;
  }

  private request(params: URLSearchParams): FakeSpotFleet {
    const token = params.get(`${CONFIG}.ClientToken`);
    const known = token ? this.fleets.get(this.tokens.get(token) ?? '') : undefined;
    if (known) return known;
    const iamFleetRole = params.get(`${CONFIG}.IamFleetRole`);
    if (!iamFleetRole) throw new QueryError('MissingParameter', 'The request must contain the parameter IamFleetRole');
    const launchTemplateId = params.get(`${CONFIG}.LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateId`) ?? '';
    const launchTemplate = this.cloud.launchTemplates.get(launchTemplateId);
    if (!launchTemplate) throw new QueryError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${launchTemplateId}, does not exist.`);
    const overrides = readOverrides(params, `${CONFIG}.LaunchTemplateConfigs.1.Overrides`);
    if (hasDuplicatePools(this.cloud, overrides)) throw new QueryError('InvalidSpotFleetRequestConfig', 'The fleet configuration contains duplicate instance pools.');
    const id = this.cloud.uuidId('sfr');
    const target = numberParam(params, `${CONFIG}.TargetCapacity`) ?? 0;
    const fleet: FakeSpotFleet = {
      id,
      type: params.get(`${CONFIG}.Type`) === 'maintain' ? 'maintain' : 'request',
      target,
      onDemandTarget: Math.min(target, numberParam(params, `${CONFIG}.OnDemandTargetCapacity`) ?? 0),
      overrides,
      launchTemplate,
      launchTemplateVersion: params.get(`${CONFIG}.LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version`) ?? '$Default',
      instanceTags: { ...specTags(params, `${CONFIG}.TagSpecification`, 'instance'), 'aws:ec2spot:fleet-request-id': id },
      launching: true,
      filledOnce: false,
      history: [],
      clientToken: token ?? undefined,
      state: 'submitted',
      activityStatus: 'pending_fulfillment',
      createTime: this.cloud.now(),
      iamFleetRole,
      allocationStrategy: params.get(`${CONFIG}.AllocationStrategy`) ?? undefined,
      onDemandAllocationStrategy: params.get(`${CONFIG}.OnDemandAllocationStrategy`) ?? undefined,
      excessCapacityTerminationPolicy: params.get(`${CONFIG}.ExcessCapacityTerminationPolicy`) ?? undefined,
      validUntil: params.has(`${CONFIG}.ValidUntil`) ? Date.parse(params.get(`${CONFIG}.ValidUntil`)!) : undefined,
      terminateInstancesWithExpiration: flagParam(params, `${CONFIG}.TerminateInstancesWithExpiration`) ?? false,
      tags: specTags(params, `${CONFIG}.TagSpecification`, 'spot-fleet-request'),
      visibleAt: this.cloud.visibleAtForNew(),
    };
    this.fleets.set(id, fleet);
    if (token) this.tokens.set(token, id);
    return fleet;
  }

  private fleetXml(fleet: FakeSpotFleet): string {
    const overrides = itemSet('overrides', fleet.overrides, (entry) =>
      element('instanceType', entry.instanceType) + element('subnetId', entry.subnetId) + element('weightedCapacity', entry.weight) + element('priority', entry.priority),
    );
    const spec = wrap('launchTemplateSpecification', element('launchTemplateId', fleet.launchTemplate?.id) + element('version', fleet.launchTemplateVersion));
    const config =
      element('iamFleetRole', fleet.iamFleetRole) +
      element('targetCapacity', fleet.target) +
      element('allocationStrategy', fleet.allocationStrategy) +
      element('onDemandAllocationStrategy', fleet.onDemandAllocationStrategy) +
      element('clientToken', fleet.clientToken) +
      element('excessCapacityTerminationPolicy', fleet.excessCapacityTerminationPolicy) +
      element('fulfilledCapacity', this.cloud.liveUnits(fleet.id).toFixed(1)) +
      element('onDemandFulfilledCapacity', this.cloud.liveUnits(fleet.id, 'on-demand').toFixed(1)) +
      itemSet('launchTemplateConfigs', [fleet], () => spec + overrides) +
      element('onDemandTargetCapacity', fleet.onDemandTarget) +
      element('terminateInstancesWithExpiration', fleet.terminateInstancesWithExpiration) +
      element('type', fleet.type) +
      element('validUntil', fleet.validUntil === undefined ? undefined : iso(fleet.validUntil));
    return (
      element('activityStatus', fleet.activityStatus) +
      element('createTime', iso(fleet.createTime)) +
      wrap('spotFleetRequestConfig', config) +
      element('spotFleetRequestId', fleet.id) +
      element('spotFleetRequestState', fleet.state) +
      ec2TagSet(fleet.tags)
    );
  }

  private modify(params: URLSearchParams): string {
    const fleet = this.get(params.get('SpotFleetRequestId'));
    if (CANCELLED.has(fleet.state) || fleet.state === 'failed') {
      throw new QueryError('InvalidSpotFleetRequestConfig', `The spot fleet request ${fleet.id} is ${fleet.state} and cannot be modified`);
    }
    const target = numberParam(params, 'TargetCapacity') ?? fleet.target;
    const onDemandTarget = Math.min(target, numberParam(params, 'OnDemandTargetCapacity') ?? fleet.onDemandTarget);
    const policy = params.get('ExcessCapacityTerminationPolicy') ?? fleet.excessCapacityTerminationPolicy ?? 'default';
    startModification(this.cloud, fleet, { target, onDemandTarget, terminateExcess: policy === 'default' });
    return element('return', true);
  }

  private cancel(params: URLSearchParams): string {
    const terminate = flagParam(params, 'TerminateInstances') ?? false;
    const done: string[] = [];
    const failed: string[] = [];
    for (const id of list(params, 'SpotFleetRequestId')) {
      const fleet = this.fleets.get(id);
      if (!fleet || !this.cloud.isVisible(fleet)) {
        failed.push(wrap('error', element('code', 'fleetRequestIdDoesNotExist') + element('message', `The spot fleet request ID '${id}' does not exist`)) + element('spotFleetRequestId', id));
        continue;
      }
      const previous = fleet.state;
      if (CANCELLED.has(previous)) {
        failed.push(wrap('error', element('code', 'fleetRequestNotInCancellableState') + element('message', `The spot fleet request is ${previous}`)) + element('spotFleetRequestId', id));
        continue;
      }
      fleet.launching = false;
      dropModification(fleet);
      fleet.state = terminate ? (terminateAll(this.cloud, id) ? 'cancelled_terminating' : 'cancelled') : 'cancelled_running';
      fleet.history.push({ timestamp: this.cloud.now(), eventType: 'fleetRequestChange', eventSubType: 'cancelled', description: fleet.state });
      done.push(element('currentSpotFleetRequestState', fleet.state) + element('previousSpotFleetRequestState', previous) + element('spotFleetRequestId', id));
    }
    return itemSet('successfulFleetRequestSet', done, (xml) => xml) + itemSet('unsuccessfulFleetRequestSet', failed, (xml) => xml);
  }

  private reconcile(): void {
    const now = this.cloud.now();
    for (const fleet of this.fleets.values()) {
      if (fleet.state === 'submitted') fleet.state = 'active';
      finishModification(this.cloud, fleet);
      if (fleet.launching && fleet.validUntil !== undefined && now >= fleet.validUntil) {
        fleet.launching = false;
        const terminating = fleet.terminateInstancesWithExpiration && terminateAll(this.cloud, fleet.id);
        fleet.state = terminating ? 'cancelled_terminating' : 'cancelled_running';
        fleet.history.push({ timestamp: now, eventType: 'fleetRequestChange', eventSubType: 'expired', description: 'ValidUntil reached' });
      }
      const failures: PoolFailure[] = [];
      recordPoolFailures(this.cloud, fleet, failures, reconcileCapacity(this.cloud, fleet, failures).length);
      if (fleet.state === 'cancelled_terminating' && !hasUnfinished(this.cloud, fleet.id)) fleet.state = 'cancelled';
      if (!CANCELLED.has(fleet.state)) fleet.activityStatus = activityStatus(this.cloud, fleet);
    }
  }
}
