import { z } from 'zod';
import type { HostNotice } from '../../../domain/ports/interruption-feed.js';
import { SPOT_NOTICE_SEC } from '../reclaim-finder.js';

const ENDING_STATES = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/** The EventBridge envelope every event shares; `detail` is read per event type. */
const eventSchema = z.object({
  source: z.string(),
  'detail-type': z.string(),
  time: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).default({}),
});

type EventBridgeEvent = z.infer<typeof eventSchema>;

/** What one queue message says: notices for hosts, or why it carries none. */
export type ReadEvent = { notices: HostNotice[] } | { ignored: string };

export interface EventReadingOptions {
  /** Seconds a rebalance recommendation is reported with; undefined: not reported. */
  rebalanceGraceSec?: number;
  /** epoch ms, for events whose time is missing or unreadable */
  now: number;
}

/**
 * Reads one EventBridge event, as an SQS target receives it (the event is the message body), into
 * notices: the four event types of docs/aws.md ("Interruption queue"); anything else is ignored.
 */
export function readInterruptionEvent(body: string, options: EventReadingOptions): ReadEvent {
  let event: EventBridgeEvent;
  try {
    const parsed = eventSchema.safeParse(JSON.parse(body));
    if (!parsed.success) return { ignored: 'not an EventBridge event' };
    event = parsed.data;
  } catch {
    return { ignored: 'not JSON' };
  }
  const time = timeOf(event.time, options.now);
  const kind = `${event.source} ${event['detail-type']}`;
  switch (kind) {
    case 'aws.ec2 EC2 Spot Instance Interruption Warning':
      return spotWarning(event, time);
    case 'aws.ec2 EC2 Instance Rebalance Recommendation':
      return rebalance(event, time, options.rebalanceGraceSec);
    case 'aws.ec2 EC2 Instance State-change Notification':
      return stateChange(event, time);
    case 'aws.health AWS Health Event':
      return scheduledChange(event, time);
    default:
      return { ignored: `event type ${kind} is not read` };
  }
}

/**
 * EC2 User Guide, "Spot Instance interruption notices": the warning comes two minutes before EC2
 * stops or terminates the instance, except for hibernation, which begins at once.
 */
function spotWarning(event: EventBridgeEvent, time: number): ReadEvent {
  const instanceId = instanceIdOf(event);
  if (!instanceId) return { ignored: 'spot interruption warning without an instance-id' };
  const action = typeof event.detail['instance-action'] === 'string' ? event.detail['instance-action'] : 'terminate';
  const deadline = action === 'hibernate' ? time : time + SPOT_NOTICE_SEC * 1000;
  return { notices: [{ machineId: instanceId, deadline, reason: `spot interruption warning (${action})` }] };
}

/** EC2 User Guide, "EC2 instance rebalance recommendations": a signal of elevated risk, with no deadline of its own. */
function rebalance(event: EventBridgeEvent, time: number, graceSec: number | undefined): ReadEvent {
  if (graceSec === undefined) return { ignored: 'rebalance recommendations are not reported (AWS_REBALANCE_GRACE_SEC unset)' };
  const instanceId = instanceIdOf(event);
  if (!instanceId) return { ignored: 'rebalance recommendation without an instance-id' };
  return { notices: [{ machineId: instanceId, deadline: time + graceSec * 1000, reason: 'EC2 rebalance recommendation' }] };
}

/** EC2 User Guide, "State change events for Amazon EC2 instances": only the states of a host going away count. */
function stateChange(event: EventBridgeEvent, time: number): ReadEvent {
  const instanceId = instanceIdOf(event);
  const state = event.detail.state;
  if (!instanceId || typeof state !== 'string') return { ignored: 'state-change event without instance-id or state' };
  if (!ENDING_STATES.has(state)) return { ignored: `instance ${state}` };
  return { notices: [{ machineId: instanceId, deadline: time, reason: `instance ${state} (EC2 state-change event)` }] };
}

const healthDetailSchema = z.object({
  service: z.string(),
  eventTypeCategory: z.string(),
  eventTypeCode: z.string().optional(),
  startTime: z.string().optional(),
  affectedEntities: z.array(z.object({ entityValue: z.string().optional() })).default([]),
});

/**
 * AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge schema": EC2
 * `scheduledChange` events (retirement, stop, reboot maintenance) name the instances in
 * `affectedEntities` and the change's start in `startTime`.
 */
function scheduledChange(event: EventBridgeEvent, time: number): ReadEvent {
  const parsed = healthDetailSchema.safeParse(event.detail);
  if (!parsed.success) return { ignored: 'AWS Health event without service or category' };
  const detail = parsed.data;
  if (detail.service !== 'EC2' || detail.eventTypeCategory !== 'scheduledChange') return { ignored: `AWS Health ${detail.service} ${detail.eventTypeCategory}` };
  const deadline = timeOf(detail.startTime, time);
  const reason = `scheduled change ${detail.eventTypeCode ?? ''}`.trim();
  const instanceIds = detail.affectedEntities.flatMap((entity) => (entity.entityValue?.startsWith('i-') ? [entity.entityValue] : []));
  if (instanceIds.length === 0) return { ignored: 'AWS Health event names no instance' };
  return { notices: instanceIds.map((machineId) => ({ machineId, deadline, reason })) };
}

function instanceIdOf(event: EventBridgeEvent): string | undefined {
  const id = event.detail['instance-id'];
  return typeof id === 'string' && id.startsWith('i-') ? id : undefined;
}

function timeOf(text: string | undefined, fallback: number): number {
  const parsed = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(parsed) ? fallback : parsed;
}
