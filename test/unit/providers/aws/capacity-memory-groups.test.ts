import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  CancelSpotFleetRequestsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Offering } from '../../../../src/domain/offering.js';
import type { Template } from '../../../../src/domain/template.js';
import { anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';
import { asgMock, awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';

const ZONES: Record<string, string> = { 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b' };
const pool = (instanceType: string, zone: string, market: Offering['market']): Offering => ({ instanceType, zone, market });
const both = (instanceType: string, market: Offering['market']) => [pool(instanceType, 'us-east-1a', market), pool(instanceType, 'us-east-1b', market)];

describe('capacity memory in Auto Scaling groups and the heterogeneous fallback', () => {
  let workDir: string;

  beforeEach(() => {
    resetMocks();
    workDir = mkdtempSync(join(tmpdir(), 'aws-capacity-groups-'));
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => ({
      Subnets: input.SubnetIds.map((id) => ({ SubnetId: id, AvailabilityZone: ZONES[id], AvailableIpAddressCount: 100 })),
    }));
    asgMock.on(CreateAutoScalingGroupCommand).resolves({});
  });

  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  describe('Auto Scaling group overrides', () => {
    const group = (priceType: Template['priceType']) =>
      anAwsTemplate({ providerApi: 'ASG', priceType, subnetIds: ['subnet-a', 'subnet-b'], vmType: undefined, vmTypes: { 'c5.large': 1, 'm5.large': 1, 'r5.large': 1 } });
    async function overrides(template: Template, unavailable: Offering[]): Promise<string[]> {
      asgMock.resetHistory();
      await makeProvider({}, { workDir }).provider.launch({ requestId: REQUEST_ID, template, units: 2, unavailable });
      return inputsOf(asgMock, CreateAutoScalingGroupCommand)[0].MixedInstancesPolicy.LaunchTemplate.Overrides.map((entry: { InstanceType: string }) => entry.InstanceType);
    }

    it('on demand: a type remembered in every zone of the group goes last (prioritized follows the order); one open zone keeps it in place', async () => {
      expect(await overrides(group('ondemand'), both('c5.large', 'ondemand'))).toEqual(['m5.large', 'r5.large', 'c5.large']);
      expect(await overrides(group('ondemand'), [pool('c5.large', 'us-east-1a', 'ondemand')])).toEqual(['c5.large', 'm5.large', 'r5.large']);
      expect(await overrides(group('ondemand'), [...both('c5.large', 'ondemand'), ...both('m5.large', 'ondemand'), ...both('r5.large', 'ondemand')])).toEqual(['c5.large', 'm5.large', 'r5.large']);
    });

    it('spot: a type remembered in every zone is left out while others remain; all are sent when all are remembered', async () => {
      expect(await overrides(group('spot'), both('m5.large', 'spot'))).toEqual(['c5.large', 'r5.large']);
      expect(await overrides(group('spot'), both('m5.large', 'ondemand')), 'another market is not this group\'s').toEqual(['c5.large', 'm5.large', 'r5.large']);
      expect(await overrides(group('spot'), [...both('c5.large', 'spot'), ...both('m5.large', 'spot'), ...both('r5.large', 'spot')])).toEqual(['c5.large', 'm5.large', 'r5.large']);
    });
  });

  describe('heterogeneous fallback', () => {
    const heterogeneous = anAwsTemplate({
      priceType: 'heterogeneous',
      subnetIds: ['subnet-a', 'subnet-b'],
      vmType: undefined,
      vmTypes: { 'r5a.large': 1 },
      vmTypesOnDemand: { 'r5.large': 1 },
      fleetRole: 'arn:aws:iam::123456789012:role/fleet',
    });
    const data = { api: 'SpotFleet', fleetType: 'request', spotFleetRequestId: 'sfr-h', launchTemplateId: 'lt-ours', launchTemplateCreated: true, validUntil: NOW + 60_000, historyReadUntil: NOW };

    beforeEach(() => {
      ec2Mock.on(DescribeSpotFleetRequestsCommand).resolves({
        SpotFleetRequestConfigs: [{ SpotFleetRequestId: 'sfr-h', SpotFleetRequestState: 'active', SpotFleetRequestConfig: { IamFleetRole: 'r', Type: 'request', TargetCapacity: 3, FulfilledCapacity: 1, OnDemandTargetCapacity: 0 } }],
      });
      ec2Mock.on(DescribeSpotFleetInstancesCommand).resolves({ ActiveInstances: [] });
      ec2Mock.on(CancelSpotFleetRequestsCommand).resolves({});
      ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      ec2Mock.on(RunInstancesCommand, { SubnetId: 'subnet-b' }).rejects(awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient r5.large capacity in the Availability Zone you requested (us-east-1b).'));
      ec2Mock.on(RunInstancesCommand, { SubnetId: 'subnet-a' }).callsFake((input: { MaxCount: number }) => ({
        ReservationId: 'r-od',
        Instances: Array.from({ length: input.MaxCount }, (_, n) => instance({ id: `i-od${n}`, InstanceType: 'r5.large' })),
      }));
    });

    it('tries the remembered pool last and reports the pool that answered "insufficient capacity"', async () => {
      const { provider } = makeProvider({}, { workDir });
      const remembered = [pool('r5.large', 'us-east-1a', 'ondemand')];

      const report = (await provider.describeRequests([{ request: anAwsRequest(data, { machineCount: 3 }), template: heterogeneous, machines: [] }], async () => remembered)).get(REQUEST_ID)!;

      expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => [input.SubnetId, input.ClientToken])).toEqual([
        ['subnet-b', `${REQUEST_ID}-od-1`],
        ['subnet-a', `${REQUEST_ID}-od-0`],
      ]);
      expect(report.unavailableOfferings).toEqual([pool('r5.large', 'us-east-1b', 'ondemand')]);
      expect(report.providerData).toMatchObject({ final: true, fallbackInstanceIds: ['i-od0', 'i-od1'] });
    });
  });
});
