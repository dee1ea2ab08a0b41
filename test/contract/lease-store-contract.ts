import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LeaseOptions, ResourceLease } from '../../src/domain/ports/resource-lease.js';
import { rejectionOf, type ManualClock, type RepositoryStore } from './store-fixtures.js';

const FLEET = 'ec2-fleet:fleet-0abc';
/** One attempt, no waiting: the lease is free now or the call fails. */
const AT_ONCE: LeaseOptions = { waitMs: 0 };

/** A holder inside `withLease` until `leave()`; like a process that is slow, hung or dead. */
async function holding(leases: ResourceLease, resource: string, options?: LeaseOptions) {
  let leave!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const done = leases.withLease(resource, () => {
    entered();
    return new Promise<void>((resolve) => (leave = resolve));
  }, options);
  await Promise.race([inside, done]);
  return {
    leave: async () => {
      leave();
      await done;
    },
  };
}

/** Whether someone else can have the lease on `resource` right now (taking and releasing it). */
async function isFree(leases: ResourceLease, resource: string): Promise<boolean> {
  try {
    return await leases.withLease(resource, async () => true, AT_ONCE);
  } catch (error) {
    if ((error as { code?: string }).code === 'STORAGE_CONFLICT') return false;
    throw error;
  }
}

/** The ResourceLease half of the store contract; `store()` is a fresh store per test on `clock()`. */
export function describeLeaseStoreContract(store: () => RepositoryStore, clock: () => ManualClock): void {
  describe('resource leases', () => {
    it('never lets two holders of one resource overlap, so no read-modify-write is lost', async () => {
      const events: string[] = [];
      let targetCapacity = 10;
      const returnOneHost = (name: string) =>
        store().leases.withLease(FLEET, async () => {
          events.push(`enter ${name}`);
          const read = targetCapacity;
          await sleep(20); // the cloud call between reading and writing the target
          targetCapacity = read - 1;
          events.push(`exit ${name}`);
        });

      await Promise.all(['a', 'b', 'c', 'd'].map(returnOneHost));

      expect(targetCapacity).toBe(6);
      const pairs = Array.from({ length: events.length / 2 }, (_, i) => events.slice(2 * i, 2 * i + 2));
      expect(pairs).toEqual(pairs.map(([enter]) => [enter, enter.replace('enter', 'exit')]));
    });

    it('does not make holders of different resources wait for each other', async () => {
      const first = await holding(store().leases, 'ec2-fleet:fleet-1');

      expect(await store().leases.withLease('ec2-fleet:fleet-2', async () => 'second', AT_ONCE)).toBe('second');
      expect(await store().leases.withLease('spot-fleet:sfr-1', async () => 'third', AT_ONCE)).toBe('third');

      await first.leave();
    });

    it('takes over a lease whose holder died once its ttl (30 s by default) has passed', async () => {
      const dead = await holding(store().leases, FLEET);

      clock().advance(30_000);
      expect(await isFree(store().leases, FLEET)).toBe(false);
      clock().advance(1);
      expect(await store().leases.withLease(FLEET, async () => 'taken over', AT_ONCE)).toBe('taken over');

      await dead.leave();
    });

    it('honours a shorter ttl', async () => {
      const dead = await holding(store().leases, FLEET, { ttlMs: 1_000 });

      clock().advance(1_001);

      expect(await isFree(store().leases, FLEET)).toBe(true);
      await dead.leave();
    });

    it('ignores the release of a holder whose lease was taken over', async () => {
      const late = await holding(store().leases, FLEET, { ttlMs: 1_000 });
      clock().advance(1_001);
      const current = await holding(store().leases, FLEET, AT_ONCE);

      await late.leave();

      expect(await isFree(store().leases, FLEET)).toBe(false);
      await current.leave();
      expect(await isFree(store().leases, FLEET)).toBe(true);
    });

    it('releases the lease when the work throws, and passes the error on', async () => {
      const failure = new Error('ModifyFleet failed');

      await expect(store().leases.withLease(FLEET, async () => Promise.reject(failure))).rejects.toBe(failure);

      expect(await isFree(store().leases, FLEET)).toBe(true);
    });

    it('gives up after waitMs with a retryable STORAGE_CONFLICT naming the resource, and changes nothing', async () => {
      const holder = await holding(store().leases, FLEET);
      let ran = false;

      const error = await rejectionOf(
        store().leases.withLease(FLEET, async () => {
          ran = true;
        }, { waitMs: 150 }),
      );

      expect(error).toMatchObject({ code: 'STORAGE_CONFLICT', retryable: true, message: expect.stringContaining(FLEET) });
      expect(ran).toBe(false);
      expect(await isFree(store().leases, FLEET)).toBe(false);
      await holder.leave();
      expect(await isFree(store().leases, FLEET)).toBe(true);
    });
  });
}
