import type { Activity, AutoScalingGroup, CreateAutoScalingGroupCommandInput, UpdateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AwsConfig } from '../aws-config.js';
import { zoneOfDetails, type HistoryRead } from '../capacity-events.js';
import { chunk } from '../../../shared/chunk.js';
import { allPages, describe, send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';

/** Auto Scaling group calls; the Auto Scaling SDK is loaded on the first of them. */
export class AutoScalingGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
  ) {}

  async create(input: CreateAutoScalingGroupCommandInput): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:CreateAutoScalingGroup', () => client.send(new sdk.CreateAutoScalingGroupCommand(input)));
  }

  /** The groups among `names` that exist, 100 names a call, all pages. */
  async describe(names: readonly string[]): Promise<Map<string, AutoScalingGroup>> {
    const groups = new Map<string, AutoScalingGroup>();
    if (names.length === 0) return groups;
    const { sdk, client } = await this.clients.autoScaling();
    for (const part of chunk([...new Set(names)], 100)) {
      const pages = await allPages((NextToken) =>
        describe(this.config, 'autoscaling:DescribeAutoScalingGroups', () =>
          client.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: part, MaxRecords: 100, NextToken })),
        ),
      );
      for (const group of pages.flatMap((page) => page.AutoScalingGroups ?? [])) if (group.AutoScalingGroupName) groups.set(group.AutoScalingGroupName, group);
    }
    return groups;
  }

  /** Every group tagged `tag`=`value`. */
  async describeTagged(tag: string, value: string): Promise<AutoScalingGroup[]> {
    const { sdk, client } = await this.clients.autoScaling();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'autoscaling:DescribeAutoScalingGroups', () =>
        client.send(new sdk.DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${tag}`, Values: [value] }], MaxRecords: 100, NextToken })),
      ),
    );
    return pages.flatMap((page) => page.AutoScalingGroups ?? []);
  }

  async update(input: UpdateAutoScalingGroupCommandInput): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:UpdateAutoScalingGroup', () => client.send(new sdk.UpdateAutoScalingGroupCommand(input)));
  }

  async suspendProcesses(name: string, processes: string[]): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:SuspendProcesses', () => client.send(new sdk.SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })));
  }

  async terminateInstance(instanceId: string, decrementDesiredCapacity: boolean): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:TerminateInstanceInAutoScalingGroup', () =>
      client.send(new sdk.TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrementDesiredCapacity })),
    );
  }

  async delete(name: string): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:DeleteAutoScalingGroup', () => client.send(new sdk.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true })));
  }

  async activities(name: string): Promise<Activity[]> {
    const { sdk, client } = await this.clients.autoScaling();
    const output = await describe(this.config, 'autoscaling:DescribeScalingActivities', () =>
      client.send(new sdk.DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 20 })),
    );
    return output.Activities ?? [];
  }

  /**
   * The failed and cancelled scaling activities of a group that started after `since` (epoch ms):
   * DescribeScalingActivities answers newest first, 100 a page, so pages are read until one reaches
   * back to `since`. `until` is the newest start time read. Each event's text is the StatusMessage
   * (the cause of a failure: Amazon EC2 Auto Scaling API Reference, "DescribeScalingActivities") and
   * its zone the one named in Details.
   */
  async capacityEvents(name: string, since: number): Promise<HistoryRead> {
    const { sdk, client } = await this.clients.autoScaling();
    const activities: Activity[] = [];
    let NextToken: string | undefined;
    do {
      const page = await describe(this.config, 'autoscaling:DescribeScalingActivities', () =>
        client.send(new sdk.DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 100, NextToken })),
      );
      activities.push(...(page.Activities ?? []));
      const oldest = page.Activities?.at(-1)?.StartTime?.getTime() ?? 0;
      NextToken = oldest > since ? page.NextToken : undefined;
    } while (NextToken);
    const newer = activities.filter((activity) => (activity.StartTime?.getTime() ?? 0) > since);
    const events = newer
      .filter((activity) => activity.StatusCode === 'Failed' || activity.StatusCode === 'Cancelled')
      .map((activity) => ({ time: activity.StartTime!.getTime(), text: activity.StatusMessage ?? activity.Description ?? '', zone: zoneOfDetails(activity.Details) }));
    const until = newer.length > 0 ? Math.max(...newer.map((activity) => activity.StartTime!.getTime())) : undefined;
    return { events, ...(until !== undefined ? { until } : {}) };
  }
}
