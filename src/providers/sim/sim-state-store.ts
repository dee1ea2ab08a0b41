import type { Knex } from 'knex';
import type { MachinePriceType } from '../../domain/machine.js';
import { chunk } from '../../shared/chunk.js';
import { terminatedAt, type SimInstance, type SimTimings } from './sim-instance.js';

/** A launch the sim recorded for an acquire request (one per request: launches are idempotent). */
export interface SimReservation {
  requestId: string;
  reservationId: string;
  templateId: string;
  unitsRequested: number;
  unitsLaunched: number;
  message: string | null;
  createdAt: number;
}

interface InstanceRow {
  instance_id: string;
  request_id: string;
  reservation_id: string;
  instance_type: string;
  price_type: string;
  weight: number;
  private_ip: string;
  name: string;
  tags: string;
  launched_at: number;
  boot_fails: number;
  notice_at: number | null;
  reclaim_at: number | null;
  released_at: number | null;
  terminated_outside_at: number | null;
  ends_at: number | null;
}

interface ReservationRow {
  request_id: string;
  reservation_id: string;
  template_id: string;
  units_requested: number;
  units_launched: number;
  message: string | null;
  created_at: number;
}

/** SQLite's limit on bound variables is 999 in old builds: stay well under it. */
const CHUNK = 500;
const FIRST_HOST = 4;
const LAST_HOST = 65_534;

function toInstance(row: InstanceRow): SimInstance {
  return {
    instanceId: row.instance_id,
    requestId: row.request_id,
    reservationId: row.reservation_id,
    instanceType: row.instance_type,
    priceType: row.price_type as MachinePriceType,
    weight: Number(row.weight),
    privateIp: row.private_ip,
    name: row.name,
    tags: JSON.parse(row.tags) as Record<string, string>,
    launchedAt: Number(row.launched_at),
    bootFails: Number(row.boot_fails) === 1,
    noticeAt: row.notice_at === null ? null : Number(row.notice_at),
    reclaimAt: row.reclaim_at === null ? null : Number(row.reclaim_at),
    releasedAt: row.released_at === null ? null : Number(row.released_at),
    terminatedOutsideAt: row.terminated_outside_at === null ? null : Number(row.terminated_outside_at),
  };
}

function toRow(instance: SimInstance, timings: SimTimings): InstanceRow {
  return {
    instance_id: instance.instanceId,
    request_id: instance.requestId,
    reservation_id: instance.reservationId,
    instance_type: instance.instanceType,
    price_type: instance.priceType,
    weight: instance.weight,
    private_ip: instance.privateIp,
    name: instance.name,
    tags: JSON.stringify(instance.tags),
    launched_at: instance.launchedAt,
    boot_fails: instance.bootFails ? 1 : 0,
    notice_at: instance.noticeAt,
    reclaim_at: instance.reclaimAt,
    released_at: instance.releasedAt,
    terminated_outside_at: instance.terminatedOutsideAt,
    ends_at: terminatedAt(instance, timings),
  };
}

function toReservation(row: ReservationRow): SimReservation {
  return {
    requestId: row.request_id,
    reservationId: row.reservation_id,
    templateId: row.template_id,
    unitsRequested: Number(row.units_requested),
    unitsLaunched: Number(row.units_launched),
    message: row.message,
    createdAt: Number(row.created_at),
  };
}

/** `10.0.x.y` for host number `n` of 10.0.0.0/16. */
export function ipOfHost(n: number): string {
  return `10.0.${(n >> 8) & 255}.${n & 255}`;
}

/** Queries on the sim's tables; every method runs on the knex or transaction it is given. */
export class SimStateStore {
  constructor(private readonly timings: SimTimings) {}

  async reservations(db: Knex, requestIds: readonly string[]): Promise<SimReservation[]> {
    const found: SimReservation[] = [];
    for (const ids of chunk(requestIds, CHUNK)) {
      const rows = (await db<ReservationRow>('sim_reservations').whereIn('request_id', ids)) as ReservationRow[];
      found.push(...rows.map(toReservation));
    }
    return found;
  }

  async instancesOfRequests(db: Knex, requestIds: readonly string[]): Promise<SimInstance[]> {
    return this.instancesWhere(db, 'request_id', requestIds);
  }

  async instancesById(db: Knex, instanceIds: readonly string[]): Promise<SimInstance[]> {
    return this.instancesWhere(db, 'instance_id', instanceIds);
  }

  async instancesByName(db: Knex, names: readonly string[]): Promise<SimInstance[]> {
    return this.instancesWhere(db, 'name', names);
  }

  /** Instances not yet terminated at `now`. */
  async liveInstances(db: Knex, now: number): Promise<SimInstance[]> {
    const rows = (await db<InstanceRow>('sim_instances')
      .where((query) => query.whereNull('ends_at').orWhere('ends_at', '>', now))
      .orderBy('rowid')) as InstanceRow[];
    return rows.map(toInstance);
  }

  /** Live (not yet terminated at `now`) instances per type, for the capacity limits. */
  async liveCountByType(db: Knex, types: readonly string[], now: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>(types.map((type) => [type, 0]));
    if (types.length === 0) return counts;
    const rows = (await db('sim_instances')
      .select('instance_type')
      .count({ live: '*' })
      .whereIn('instance_type', [...types])
      .andWhere((query) => query.whereNull('ends_at').orWhere('ends_at', '>', now))
      .groupBy('instance_type')) as Array<{ instance_type: string; live: number | string }>;
    for (const row of rows) counts.set(row.instance_type, Number(row.live));
    return counts;
  }

  /**
   * `count` private IPs no instance the sim knows holds, continuing round 10.0.0.0/16 from where
   * the last launch stopped. Returns fewer when the range is full.
   */
  async allocateIps(trx: Knex.Transaction, count: number): Promise<string[]> {
    const meta = (await trx('sim_meta').where({ key: 'next_ip' }).first()) as { value: number } | undefined;
    const span = LAST_HOST - FIRST_HOST + 1;
    let cursor = Math.max(0, Number(meta?.value ?? 0)) % span;
    const ips: string[] = [];
    for (let tried = 0; tried < span && ips.length < count; tried += 1) {
      const ip = ipOfHost(FIRST_HOST + cursor);
      cursor = (cursor + 1) % span;
      const taken = await trx('sim_instances').where({ private_ip: ip }).first('instance_id');
      if (!taken) ips.push(ip);
    }
    await trx('sim_meta').where({ key: 'next_ip' }).update({ value: cursor });
    return ips;
  }

  async insertLaunch(trx: Knex.Transaction, reservation: SimReservation, instances: readonly SimInstance[]): Promise<void> {
    await trx('sim_reservations').insert({
      request_id: reservation.requestId,
      reservation_id: reservation.reservationId,
      template_id: reservation.templateId,
      units_requested: reservation.unitsRequested,
      units_launched: reservation.unitsLaunched,
      message: reservation.message,
      created_at: reservation.createdAt,
    });
    for (const part of chunk(instances, 50)) {
      await trx('sim_instances').insert(part.map((instance) => toRow(instance, this.timings)));
    }
  }

  /** Stores the instance's event times (and the termination time derived from them). */
  async saveEvents(trx: Knex.Transaction, instance: SimInstance): Promise<void> {
    const row = toRow(instance, this.timings);
    await trx('sim_instances').where({ instance_id: instance.instanceId }).update({
      notice_at: row.notice_at,
      reclaim_at: row.reclaim_at,
      released_at: row.released_at,
      terminated_outside_at: row.terminated_outside_at,
      ends_at: row.ends_at,
    });
  }

  /** Forgets instances terminated before `cutoff`, as EC2 forgets them after about an hour. */
  async forgetTerminatedBefore(trx: Knex.Transaction, cutoff: number): Promise<number> {
    return trx('sim_instances').whereNotNull('ends_at').andWhere('ends_at', '<', cutoff).delete();
  }

  private async instancesWhere(db: Knex, column: string, values: readonly string[]): Promise<SimInstance[]> {
    const found: SimInstance[] = [];
    for (const part of chunk([...new Set(values)], CHUNK)) {
      const rows = (await db<InstanceRow>('sim_instances').whereIn(column, part).orderBy('rowid')) as InstanceRow[];
      found.push(...rows.map(toInstance));
    }
    return found;
  }
}
