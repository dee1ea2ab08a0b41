import { describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { holdLease, type LeaseRecords } from '../../../src/infrastructure/storage/hold-lease.js';

const clock = { now: () => 1_000 };

/** LeaseRecords whose every tryAcquire answers the next of `answers` (true, false, or an error to throw). */
function scriptedRecords(answers: Array<boolean | Error>, release: () => Promise<void> = async () => undefined) {
  const attempts: Array<{ holder: string; now: number; expiresAt: number }> = [];
  const records: LeaseRecords = {
    async tryAcquire(_resource, holder, now, expiresAt) {
      attempts.push({ holder, now, expiresAt });
      const answer = answers.shift() ?? false;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    release,
  };
  return { records, attempts };
}

describe('holdLease, the waiting loop every store shares', () => {
  it('keeps polling while the store is busy with another process, with one holder token and expiry from the clock', async () => {
    const busy = new HostFactoryError('STORAGE_CONFLICT', 'database is locked', { retryable: true });
    const { records, attempts } = scriptedRecords([busy, false, true]);

    expect(await holdLease(records, clock, 'ec2-fleet:fleet-1', async () => 'done', { ttlMs: 500 })).toBe('done');

    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.holder)).size).toBe(1);
    expect(attempts[0]).toMatchObject({ now: 1_000, expiresAt: 1_500 });
  });

  it('gives up at once on a store error that is not contention, without running the work', async () => {
    const broken = new HostFactoryError('CONFIG_INVALID', 'table missing; run `hostfactory store init`');
    const { records } = scriptedRecords([broken]);
    let ran = false;

    await expect(holdLease(records, clock, 'ec2-fleet:fleet-1', async () => (ran = true))).rejects.toBe(broken);
    expect(ran).toBe(false);
  });

  it('does not let a failed release hide what the work returned', async () => {
    const { records } = scriptedRecords([true], async () => Promise.reject(new Error('connection lost')));

    expect(await holdLease(records, clock, 'ec2-fleet:fleet-1', async () => 'capacity changed')).toBe('capacity changed');
  });
});
