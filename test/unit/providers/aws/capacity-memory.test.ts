import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateFleetCommand, DescribeLaunchTemplatesCommand, DescribeSubnetsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetAvailableTemplates } from '../../../../src/application/get-available-templates.js';
import { RequestMachines } from '../../../../src/application/request-machines.js';
import { LaunchFailedError } from '../../../../src/domain/errors.js';
import type { Offering } from '../../../../src/domain/offering.js';
import { CapacityMemory } from '../../../../src/domain/ports/capacity-memory.js';
import { CloudProvider } from '../../../../src/domain/ports/cloud-provider.js';
import { createInMemoryStore } from '../../../support/in-memory-store.js';
import { anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';
import { useCaseContainer } from '../../../support/test-container.js';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';

const ZONES: Record<string, string> = { 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b' };
const TWO_SUBNETS = anAwsTemplate({ subnetIds: ['subnet-a', 'subnet-b'] });
const M5_1A_ONDEMAND: Offering = { instanceType: 'm5.large', zone: 'us-east-1a', market: 'ondemand' };
const ICE = () => awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient m5.large capacity in the Availability Zone you requested.');

const runCalls = () => inputsOf(ec2Mock, RunInstancesCommand).map((input) => [input.SubnetId, input.ClientToken]);

describe('capacity memory on AWS', () => {
  let workDir: string;

  beforeEach(() => {
    resetMocks();
    workDir = mkdtempSync(join(tmpdir(), 'aws-capacity-'));
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds: string[] }) => ({
      Subnets: input.SubnetIds.map((id) => ({ SubnetId: id, AvailabilityZone: ZONES[id], AvailableIpAddressCount: 100 })),
    }));
    ec2Mock.on(RunInstancesCommand).callsFake((input: { MaxCount: number; InstanceType: string }) => ({
      ReservationId: 'r-1',
      Instances: Array.from({ length: input.MaxCount }, () => instance({ InstanceType: input.InstanceType as never })),
    }));
  });

  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  describe('RunInstances', () => {
    it('tries a remembered pool last, keeping each pool its own ClientToken', async () => {
      const { provider } = makeProvider({}, { workDir });

      await provider.launch({ requestId: REQUEST_ID, template: TWO_SUBNETS, units: 2, unavailable: [M5_1A_ONDEMAND] });

      expect(runCalls()).toEqual([['subnet-b', `${REQUEST_ID}-1`]]);
    });

    it('still launches in the remembered pool when the others have no capacity, and reports the pool that failed', async () => {
      ec2Mock.on(RunInstancesCommand, { SubnetId: 'subnet-b' }).rejects(ICE());
      const { provider } = makeProvider({}, { workDir });

      const result = await provider.launch({ requestId: REQUEST_ID, template: TWO_SUBNETS, units: 2, unavailable: [M5_1A_ONDEMAND] });

      expect(runCalls()).toEqual([
        ['subnet-b', `${REQUEST_ID}-1`],
        ['subnet-a', `${REQUEST_ID}-0`],
      ]);
      expect(result.machines).toHaveLength(2);
      expect(result.unavailableOfferings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1b', market: 'ondemand' }]);
    });

    it('reports only pool capacity errors, not quotas, and throws them with the error when nothing launched', async () => {
      ec2Mock.on(RunInstancesCommand, { SubnetId: 'subnet-a' }).rejects(ICE()).on(RunInstancesCommand, { SubnetId: 'subnet-b' }).rejects(awsError('VcpuLimitExceeded', 'You have requested more vCPU capacity than your current vCPU limit'));
      const { provider } = makeProvider({}, { workDir });

      const error = await provider.launch({ requestId: REQUEST_ID, template: TWO_SUBNETS, units: 2 }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(LaunchFailedError);
      expect(error).toMatchObject({ code: 'INSUFFICIENT_CAPACITY', unavailableOfferings: [M5_1A_ONDEMAND] });
    });

    it('reports the pools a relaunch (a launch whose answer was lost) found out of capacity in its request report', async () => {
      ec2Mock.on(RunInstancesCommand, { SubnetId: 'subnet-a' }).rejects(ICE());
      const { provider } = makeProvider({}, { workDir });
      const lost = { request: anAwsRequest({}, { createdAt: NOW - 60_000, machineCount: 1 }), template: TWO_SUBNETS, machines: [] };

      const report = (await provider.describeRequests([lost])).get(REQUEST_ID);

      expect(report).toMatchObject({ final: false, unavailableOfferings: [M5_1A_ONDEMAND] });
    });

    it('a relaunch tries the pools the memory holds last, reading it only when it launches', async () => {
      const { provider } = makeProvider({}, { workDir });
      const lost = { request: anAwsRequest({}, { createdAt: NOW - 60_000, machineCount: 1 }), template: TWO_SUBNETS, machines: [] };
      let reads = 0;

      await provider.describeRequests([lost], async () => {
        reads += 1;
        return [M5_1A_ONDEMAND];
      });

      expect(runCalls()).toEqual([['subnet-b', `${REQUEST_ID}-1`]]);
      expect(reads).toBe(1);
    });

    it('asks for no subnet zones when nothing of the template is remembered', async () => {
      const { provider } = makeProvider({}, { workDir });

      await provider.launch({ requestId: REQUEST_ID, template: TWO_SUBNETS, units: 2, unavailable: [{ ...M5_1A_ONDEMAND, instanceType: 'c5.large' }] });

      expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
      expect(runCalls()).toEqual([['subnet-a', `${REQUEST_ID}-0`]]);
    });
  });

  describe('EC2 Fleet', () => {
    const spotFleet = anAwsTemplate({ priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'instant', subnetIds: ['subnet-a', 'subnet-b'] });
    const overrideSubnets = () => inputsOf(ec2Mock, CreateFleetCommand)[0].LaunchTemplateConfigs[0].Overrides.map((entry: { SubnetId: string }) => entry.SubnetId);

    beforeEach(() => {
      ec2Mock.on(CreateFleetCommand).resolves({
        FleetId: 'fleet-1',
        Instances: [{ InstanceIds: ['i-1'], InstanceType: 'm5.large', Lifecycle: 'spot' }],
        Errors: [
          {
            LaunchTemplateAndOverrides: { Overrides: { InstanceType: 'm5.large', SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' } },
            Lifecycle: 'spot',
            ErrorCode: 'InsufficientInstanceCapacity',
            ErrorMessage: 'There is no Spot capacity available that matches your request.',
          },
        ],
      });
    });

    it('reports the pools an instant fleet answered "insufficient capacity" for', async () => {
      const { provider } = makeProvider({}, { workDir });

      const result = await provider.launch({ requestId: REQUEST_ID, template: spotFleet, units: 2 });

      expect(result.unavailableOfferings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' }]);
    });

    it('leaves the overrides of remembered pools out while others remain, and sends them all when every pool is remembered', async () => {
      const { provider } = makeProvider({}, { workDir });
      const spot = (zone: string): Offering => ({ instanceType: 'm5.large', zone, market: 'spot' });

      await provider.launch({ requestId: REQUEST_ID, template: spotFleet, units: 2, unavailable: [spot('us-east-1a')] });
      expect(overrideSubnets()).toEqual(['subnet-b']);

      ec2Mock.resetHistory();
      await provider.launch({ requestId: `${REQUEST_ID}-2`, template: spotFleet, units: 2, unavailable: [spot('us-east-1a'), spot('us-east-1b')] });
      expect(overrideSubnets()).toEqual(['subnet-a', 'subnet-b']);
    });
  });

  describe('through the use cases, with the memory in the store', () => {
    async function world() {
      const template = anAwsTemplate({ templateId: 'Tpl-1', subnetIds: ['subnet-a', 'subnet-b'] });
      const { container, clock } = await useCaseContainer([template]);
      const store = createInMemoryStore({ clock });
      container.rebind(CapacityMemory).toConstantValue(store.capacity);
      container.rebind(CloudProvider).toConstantValue(makeProvider({}, { workDir }).provider);
      return { container, clock, store };
    }

    it('a second request after a capacity failure calls the exhausted pool last until the TTL has passed', async () => {
      let subnetAFull = true;
      ec2Mock.on(RunInstancesCommand).callsFake((input: { MaxCount: number; SubnetId: string }) => {
        if (input.SubnetId === 'subnet-a' && subnetAFull) throw ICE();
        return { ReservationId: 'r-1', Instances: Array.from({ length: input.MaxCount }, () => instance()) };
      });
      const { container, clock, store } = await world();
      const requestMachines = container.get(RequestMachines);

      const first = await requestMachines.execute('Tpl-1', 1);
      expect(runCalls()).toEqual([
        ['subnet-a', `${first.requestId}-0`],
        ['subnet-b', `${first.requestId}-1`],
      ]);
      expect(await store.capacity.unavailable(clock.now())).toEqual([{ ...M5_1A_ONDEMAND, until: clock.now() + 180_000 }]);

      ec2Mock.resetHistory();
      subnetAFull = false; // room again in us-east-1a: a call there would now launch
      clock.time += 179_999;
      const second = await requestMachines.execute('Tpl-1', 1);
      expect(runCalls(), 'us-east-1a is remembered: subnet-b first').toEqual([['subnet-b', `${second.requestId}-1`]]);

      ec2Mock.resetHistory();
      clock.time += 1;
      const third = await requestMachines.execute('Tpl-1', 1);
      expect(runCalls(), 'the TTL has passed: subnet-a first again').toEqual([['subnet-a', `${third.requestId}-0`]]);
    });

    it('getAvailableTemplates offers 0 of a template whose every pool is remembered, from the subnet cache alone', async () => {
      ec2Mock.on(RunInstancesCommand).rejects(ICE());
      const { container } = await world();
      await expect(container.get(RequestMachines).execute('Tpl-1', 1)).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });
      ec2Mock.resetHistory();

      const [listed] = (await container.get(GetAvailableTemplates).execute()).templates;

      expect(listed.availableNumber).toBe(0);
      expect(ec2Mock.calls(), 'no AWS call').toHaveLength(0);
    });
  });
});
