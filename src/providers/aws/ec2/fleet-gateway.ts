import type { FleetType } from '../../../domain/template.js';
import type { HistoryRead } from '../capacity-events.js';

/** An EC2 Fleet or a Spot Fleet request, in the words both APIs share. */
export interface FleetView {
  id: string;
  type: FleetType;
  /** The API's own state name (`active`, `modifying`, `deleted_running`, `cancelled`…). */
  state: string;
  /** Deleted, cancelled or failed: it launches nothing more. */
  ended: boolean;
  /** Its instances can still be listed (live, or ended but keeping its instances). */
  listable: boolean;
  /** A modification is under way: the target shown is still the old one. */
  modifying: boolean;
  /** `error` when AWS cannot launch from it (bad AMI, role, security group). */
  activityStatus?: string;
  total: number;
  onDemand: number;
  fulfilled: number;
}

/** A live fleet as a tag sweep lists it (see FleetGateway.liveTagged). */
export interface TaggedFleet {
  id: string;
  type: FleetType;
  /** epoch ms; undefined when AWS did not say. */
  createdAt?: number;
  /** Target capacity in units. */
  total: number;
  tags: Record<string, string>;
}

/** States of a fleet that is not deleted, cancelled or failed (both APIs spell them alike). */
export const LIVE_FLEET_STATES = ['submitted', 'active', 'modifying'];

export interface FleetInstance {
  instanceId: string;
  instanceType?: string;
  spot: boolean;
}

/** What the shared fleet lifecycle needs from the EC2 Fleet or the Spot Fleet API. */
export interface FleetGateway {
  readonly api: 'EC2Fleet' | 'SpotFleet';
  /** Resource kind for leases and logs (`ec2-fleet`, `spot-fleet`). */
  readonly kind: string;
  /** The fleets among `ids` that AWS knows (unknown ones are left out). */
  describe(ids: readonly string[]): Promise<Map<string, FleetView>>;
  /**
   * Every live fleet (submitted, active, modifying) tagged `tag`=`value`, all pages. Neither
   * DescribeFleets nor DescribeSpotFleetRequests filters on tags: the tag is matched here.
   */
  liveTagged(tag: string, value: string): Promise<TaggedFleet[]>;
  /** Every active instance of a fleet, all pages. */
  instances(id: string): Promise<FleetInstance[]>;
  /** Reasons of the error events in the fleet's history since `since` (epoch ms). */
  errorHistory(id: string, since: number): Promise<string[]>;
  /** The error and information events of the fleet's history since `since` (epoch ms), all pages (see capacity-events.ts). */
  capacityEvents(id: string, since: number): Promise<HistoryRead>;
  /** Sets the target (excess hosts are kept: we terminate the ones we choose). */
  setTarget(id: string, total: number, onDemand: number): Promise<void>;
  /** Deletes (EC2 Fleet) or cancels (Spot Fleet) fleets with their instances; gone ones are fine. */
  remove(ids: readonly string[], terminateInstances: boolean): Promise<void>;
}

type HistoryRecord = { Timestamp?: Date; EventType?: string; EventInformation?: { EventSubType?: string; EventDescription?: string } };

/** History records as capacity events: `<sub-type>: <description>`, at their timestamp. */
export function historyRead(pages: ReadonlyArray<{ HistoryRecords?: HistoryRecord[]; LastEvaluatedTime?: Date }>, keep: (record: HistoryRecord) => boolean): HistoryRead {
  const records = pages.flatMap((page) => page.HistoryRecords ?? []).filter(keep);
  const events = records.map((record) => ({ time: record.Timestamp?.getTime() ?? 0, text: historyReasons([record]).join('') }));
  return { events, until: pages.at(-1)?.LastEvaluatedTime?.getTime() };
}

/** Distinct reasons from fleet history records (`eventSubType: description`). */
export function historyReasons(records: ReadonlyArray<{ EventInformation?: { EventSubType?: string; EventDescription?: string } }>): string[] {
  return records.map((record) => [record.EventInformation?.EventSubType, record.EventInformation?.EventDescription].filter(Boolean).join(': ')).filter(Boolean);
}
