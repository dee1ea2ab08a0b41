import { describe, expect, it } from 'vitest';
import { readInterruptionEvent } from '../../../../src/providers/aws/interruption/interruption-events.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const AT = '2026-11-29T11:59:30Z';
const at = Date.parse(AT);

const event = (source: string, detailType: string, detail: Record<string, unknown>, time: string | undefined = AT) =>
  JSON.stringify({ version: '0', id: 'e1', 'detail-type': detailType, source, account: '123456789012', time, region: 'us-east-1', resources: [], detail });
const read = (body: string, rebalanceGraceSec?: number) => readInterruptionEvent(body, { now: NOW, rebalanceGraceSec });

describe('readInterruptionEvent', () => {
  it('a spot interruption warning ends two minutes after the event, a hibernation at once', () => {
    expect(read(event('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-0abc', 'instance-action': 'terminate' }))).toEqual({
      notices: [{ machineId: 'i-0abc', deadline: at + 120_000, reason: 'spot interruption warning (terminate)' }],
    });
    expect(read(event('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-0abc', 'instance-action': 'hibernate' }))).toEqual({
      notices: [{ machineId: 'i-0abc', deadline: at, reason: 'spot interruption warning (hibernate)' }],
    });
  });

  it('a rebalance recommendation is reported only with AWS_REBALANCE_GRACE_SEC, that long after the event', () => {
    const body = event('aws.ec2', 'EC2 Instance Rebalance Recommendation', { 'instance-id': 'i-0abc' });
    expect(read(body)).toEqual({ ignored: expect.stringContaining('AWS_REBALANCE_GRACE_SEC') });
    expect(read(body, 600)).toEqual({ notices: [{ machineId: 'i-0abc', deadline: at + 600_000, reason: 'EC2 rebalance recommendation' }] });
  });

  it('a state change counts only when the host is going away', () => {
    expect(read(event('aws.ec2', 'EC2 Instance State-change Notification', { 'instance-id': 'i-0abc', state: 'shutting-down' }))).toEqual({
      notices: [{ machineId: 'i-0abc', deadline: at, reason: 'instance shutting-down (EC2 state-change event)' }],
    });
    expect(read(event('aws.ec2', 'EC2 Instance State-change Notification', { 'instance-id': 'i-0abc', state: 'running' }))).toEqual({ ignored: 'instance running' });
  });

  it('an EC2 scheduled change names every affected instance, with the change start as deadline', () => {
    const detail = {
      service: 'EC2',
      eventTypeCategory: 'scheduledChange',
      eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      startTime: 'Sat, 05 Dec 2026 15:10:09 GMT',
      affectedEntities: [{ entityValue: 'i-0abc' }, { entityValue: 'i-0def' }, { entityValue: 'vol-0123' }],
    };
    const start = Date.parse('2026-12-05T15:10:09Z');
    expect(read(event('aws.health', 'AWS Health Event', detail))).toEqual({
      notices: [
        { machineId: 'i-0abc', deadline: start, reason: 'scheduled change AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED' },
        { machineId: 'i-0def', deadline: start, reason: 'scheduled change AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED' },
      ],
    });
    expect(read(event('aws.health', 'AWS Health Event', { ...detail, eventTypeCategory: 'issue' }))).toEqual({ ignored: 'AWS Health EC2 issue' });
    expect(read(event('aws.health', 'AWS Health Event', { ...detail, service: 'RDS' }))).toEqual({ ignored: 'AWS Health RDS scheduledChange' });
  });

  it('an event without a readable time counts from now', () => {
    expect(read(event('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-0abc' }, 'yesterday'))).toEqual({
      notices: [{ machineId: 'i-0abc', deadline: NOW + 120_000, reason: 'spot interruption warning (terminate)' }],
    });
  });

  it('anything else is ignored with the reason, never thrown', () => {
    expect(read('{not json')).toEqual({ ignored: 'not JSON' });
    expect(read('{"hello":"world"}')).toEqual({ ignored: 'not an EventBridge event' });
    expect(read(event('aws.ec2', 'EC2 Spot Instance Request Fulfillment', { 'instance-id': 'i-0abc' }))).toEqual({ ignored: 'event type aws.ec2 EC2 Spot Instance Request Fulfillment is not read' });
    expect(read(event('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': 42 }))).toEqual({ ignored: 'spot interruption warning without an instance-id' });
  });
});
