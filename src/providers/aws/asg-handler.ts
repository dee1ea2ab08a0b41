import type { AutoScalingGroup, CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { LaunchResult } from '../../domain/ports/cloud-provider.js';
import type { AllocationStrategy, Template } from '../../domain/template.js';
import {
  createdLaunchTemplates,
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
import { callAws, isAlreadyExists, isNotFound, translateAwsError } from './aws-error-classifier.js';
import { kebab, spotTypes, type CapacityPlan } from './capacity-plan.js';
import { chunk, describeWithRetry } from './instance-reader.js';
import { terminateInstances } from './instance-terminator.js';
import { toRecord, type AwsProviderData } from './provider-data.js';

/** Auto Scaling has no `diversified`: it becomes lowest-price spread over every pool. */
export function asgSpotStrategy(strategy: AllocationStrategy): string {
  return strategy === 'diversified' ? 'lowest-price' : kebab(strategy);
}

export function asgNameOf(requestId: string): string {
  return `hostfactory-${requestId}`;
}

const LEAVING = /^(Terminating|Terminated|Detaching|Detached|Standby)/;

/**
 * Auto Scaling groups, one per request, named after the request id (so a repeated launch finds
 * the same group). Sized in weighted units (`DesiredCapacityType: units`), new instances protected
 * from scale-in, tags propagated at launch. A short group is given up on at spotFleetRequestExpiry:
 * its desired capacity is set to what runs so it launches nothing HostFactory does not track.
 */
export class AsgHandler implements ApiHandler {
  constructor(private readonly context: AwsContext) {}

  async launch(launch: LaunchContext): Promise<LaunchResult> {
    const { sdk, client } = await this.context.clients.autoScaling();
    const input = this.input(launch);
    try {
      await client.send(new sdk.CreateAutoScalingGroupCommand(input));
    } catch (error) {
      if (!isAlreadyExists(error)) throw translateAwsError(error, 'autoscaling:CreateAutoScalingGroup');
    }
    const data: AwsProviderData = {
      api: 'ASG',
      asgName: input.AutoScalingGroupName,
      launchTemplateId: launch.launchTemplate.launchTemplateId,
      launchTemplateVersion: launch.launchTemplate.version,
      launchTemplateCreated: launch.launchTemplate.created,
      units: launch.plan.units,
      validUntil: validUntilOf(launch.template, this.context.clock.now()),
    };
    return { machines: [], providerData: toRecord(data) };
  }

  private input(launch: LaunchContext): CreateAutoScalingGroupCommandInput {
    const { plan, template, launchTemplate } = launch;
    const types = plan.onDemandUnits > 0 ? plan.types : spotTypes(plan, template);
    return {
      AutoScalingGroupName: asgNameOf(launch.requestId),
      MinSize: 0,
      MaxSize: plan.units,
      DesiredCapacity: plan.units,
      DesiredCapacityType: 'units',
      VPCZoneIdentifier: plan.subnetIds.join(','),
      NewInstancesProtectedFromScaleIn: true,
      MixedInstancesPolicy: {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateId: launchTemplate.launchTemplateId, Version: launchTemplate.version },
          Overrides: types.map((type) => ({ InstanceType: type.instanceType, WeightedCapacity: String(type.weight) })),
        },
        InstancesDistribution: distributionOf(plan, template),
      },
      Tags: Object.entries(launch.tags).map(([Key, Value]) => ({
        Key,
        Value,
        PropagateAtLaunch: true,
        ResourceId: asgNameOf(launch.requestId),
        ResourceType: 'auto-scaling-group',
      })),
    };
  }

  async observe(requests: readonly ObservedRequest[]): Promise<Map<string, Observation>> {
    const groups = await this.describe(requests.flatMap((request) => (request.data.asgName ? [request.data.asgName] : [])));
    const observations = new Map<string, Observation>();
    const now = this.context.clock.now();
    for (const request of requests) {
      const name = request.data.asgName ?? '';
      const group = groups.get(name);
      const members = (group?.Instances ?? []).filter((member) => member.InstanceId && !LEAVING.test(member.LifecycleState ?? ''));
      const instanceIds = members.map((member) => member.InstanceId!);
      const owners = Object.fromEntries(instanceIds.map((id) => [id, name]));
      const units = members.reduce((sum, member) => sum + Number(member.WeightedCapacity ?? 1), 0);
      const short = units < (request.data.units ?? group?.DesiredCapacity ?? 0);
      const expired = request.data.validUntil !== undefined && now >= request.data.validUntil;
      const observation: Observation = { instanceIds, owners, final: request.data.final === true || !group, message: request.data.finalMessage };
      if (!group && request.data.finalMessage === undefined) {
        observation.message = `Auto Scaling group ${name} no longer exists`;
        observation.providerData = { ...request.data, final: true, finalMessage: observation.message };
      } else if (group && expired && short && request.data.final !== true) {
        const reason = await this.failedActivities(name);
        await this.stopGrowing(name, units);
        const finalMessage = [`Auto Scaling group ${name} reached ${units} of ${request.data.units} units by its expiry`, reason].filter(Boolean).join(': ');
        observation.final = true;
        observation.message = finalMessage;
        observation.providerData = { ...request.data, final: true, finalMessage };
      }
      observations.set(request.request.requestId, observation);
    }
    return observations;
  }

  private async describe(names: string[]): Promise<Map<string, AutoScalingGroup>> {
    const groups = new Map<string, AutoScalingGroup>();
    if (names.length === 0) return groups;
    const { sdk, client } = await this.context.clients.autoScaling();
    for (const part of chunk(names, 100)) {
      let NextToken: string | undefined;
      do {
        const output = await describeWithRetry(this.context.config, 'autoscaling:DescribeAutoScalingGroups', () =>
          client.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: part, MaxRecords: 100, NextToken })),
        );
        for (const group of output.AutoScalingGroups ?? []) if (group.AutoScalingGroupName) groups.set(group.AutoScalingGroupName, group);
        NextToken = output.NextToken;
      } while (NextToken);
    }
    return groups;
  }

  private async failedActivities(name: string): Promise<string | undefined> {
    const { sdk, client } = await this.context.clients.autoScaling();
    const output = await describeWithRetry(this.context.config, 'autoscaling:DescribeScalingActivities', () =>
      client.send(new sdk.DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 20 })),
    );
    const failed = (output.Activities ?? []).filter((activity) => activity.StatusCode === 'Failed' || activity.StatusCode === 'Cancelled');
    return joinReasons(failed.map((activity) => activity.StatusMessage ?? activity.Description ?? ''));
  }

  private async stopGrowing(name: string, units: number): Promise<void> {
    const { sdk, client } = await this.context.clients.autoScaling();
    await callAws('autoscaling:UpdateAutoScalingGroup', () =>
      client.send(new sdk.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, DesiredCapacity: units, MaxSize: Math.max(units, 0) })),
    );
  }

  async release(groups: readonly ReleaseGroup[]): Promise<ReleaseOutcome> {
    const { sdk, client } = await this.context.clients.autoScaling();
    const notInGroup: string[] = [];
    const names = new Set<string>();
    const returned = new Set<string>();
    for (const group of groups) {
      if (group.data.asgName) names.add(group.data.asgName);
      for (const machine of group.machines) {
        returned.add(machine.machineId);
        try {
          await client.send(new sdk.TerminateInstanceInAutoScalingGroupCommand({ InstanceId: machine.machineId, ShouldDecrementDesiredCapacity: true }));
        } catch (error) {
          if (!isNotFound(error)) throw translateAwsError(error, 'autoscaling:TerminateInstanceInAutoScalingGroup');
          notInGroup.push(machine.machineId);
        }
      }
    }
    if (notInGroup.length > 0) await terminateInstances(await this.context.clients.ec2(), notInGroup);
    const described = await this.describe([...names]);
    for (const name of names) {
      const group = described.get(name);
      if (!group) continue;
      const left = (group.Instances ?? []).filter((member) => !returned.has(member.InstanceId ?? '') && !LEAVING.test(member.LifecycleState ?? ''));
      if (left.length > 0) continue;
      try {
        await client.send(new sdk.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
      } catch (error) {
        if (!isNotFound(error) && !/in progress/i.test((error as Error).message)) throw translateAwsError(error, 'autoscaling:DeleteAutoScalingGroup');
      }
    }
    return { freedLaunchTemplates: createdLaunchTemplates(groups) };
  }
}

function distributionOf(plan: CapacityPlan, template: Template): NonNullable<NonNullable<CreateAutoScalingGroupCommandInput['MixedInstancesPolicy']>['InstancesDistribution']> {
  const pools = plan.spotStrategy === 'diversified' ? Math.min(20, Math.max(1, spotTypes(plan, template).length * Math.max(1, plan.subnetIds.length))) : plan.poolsCount;
  const lowest = asgSpotStrategy(plan.spotStrategy) === 'lowest-price';
  return {
    OnDemandAllocationStrategy: kebab(plan.onDemandStrategy),
    OnDemandBaseCapacity: plan.onDemandUnits,
    OnDemandPercentageAboveBaseCapacity: plan.spotUnits > 0 ? 0 : 100,
    SpotAllocationStrategy: asgSpotStrategy(plan.spotStrategy),
    ...(lowest && pools ? { SpotInstancePools: pools } : {}),
    ...(plan.maxSpotPrice !== undefined ? { SpotMaxPrice: String(plan.maxSpotPrice) } : {}),
  };
}
