import { beforeEach, describe, expect, it } from 'vitest';
import { DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, type AutoScalingGroup, type DescribeAutoScalingGroupsCommandInput } from '@aws-sdk/client-auto-scaling';
import {
  CancelSpotFleetRequestsCommand,
  DeleteFleetsCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSpotFleetRequestsCommand,
  TerminateInstancesCommand,
  type DescribeFleetsCommandInput,
  type DescribeInstancesCommandInput,
  type DescribeLaunchTemplatesCommandInput,
  type FleetData,
  type Instance,
  type LaunchTemplate,
  type SpotFleetRequestConfig,
} from '@aws-sdk/client-ec2';
import type { CloudResource } from '../../../../src/domain/ports/cloud-provider.js';
import { asgMock, awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, resetMocks } from './aws-test-kit.js';

const REASON = 'leak: no request in the store owns it';
const CREATED = new Date(NOW - 3_600_000);

const tagsOf = (provider: string | undefined, requestId?: string) => [
  ...(provider ? [{ Key: 'hostfactory:provider', Value: provider }] : []),
  ...(requestId ? [{ Key: 'hostfactory:request-id', Value: requestId }] : []),
  { Key: 'hostfactory:template-id', Value: 'Tpl-1' },
];

/** One AWS account holding what two provider instances (`awsinst`, `awsother`) and someone else launched. */
const account = {
  instances: [
    instance({ id: 'i-ours', Tags: [...tagsOf('awsinst', 'req-a'), { Key: 'aws:ec2launchtemplate:id', Value: 'lt-used' }] }),
    instance({ id: 'i-ours-stopped', state: 'stopped', Tags: tagsOf('awsinst', 'req-b') }),
    instance({ id: 'i-ours-gone', state: 'terminated', Tags: tagsOf('awsinst', 'req-a') }),
    instance({ id: 'i-other', Tags: tagsOf('awsother', 'req-x') }),
    instance({ id: 'i-untagged', Tags: [] }),
  ] as Instance[],
  fleets: [
    { FleetId: 'fleet-maintain', FleetState: 'active', Type: 'maintain', CreateTime: CREATED, TargetCapacitySpecification: { TotalTargetCapacity: 6 }, Tags: tagsOf('awsinst', 'req-a') },
    { FleetId: 'fleet-request', FleetState: 'modifying', Type: 'request', CreateTime: CREATED, TargetCapacitySpecification: { TotalTargetCapacity: 3 }, Tags: tagsOf('awsinst', 'req-b') },
    { FleetId: 'fleet-deleted', FleetState: 'deleted_running', Type: 'maintain', CreateTime: CREATED, TargetCapacitySpecification: { TotalTargetCapacity: 2 }, Tags: tagsOf('awsinst', 'req-c') },
    { FleetId: 'fleet-other', FleetState: 'active', Type: 'maintain', CreateTime: CREATED, TargetCapacitySpecification: { TotalTargetCapacity: 9 }, Tags: tagsOf('awsother', 'req-x') },
    { FleetId: 'fleet-untagged', FleetState: 'active', Type: 'maintain', CreateTime: CREATED, TargetCapacitySpecification: { TotalTargetCapacity: 1 } },
  ] as FleetData[],
  spotFleets: [
    { SpotFleetRequestId: 'sfr-maintain', SpotFleetRequestState: 'active', CreateTime: CREATED, SpotFleetRequestConfig: { Type: 'maintain', TargetCapacity: 4 }, Tags: tagsOf('awsinst', 'req-d') },
    { SpotFleetRequestId: 'sfr-request', SpotFleetRequestState: 'submitted', CreateTime: CREATED, SpotFleetRequestConfig: { Type: 'request', TargetCapacity: 2 }, Tags: tagsOf('awsinst') },
    { SpotFleetRequestId: 'sfr-cancelled', SpotFleetRequestState: 'cancelled_running', CreateTime: CREATED, SpotFleetRequestConfig: { Type: 'maintain', TargetCapacity: 4 }, Tags: tagsOf('awsinst', 'req-e') },
    { SpotFleetRequestId: 'sfr-other', SpotFleetRequestState: 'active', CreateTime: CREATED, SpotFleetRequestConfig: { Type: 'maintain', TargetCapacity: 5 }, Tags: tagsOf('awsother', 'req-y') },
  ] as SpotFleetRequestConfig[],
  groups: [
    { AutoScalingGroupName: 'hostfactory-req-f', DesiredCapacity: 2, CreatedTime: CREATED, Tags: [{ Key: 'hostfactory:provider', Value: 'awsinst' }, { Key: 'hostfactory:request-id', Value: 'req-f' }] },
    { AutoScalingGroupName: 'hostfactory-req-g', DesiredCapacity: 0, CreatedTime: CREATED, Status: 'Delete in progress', Tags: [{ Key: 'hostfactory:provider', Value: 'awsinst' }] },
    { AutoScalingGroupName: 'hostfactory-req-z', DesiredCapacity: 7, CreatedTime: CREATED, Tags: [{ Key: 'hostfactory:provider', Value: 'awsother' }] },
  ] as AutoScalingGroup[],
  launchTemplates: [
    { LaunchTemplateId: 'lt-used', CreateTime: CREATED, Tags: tagsOf('awsinst') },
    { LaunchTemplateId: 'lt-unused', CreateTime: CREATED, Tags: tagsOf('awsinst') },
    { LaunchTemplateId: 'lt-other', CreateTime: CREATED, Tags: tagsOf('awsother') },
  ] as LaunchTemplate[],
};

const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) => Object.fromEntries((tags ?? []).map((tag) => [tag.Key, tag.Value]));

/** The mocks answer as AWS would: DescribeInstances and DescribeAutoScalingGroups honour their filters; DescribeFleets only the state one. */
function serveAccount(): void {
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    const found = account.instances.filter((entry) =>
      (input.Filters ?? []).every((filter) => {
        if (filter.Name === 'instance-state-name') return filter.Values!.includes(entry.State!.Name!);
        if (filter.Name?.startsWith('tag:')) return filter.Values!.includes(tagMap(entry.Tags)[filter.Name.slice(4)]);
        throw awsError('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
      }),
    );
    return { Reservations: [{ Instances: found }] };
  });
  ec2Mock.on(DescribeFleetsCommand).callsFake((input: DescribeFleetsCommandInput) => {
    const states = input.Filters?.find((filter) => filter.Name === 'fleet-state')?.Values;
    return { Fleets: account.fleets.filter((fleet) => !states || states.includes(fleet.FleetState!)) };
  });
  ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: account.spotFleets });
  ec2Mock.on(DescribeLaunchTemplatesCommand).callsFake((input: DescribeLaunchTemplatesCommandInput) => ({
    LaunchTemplates: account.launchTemplates.filter((template) => (input.Filters ?? []).every((filter) => filter.Values!.includes(tagMap(template.Tags)[filter.Name!.slice(4)]))),
  }));
  asgMock.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => ({
    AutoScalingGroups: account.groups.filter((group) => (input.Filters ?? []).every((filter) => filter.Values!.includes(tagMap(group.Tags)[filter.Name!.slice(4)]))),
  }));
}

const byId = (resources: CloudResource[]) => [...resources].sort((a, b) => a.id.localeCompare(b.id));

describe('AWS inventory', () => {
  beforeEach(() => {
    resetMocks();
    serveAccount();
  });

  it('lists the live hosts, fleets, spot fleets and groups of this provider instance, with target, creation time and request, and its launch templates nothing uses', async () => {
    const { provider } = makeProvider();
    const inventory = await provider.inventory();

    expect(inventory.hosts.map((host) => host.machineId).sort()).toEqual(['i-ours', 'i-ours-stopped']);
    expect(inventory.hosts.find((host) => host.machineId === 'i-ours-stopped')).toMatchObject({
      status: 'stopped',
      providerName: 'awsinst',
      requestId: 'req-b',
      templateId: 'Tpl-1',
    });
    expect(byId(inventory.resources)).toEqual([
      { kind: 'ec2-fleet', id: 'fleet-maintain', requestId: 'req-a', createdAt: CREATED.getTime(), target: 6, region: 'us-east-1' },
      { kind: 'ec2-fleet', id: 'fleet-request', requestId: 'req-b', createdAt: CREATED.getTime(), region: 'us-east-1' },
      { kind: 'asg', id: 'hostfactory-req-f', requestId: 'req-f', createdAt: CREATED.getTime(), target: 2, region: 'us-east-1' },
      { kind: 'launch-template', id: 'lt-unused', createdAt: CREATED.getTime(), region: 'us-east-1' },
      { kind: 'spot-fleet', id: 'sfr-maintain', requestId: 'req-d', createdAt: CREATED.getTime(), target: 4, region: 'us-east-1' },
      { kind: 'spot-fleet', id: 'sfr-request', createdAt: CREATED.getTime(), region: 'us-east-1' },
    ]);
  });

  it('puts the provider name in every filter: DescribeInstances and DescribeAutoScalingGroups on AWS, fleets on their tags', async () => {
    const { provider } = makeProvider();
    await provider.inventory();

    expect(inputsOf(ec2Mock, DescribeInstancesCommand)[0]).toEqual({
      Filters: [
        { Name: 'tag:hostfactory:provider', Values: ['awsinst'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
      MaxResults: 1000,
    });
    expect(inputsOf(ec2Mock, DescribeLaunchTemplatesCommand)).toEqual([{ Filters: [{ Name: 'tag:hostfactory:provider', Values: ['awsinst'] }], MaxResults: 200 }]);
    expect(inputsOf(ec2Mock, DescribeFleetsCommand)[0]).toEqual({ Filters: [{ Name: 'fleet-state', Values: ['submitted', 'active', 'modifying'] }], MaxResults: 1000 });
    expect(inputsOf(ec2Mock, DescribeSpotFleetRequestsCommand)[0]).toEqual({ MaxResults: 1000 });
    expect(inputsOf(asgMock, DescribeAutoScalingGroupsCommand)[0]).toEqual({ Filters: [{ Name: 'tag:hostfactory:provider', Values: ['awsinst'] }], MaxRecords: 100 });
    // Then, as this provider has launch templates, the calls that tell which of them something uses.
    expect(inputsOf(ec2Mock, DescribeInstancesCommand)[1].Filters[0]).toEqual({ Name: 'tag:aws:ec2launchtemplate:id', Values: ['lt-used', 'lt-unused'] });
  });

  it('keeps two provider instances in one account apart: neither sees the other’s hosts or resources', async () => {
    const ours = await makeProvider().provider.inventory();
    const theirs = await makeProvider({}, { providerName: 'awsother' }).provider.inventory();

    expect(theirs.hosts.map((host) => host.machineId)).toEqual(['i-other']);
    expect(theirs.resources.map((resource) => resource.id).sort()).toEqual(['fleet-other', 'hostfactory-req-z', 'lt-other', 'sfr-other']);
    const ourIds = new Set([...ours.hosts.map((host) => host.machineId), ...ours.resources.map((resource) => resource.id)]);
    for (const id of [...theirs.hosts.map((host) => host.machineId), ...theirs.resources.map((resource) => resource.id)]) expect(ourIds.has(id)).toBe(false);
  });

  it('follows every page of every listing', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance({ id: 'i-page-1', Tags: tagsOf('awsinst') })] }], NextToken: 'next-instances' })
      .resolvesOnce({ Reservations: [{ Instances: [instance({ id: 'i-page-2', Tags: tagsOf('awsinst') })] }] });
    ec2Mock
      .on(DescribeSpotFleetRequestsCommand)
      .resolvesOnce({ SpotFleetRequestConfigs: account.spotFleets.slice(0, 1), NextToken: 'next-spot' })
      .resolvesOnce({ SpotFleetRequestConfigs: account.spotFleets.slice(1) });
    // No launch template: the checks of their use (more describe calls) are not made.
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    const { provider } = makeProvider();
    const inventory = await provider.inventory();

    expect(inventory.hosts.map((host) => host.machineId)).toEqual(['i-page-1', 'i-page-2']);
    expect(inputsOf(ec2Mock, DescribeInstancesCommand).map((input) => input.NextToken)).toEqual([undefined, 'next-instances']);
    expect(inputsOf(ec2Mock, DescribeSpotFleetRequestsCommand).map((input) => input.NextToken)).toEqual([undefined, 'next-spot']);
    expect(inventory.resources.filter((resource) => resource.kind === 'spot-fleet').map((resource) => resource.id)).toEqual(['sfr-maintain', 'sfr-request']);
  });

  it('fails with a translated error naming the call AWS refused', async () => {
    ec2Mock.on(DescribeSpotFleetRequestsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();

    await expect(provider.inventory()).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringContaining('ec2:DescribeSpotFleetRequests') });
  });
});

describe('AWS removeLeaks', () => {
  const leaks: CloudResource[] = [
    { kind: 'ec2-fleet', id: 'fleet-1', createdAt: 0, target: 2 },
    { kind: 'spot-fleet', id: 'sfr-1', createdAt: 0, target: 3 },
    { kind: 'asg', id: 'hostfactory-req-f', createdAt: 0, target: 2 },
  ];
  let order: string[];

  beforeEach(() => {
    resetMocks();
    order = [];
    ec2Mock.on(DeleteFleetsCommand).callsFake(() => (order.push('DeleteFleets'), { SuccessfulFleetDeletions: [], UnsuccessfulFleetDeletions: [] }));
    ec2Mock.on(CancelSpotFleetRequestsCommand).callsFake(() => (order.push('CancelSpotFleetRequests'), { SuccessfulFleetRequests: [], UnsuccessfulFleetRequests: [] }));
    asgMock.on(DeleteAutoScalingGroupCommand).callsFake(() => (order.push('DeleteAutoScalingGroup'), {}));
    ec2Mock.on(TerminateInstancesCommand).callsFake(() => (order.push('TerminateInstances'), {}));
  });

  it('deletes fleets and groups with their instances first, then terminates the hosts, and logs each with the reason', async () => {
    const { provider, logger } = makeProvider();
    await provider.removeLeaks([{ machineId: 'i-1' }, { machineId: 'i-2' }], leaks);

    expect(order).toEqual(['DeleteFleets', 'CancelSpotFleetRequests', 'DeleteAutoScalingGroup', 'TerminateInstances']);
    expect(inputsOf(ec2Mock, DeleteFleetsCommand)).toEqual([{ FleetIds: ['fleet-1'], TerminateInstances: true }]);
    expect(inputsOf(ec2Mock, CancelSpotFleetRequestsCommand)).toEqual([{ SpotFleetRequestIds: ['sfr-1'], TerminateInstances: true }]);
    expect(inputsOf(asgMock, DeleteAutoScalingGroupCommand)).toEqual([{ AutoScalingGroupName: 'hostfactory-req-f', ForceDelete: true }]);
    expect(inputsOf(ec2Mock, TerminateInstancesCommand)).toEqual([{ InstanceIds: ['i-1', 'i-2'] }]);
    const logged = logger.lines.filter((line) => line.level === 'info').map((line) => line.fields.resourceId ?? line.fields.instanceId);
    expect(logged).toEqual(['fleet-1', 'sfr-1', 'hostfactory-req-f', 'i-1', 'i-2']);
    expect(logger.lines.filter((line) => line.level === 'info').every((line) => line.fields.reason === REASON)).toBe(true);
  });

  it('takes what is already gone as removed: unknown fleets, groups and instance ids', async () => {
    ec2Mock.on(DeleteFleetsCommand).resolves({ UnsuccessfulFleetDeletions: [{ FleetId: 'fleet-1', Error: { Code: 'fleetIdDoesNotExist', Message: 'gone' } }] });
    ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({ UnsuccessfulFleetRequests: [{ SpotFleetRequestId: 'sfr-1', Error: { Code: 'fleetRequestIdDoesNotExist', Message: 'gone' } }] });
    asgMock.on(DeleteAutoScalingGroupCommand).rejects(awsError('ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup hostfactory-req-f not found'));
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"));
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"));
    const { provider, logger } = makeProvider();

    await expect(provider.removeLeaks([{ machineId: 'i-gone' }], leaks)).resolves.toBeUndefined();
    expect(logger.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('carries out every removal it can, then throws the first AWS error translated', async () => {
    ec2Mock.on(DeleteFleetsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const { provider } = makeProvider();

    await expect(provider.removeLeaks([{ machineId: 'i-1' }], leaks)).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringContaining('ec2:DeleteFleets') });
    expect(order).toEqual(['CancelSpotFleetRequests', 'DeleteAutoScalingGroup', 'TerminateInstances']);
  });

  it('sends nothing and loads no SDK when there is nothing to remove', async () => {
    const { provider, clients } = makeProvider();
    await provider.removeLeaks([], []);

    expect(order).toEqual([]);
    expect(clients.loaded()).toEqual([]);
  });
});
