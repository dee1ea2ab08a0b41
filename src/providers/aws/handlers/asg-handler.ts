import type { AutoScalingGroup, Instance as GroupMember } from '@aws-sdk/client-auto-scaling';
import type { LaunchResult } from '../../../domain/ports/cloud-provider.js';
import { awsReason, isAlreadyExists } from '../ec2/aws-errors.js';
import { toRecord, type AwsProviderData } from '../provider-data.js';
import {
  joinReasons,
  validUntilOf,
  type ApiHandler,
  type AwsContext,
  type LaunchContext,
  type Observation,
  type ObservedRequest,
  type ReleaseGroup,
  type ReleaseOutcome,
} from './api-handler.js';
import { groupInput } from './asg-launch.js';
import { AsgReleaser, liveMembers, unitsOfMembers } from './asg-releaser.js';
import { learnCapacity, withLearnt, type CapacityLearnt } from './capacity-history.js';

/**
 * Processes suspended once a group's request is final: with `Launch` suspended the group replaces
 * nothing (an unhealthy or interrupted host is only terminated, which getReturnRequests reports),
 * and `AZRebalance` would launch before terminating. Amazon EC2 Auto Scaling User Guide, "Suspend
 * and resume processes" / "How suspended processes affect other processes".
 */
const SUSPENDED_WHEN_FINAL = ['Launch', 'AZRebalance'];

/**
 * Auto Scaling groups, one per request, named after the request id (so a repeated launch finds
 * the same group). Once the request is fulfilled or given up on (spotFleetRequestExpiry) its
 * group launches nothing more: `Launch` and `AZRebalance` are suspended and a short group's
 * desired capacity is set to what runs (a group left with no host is deleted).
 */
export class AsgHandler implements ApiHandler {
  private readonly releaser: AsgReleaser;

  constructor(private readonly context: AwsContext) {
    this.releaser = new AsgReleaser(context);
  }

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const input = groupInput(launch);
    try {
      await this.context.gateway.groups.create(input);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const data: AwsProviderData = {
      api: 'ASG',
      asgName: input.AutoScalingGroupName,
      launchTemplateId: launch.launchTemplate.launchTemplateId,
      launchTemplateVersion: launch.launchTemplate.version,
      launchTemplateCreated: launch.launchTemplate.created,
      units: launch.plan.units,
      onDemandUnits: launch.plan.onDemandUnits,
      validUntil: validUntilOf(launch.template, this.context.clock.now()),
    };
    return { machines: [], providerData: toRecord(data) };
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const observations = new Map<string, Observation>();
    let groups: Map<string, AutoScalingGroup>;
    try {
      groups = await this.context.gateway.groups.describe(requests.flatMap((request) => (request.data.asgName ? [request.data.asgName] : [])));
    } catch (error) {
      for (const request of requests) observations.set(request.request.requestId, unobserved(error));
      return observations;
    }
    for (const request of requests) {
      try {
        observations.set(request.request.requestId, await this.observeOne(request, groups.get(request.data.asgName ?? '')));
      } catch (error) {
        observations.set(request.request.requestId, unobserved(error));
      }
    }
    return observations;
  }

  private async observeOne(request: ObservedRequest, group: AutoScalingGroup | undefined): Promise<Observation> {
    const short = group !== undefined && unitsOfMembers(liveMembers(group)) < (request.data.units ?? group.DesiredCapacity ?? 0);
    const name = request.data.asgName ?? '';
    const learnt: CapacityLearnt = group ? await learnCapacity(this.context, request, short, (since) => this.context.gateway.groups.capacityEvents(name, since)) : { offerings: [] };
    const observation = await this.follow({ ...request, data: learnt.data ?? request.data }, group);
    return withLearnt(observation, learnt);
  }

  /** What the group's state means for the request: still filling, fulfilled, or given up on at its expiry. */
  private async follow(request: ObservedRequest, group: AutoScalingGroup | undefined): Promise<Observation> {
    const { data } = request;
    const name = data.asgName ?? '';
    const now = this.context.clock.now();
    if (!group) {
      if (data.final !== true && now - request.request.createdAt < this.context.config.instancePendingTimeoutSec * 1000) {
        return { instanceIds: [], owners: {}, final: false, message: `Auto Scaling group ${name} not visible yet (eventual consistency)` };
      }
      const message = data.finalMessage ?? `Auto Scaling group ${name} no longer exists`;
      return { instanceIds: [], owners: {}, final: true, message, providerData: data.finalMessage ? undefined : { ...data, final: true, finalMessage: message } };
    }
    const members: GroupMember[] = liveMembers(group);
    const instanceIds = members.map((member) => member.InstanceId!);
    const observation: Observation = { instanceIds, owners: Object.fromEntries(instanceIds.map((id) => [id, name])), final: data.final === true, message: data.finalMessage };
    const units = unitsOfMembers(members);
    const fulfilled = units >= (data.units ?? group.DesiredCapacity ?? 0);
    const expired = data.validUntil !== undefined && now >= data.validUntil;
    if (data.final === true || (!fulfilled && !expired)) return observation;
    if (!data.processesSuspended) await this.context.gateway.groups.suspendProcesses(name, SUSPENDED_WHEN_FINAL);
    if (fulfilled) return { ...observation, final: true, providerData: { ...data, final: true, processesSuspended: true } };
    const reason = joinReasons(
      (await this.context.gateway.groups.activities(name))
        .filter((activity) => activity.StatusCode === 'Failed' || activity.StatusCode === 'Cancelled')
        .map((activity) => activity.StatusMessage ?? activity.Description ?? ''),
    );
    await this.releaser.stopGrowing(group, units, request.request.requestId);
    const finalMessage = [`Auto Scaling group ${name} reached ${units} of ${data.units} units by its expiry`, reason].filter(Boolean).join(': ');
    return { ...observation, final: true, message: finalMessage, providerData: { ...data, final: true, processesSuspended: true, finalMessage } };
  }

  release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    return this.releaser.release(groups);
  }

  stopReplacing(groups: readonly ReleaseGroup[]): Promise<void> {
    return this.releaser.stopReplacing(groups);
  }
}

/** A request whose group could not be observed this poll: the reason; the next poll tries again. */
function unobserved(error: unknown): Observation {
  return { instanceIds: [], owners: {}, final: false, message: `could not observe its Auto Scaling group (${awsReason(error)}); retried next poll` };
}
