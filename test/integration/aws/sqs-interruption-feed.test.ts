import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostNotice } from '../../../src/domain/ports/interruption-feed.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { SqsInterruptionFeed } from '../../../src/providers/aws/interruption/sqs-interruption-feed.js';
import { SteppingClock } from '../../support/aws-fake-endpoint.js';
import type { FakeSqsQueue } from '../../support/fake-aws/sqs-queue.js';
import { FakeEc2Server } from '../../support/fake-ec2-server.js';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

const spotWarning = (instanceId: string, time: string) =>
  JSON.stringify({ version: '0', id: `e-${instanceId}`, 'detail-type': 'EC2 Spot Instance Interruption Warning', source: 'aws.ec2', time, detail: { 'instance-id': instanceId, 'instance-action': 'terminate' } });

describe('the SQS interruption feed against the fake endpoint', () => {
  let server: FakeEc2Server;
  let clock: SteppingClock;
  let queue: FakeSqsQueue;
  let dir: string;
  let endpointUrl: string;

  const feed = (config: Record<string, unknown> = {}) => {
    const settings = {
      config: parseAwsConfig(
        { AWS_REGION: 'us-east-1', AWS_CREDENTIAL_FILE: join(dir, 'credentials'), AWS_REQUEST_RETRY_ATTEMPTS: 0, AWS_INTERRUPTION_QUEUE_URL: queue.url, ...config },
        join(dir, 'awsprov_config.json'),
      ),
      providerName: 'awsinst',
      workDir: dir,
    };
    return new SqsInterruptionFeed(settings, new AwsClients(settings), clock, quietLogger);
  };
  const recorder = () => {
    const recorded: HostNotice[][] = [];
    return { recorded, record: async (notices: readonly HostNotice[]) => void recorded.push([...notices]) };
  };

  beforeEach(async () => {
    clock = new SteppingClock();
    server = new FakeEc2Server(() => clock.now());
    endpointUrl = await server.start();
    queue = server.createInterruptionQueue();
    dir = mkdtempSync(join(tmpdir(), 'hf-sqs-feed-'));
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\n');
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains the queue ten messages a call, deleting each batch once recorded (the SDK reaches the queue by its URL alone)', async () => {
    const time = new Date(clock.now()).toISOString();
    for (let index = 0; index < 25; index += 1) queue.send(spotWarning(`i-${String(index).padStart(17, '0')}`, time));
    const { recorded, record } = recorder();

    expect(await feed().drain(record)).toBe(25);

    expect(recorded.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(recorded[0][0]).toEqual({ machineId: 'i-00000000000000000', deadline: Date.parse(time) + 120_000, reason: 'spot interruption warning (terminate)' });
    expect(queue.depth).toBe(0);
    expect(server.actions()).toEqual(['ReceiveMessage', 'DeleteMessageBatch', 'ReceiveMessage', 'DeleteMessageBatch', 'ReceiveMessage', 'DeleteMessageBatch', 'ReceiveMessage']);
    expect(endpointUrl && queue.url.startsWith(endpointUrl)).toBe(true);
  });

  it('an empty queue costs one call', async () => {
    const { recorded, record } = recorder();
    expect(await feed().drain(record)).toBe(0);
    expect(recorded).toEqual([]);
    expect(server.actions()).toEqual(['ReceiveMessage']);
  });

  it('leaves a batch in the queue when recording it fails; it comes back after the visibility timeout', async () => {
    queue.send(spotWarning('i-0aaaaaaaaaaaaaaa1', new Date(clock.now()).toISOString()));
    const failing = async () => {
      throw new Error('store unreachable');
    };
    await expect(feed().drain(failing)).rejects.toThrow('store unreachable');
    expect(server.callsOf('DeleteMessageBatch')).toEqual([]);
    expect(queue.depth).toBe(1);

    const { recorded, record } = recorder();
    expect(await feed().drain(record)).toBe(0);
    clock.advance(31);
    expect(await feed().drain(record)).toBe(1);
    expect(recorded.flat().map((notice) => notice.machineId)).toEqual(['i-0aaaaaaaaaaaaaaa1']);
    expect(queue.depth).toBe(0);
  });

  it('a failed delete keeps the message, which is recorded again later (recording is idempotent)', async () => {
    queue.send(spotWarning('i-0bbbbbbbbbbbbbbb1', new Date(clock.now()).toISOString()));
    server.failNext('DeleteMessageBatch', { code: 'InternalError', status: 500 });
    const { recorded, record } = recorder();
    await expect(feed().drain(record)).rejects.toThrow();
    expect(recorded.flat().map((notice) => notice.machineId)).toEqual(['i-0bbbbbbbbbbbbbbb1']);
    expect(queue.depth).toBe(1);

    clock.advance(31);
    expect(await feed().drain(record)).toBe(1);
    expect(queue.depth).toBe(0);
  });

  it('deletes messages that carry no notice (other events, malformed bodies) so they never block the queue', async () => {
    queue.send('{not json');
    queue.send(JSON.stringify({ version: '0', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', time: '2026-11-22T10:00:00Z', detail: { 'instance-id': 'i-0ccc', state: 'running' } }));
    server.recommendRebalance('i-0ddddddddddddddd1');
    const { recorded, record } = recorder();

    expect(await feed().drain(record)).toBe(0);
    expect(queue.depth).toBe(0);

    server.recommendRebalance('i-0ddddddddddddddd1');
    expect(await feed({ AWS_REBALANCE_GRACE_SEC: 300 }).drain(record)).toBe(1);
    expect(recorded.flat()).toEqual([{ machineId: 'i-0ddddddddddddddd1', deadline: Math.floor(clock.now() / 1000) * 1000 + 300_000, reason: 'EC2 rebalance recommendation' }]);
  });

  it('reads what the fake cloud emits: a spot interruption, then the host going away, and a scheduled retirement', async () => {
    const [instance] = server.cloud.launch({ instanceType: 'm5.large', count: 1, lifecycle: 'spot', imageId: 'ami-1' });
    clock.advance(10);
    server.tick();
    server.interruptSpot(instance.instanceId);
    server.scheduleChange([instance.instanceId], clock.now() + 3_600_000);
    const { recorded, record } = recorder();
    await feed().drain(record);
    expect(recorded.flat().map((notice) => notice.reason)).toEqual(['spot interruption warning (terminate)', 'scheduled change AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED']);

    clock.advance(130);
    server.tick();
    recorded.length = 0;
    await feed().drain(record);
    expect(recorded.flat().map((notice) => notice.reason)).toEqual(['instance shutting-down (EC2 state-change event)', 'instance terminated (EC2 state-change event)']);
  });
});
