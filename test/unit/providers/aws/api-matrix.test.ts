import { beforeEach, describe, expect, it } from 'vitest';
import { CreateFleetCommand, DescribeLaunchTemplatesCommand, RequestSpotFleetCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { FleetType, PriceType } from '../../../../src/domain/template.js';
import { asgMock, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { anAwsTemplate } from '../../../support/mothers.js';

const PRICE_TYPES: PriceType[] = ['ondemand', 'spot', 'heterogeneous'];
const FLEET_TYPES: FleetType[] = ['instant', 'request', 'maintain'];
/** 10 units; heterogeneous puts 30 % on demand. */
const SPLIT: Record<PriceType, { onDemand: number; spot: number }> = {
  ondemand: { onDemand: 10, spot: 0 },
  spot: { onDemand: 0, spot: 10 },
  heterogeneous: { onDemand: 3, spot: 7 },
};

const templateFor = (priceType: PriceType, providerApi: 'RunInstances' | 'EC2Fleet' | 'SpotFleet' | 'ASG', fleetType?: FleetType) =>
  anAwsTemplate({
    priceType,
    providerApi,
    fleetType,
    percentOnDemand: 30,
    fleetRole: 'arn:aws:iam::123456789012:role/fleet',
    subnetIds: ['subnet-a', 'subnet-b'],
  });

const tagTypes = (specs: Array<{ ResourceType: string }>) => specs.map((spec) => spec.ResourceType);

describe('every API × price type × fleet type sends the capacity split it is asked for', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(RunInstancesCommand).callsFake((input: { MaxCount: number }) => ({
      ReservationId: 'r-1',
      Instances: Array.from({ length: input.MaxCount }, () => instance()),
    }));
    ec2Mock.on(CreateFleetCommand).resolves({ FleetId: 'fleet-1', Instances: [{ InstanceIds: Array.from({ length: 10 }, (_, n) => `i-${n}`), InstanceType: 'm5.large' }] });
    ec2Mock.on(RequestSpotFleetCommand).resolves({ SpotFleetRequestId: 'sfr-1' });
    asgMock.on(CreateAutoScalingGroupCommand).resolves({});
  });

  it.each(PRICE_TYPES)('RunInstances, %s', async (priceType) => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: templateFor(priceType, 'RunInstances'), units: 10 });
    const calls = inputsOf(ec2Mock, RunInstancesCommand).map((input) => [input.InstanceMarketOptions?.MarketType ?? 'on-demand', input.MaxCount, input.SubnetId, input.ClientToken]);
    const expected: unknown[] = [];
    if (SPLIT[priceType].onDemand > 0) expected.push(['on-demand', SPLIT[priceType].onDemand, 'subnet-a', `${REQUEST_ID}-0`]);
    // A token numbers the attempt's pool in priority order: the on-demand part's two pools (m5.large in subnet-a, subnet-b) come first.
    const onDemandPools = SPLIT[priceType].onDemand > 0 ? 2 : 0;
    if (SPLIT[priceType].spot > 0) expected.push(['spot', SPLIT[priceType].spot, 'subnet-a', `${REQUEST_ID}-${onDemandPools}`]);
    expect(calls).toEqual(expected);
  });

  const fleetCases = PRICE_TYPES.flatMap((priceType) => FLEET_TYPES.map((fleetType) => [priceType, fleetType] as const));

  it.each(fleetCases)('EC2Fleet, %s, %s', async (priceType, fleetType) => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: templateFor(priceType, 'EC2Fleet', fleetType), units: 10 });
    const input = inputsOf(ec2Mock, CreateFleetCommand)[0];
    expect(input.Type).toBe(fleetType);
    expect(input.ClientToken).toBe(REQUEST_ID);
    expect(input.TargetCapacitySpecification).toEqual({
      TotalTargetCapacity: 10,
      OnDemandTargetCapacity: SPLIT[priceType].onDemand,
      SpotTargetCapacity: SPLIT[priceType].spot,
      DefaultTargetCapacityType: SPLIT[priceType].spot > 0 ? 'spot' : 'on-demand',
    });
    expect(input.LaunchTemplateConfigs[0].Overrides.map((o: { SubnetId: string }) => o.SubnetId)).toEqual(['subnet-a', 'subnet-b']);
    expect(input.SpotOptions.AllocationStrategy).toBe('price-capacity-optimized');
    expect(input.OnDemandOptions.AllocationStrategy).toBe('lowest-price');
    expect(tagTypes(input.TagSpecifications)).toEqual(fleetType === 'instant' ? ['fleet', 'instance', 'volume'] : ['fleet']);
    // Only a request fleet expires: a maintain fleet maintains until its hosts are returned.
    expect(input.ValidUntil).toEqual(fleetType === 'request' ? new Date(NOW + 30 * 60_000) : undefined);
    expect(input.ExcessCapacityTerminationPolicy).toBe(fleetType === 'maintain' ? 'no-termination' : undefined);
  });

  it.each(fleetCases)('SpotFleet, %s, %s', async (priceType, fleetType) => {
    const { provider } = makeProvider();
    const result = await provider.launch({ requestId: REQUEST_ID, template: templateFor(priceType, 'SpotFleet', fleetType), units: 10 });
    const config = inputsOf(ec2Mock, RequestSpotFleetCommand)[0].SpotFleetRequestConfig;
    const sent = fleetType === 'maintain' ? 'maintain' : 'request';
    expect(config).toMatchObject({ Type: sent, ClientToken: REQUEST_ID, TargetCapacity: 10, OnDemandTargetCapacity: SPLIT[priceType].onDemand, AllocationStrategy: 'priceCapacityOptimized', OnDemandAllocationStrategy: 'lowestPrice' });
    expect(config.LaunchTemplateConfigs[0].Overrides.map((o: { SubnetId: string }) => o.SubnetId)).toEqual(['subnet-a', 'subnet-b']);
    expect(config.ValidUntil).toEqual(sent === 'request' ? new Date(NOW + 30 * 60_000) : undefined);
    expect(result.providerData.fleetType).toBe(sent);
  });

  it.each(PRICE_TYPES)('ASG, %s', async (priceType) => {
    const { provider } = makeProvider();
    await provider.launch({ requestId: REQUEST_ID, template: templateFor(priceType, 'ASG'), units: 10 });
    const input = inputsOf(asgMock, CreateAutoScalingGroupCommand)[0];
    expect(input).toMatchObject({ DesiredCapacity: 10, DesiredCapacityType: 'units', VPCZoneIdentifier: 'subnet-a,subnet-b' });
    expect(input.MixedInstancesPolicy.InstancesDistribution).toMatchObject({
      OnDemandBaseCapacity: SPLIT[priceType].onDemand,
      OnDemandPercentageAboveBaseCapacity: SPLIT[priceType].spot > 0 ? 0 : 100,
      SpotAllocationStrategy: 'price-capacity-optimized',
      OnDemandAllocationStrategy: 'lowest-price',
    });
  });
});
