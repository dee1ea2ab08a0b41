import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetRequestStatus } from '../../../../src/application/get-request-status.js';
import { RequestMachines } from '../../../../src/application/request-machines.js';
import { CloudProvider, type TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { useCaseContainer } from '../../../support/test-container.js';
import { awsError, ec2Mock, inputsOf, instance, makeProvider, NOW, REQUEST_ID, resetMocks } from './aws-test-kit.js';
import { aTemplate, anAwsRequest, anAwsTemplate } from '../../../support/mothers.js';

/** A request whose launch answer was lost: running, with no AWS provider data. */
const unconfirmed = (ageMs: number, fields: Partial<TrackedRequest> = {}): TrackedRequest => ({
  request: anAwsRequest({}, { createdAt: NOW - ageMs, machineCount: 1, message: 'launch not confirmed yet (ec2:RunInstances failed on the AWS side)' }),
  template: anAwsTemplate(),
  machines: [],
  ...fields,
});

describe('describeRequests launching again a request whose launch was not confirmed', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
  });

  it('launches it again with the same request id, so the same ClientToken, and reports what AWS answers', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ ReservationId: 'r-1', Instances: [instance({ id: 'i-1', state: 'pending' })] });
    const { provider } = makeProvider();
    const report = (await provider.describeRequests([unconfirmed(60_000)])).get(REQUEST_ID)!;
    expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => input.ClientToken)).toEqual([`${REQUEST_ID}-0`]);
    expect(report).toMatchObject({ final: false, machines: [expect.objectContaining({ machineId: 'i-1', status: 'pending' })] });
    expect(report.providerData).toMatchObject({ api: 'RunInstances', instanceIds: ['i-1'], reservationIds: ['r-1'] });
  });

  it('keeps the request running, saying why, when the launch fails again with a retryable error', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    const { provider } = makeProvider();
    const report = (await provider.describeRequests([unconfirmed(60_000)])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: false, machines: [], message: expect.stringMatching(/^launch not confirmed \(.*RequestLimitExceeded.*\); retried next poll$/) });
    expect(report.providerData).toBeUndefined();
  });

  it('ends the request with the reason when the launch fails for good', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InvalidParameterValue', 'Value (t9.huge) for parameter instanceType is invalid'));
    const { provider } = makeProvider();
    const report = (await provider.describeRequests([unconfirmed(60_000)])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: true, machines: [], message: expect.stringContaining('InvalidParameterValue') });
  });

  it('gives up, without calling AWS, once the request is older than AWS_INSTANCE_PENDING_TIMEOUT_SEC', async () => {
    const { provider } = makeProvider();
    const report = (await provider.describeRequests([unconfirmed(181_000)])).get(REQUEST_ID)!;
    expect(report).toEqual({ machines: [], final: true, message: 'launch never confirmed by AWS: launch not confirmed yet (ec2:RunInstances failed on the AWS side)' });
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('gives up when the template is gone', async () => {
    const { provider } = makeProvider();
    const report = (await provider.describeRequests([unconfirmed(60_000, { template: undefined })])).get(REQUEST_ID)!;
    expect(report).toMatchObject({ final: true, message: 'template Tpl-1 no longer exists; the launch was not confirmed' });
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('requestMachines then getRequestStatus when the launch answer is lost', () => {
  beforeEach(() => {
    resetMocks();
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-ours' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance({ id: 'i-1', state: 'pending' })] }] });
  });

  /** The use cases over an in-memory store, with the AWS provider on the mocked SDK; one clock for both. */
  async function setup() {
    const kit = makeProvider();
    const world = await useCaseContainer([aTemplate({ imageId: 'ami-0123456789abcdef0', subnetIds: ['subnet-a'] })]);
    world.clock.time = kit.clock.time;
    world.container.rebind(CloudProvider).toConstantValue(kit.provider);
    const advance = (seconds: number) => {
      world.clock.time += seconds * 1000;
      kit.clock.time += seconds * 1000;
    };
    return { ...world, advance };
  }

  it('keeps the request running, then launches it on the next poll with the same ClientToken', async () => {
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(awsError('InternalError', 'An internal error has occurred'))
      .resolves({ ReservationId: 'r-1', Instances: [instance({ id: 'i-1', state: 'pending' })] });
    const { container, store, advance } = await setup();
    const { requestId, message } = await container.get(RequestMachines).execute('Small', 1);
    expect(message).toMatch(/^launch not confirmed yet \(.*InternalError.*\); retried on the next status poll$/);
    expect(await store.requests.get(requestId)).toMatchObject({ status: 'running', providerData: {} });

    advance(30);
    const [view] = await container.get(GetRequestStatus).execute([requestId]);
    expect(inputsOf(ec2Mock, RunInstancesCommand).map((input) => input.ClientToken)).toEqual([`${requestId}-0`, `${requestId}-0`]);
    expect(view).toMatchObject({ status: 'running', machines: [expect.objectContaining({ machineId: 'i-1' })] });
    expect((await store.requests.get(requestId))?.providerData).toMatchObject({ api: 'RunInstances', instanceIds: ['i-1'] });
  });

  it('ends the request once the launch stays unconfirmed past the pending timeout', async () => {
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InternalError', 'An internal error has occurred'));
    const { container, advance } = await setup();
    const { requestId } = await container.get(RequestMachines).execute('Small', 1);
    advance(181);
    const [view] = await container.get(GetRequestStatus).execute([requestId]);
    expect(view.status).toBe('complete_with_error');
    expect(view.message).toContain('launch never confirmed by AWS');
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });
});
