import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CHILD_TIMEOUT_MS, tracked } from '../../support/child-processes.js';
import { assertSchema, HostFactoryInstance, pollUntilDone, REPO, type Operation } from '../../support/hostfactory-harness.js';
import { describeEachStore, useStore, type StoreUnderTest } from '../../support/store-under-test.js';

const LIFECYCLE: Record<string, number> = { pending: 0, running: 1, stopping: 2, stopped: 3, 'shutting-down': 4, terminated: 5 };

interface Job {
  operation: Operation;
  input: unknown;
}

interface Outcome extends Job {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Starts every job's real script at once, one operation per process, and waits for all. */
function runAtOnce(hf: HostFactoryInstance, jobs: readonly Job[]): Promise<Outcome[]> {
  return Promise.all(
    jobs.map(
      (job, index) =>
        new Promise<Outcome>((resolve) => {
          const file = join(hf.root, `stress-${index}.json`);
          writeFileSync(file, JSON.stringify(job.input));
          const script = join(REPO, 'scripts', `${job.operation}.sh`);
          // 50 processes on a 2-core machine: each gets far more than the harness's 60 s before it is killed.
          const child = execFile(script, ['-f', file], { cwd: hf.root, env: hf.env, timeout: CHILD_TIMEOUT_MS }, (error, stdout, stderr) => {
            let json: unknown;
            try {
              json = JSON.parse(stdout);
            } catch {
              json = undefined;
            }
            resolve({ ...job, exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, json });
          });
          tracked(child);
        }),
    ),
  );
}

async function requestOf(hf: HostFactoryInstance, machineCount: number): Promise<string> {
  const result = await hf.script('requestMachines', { template: { templateId: 'Mixed-Memory', machineCount } });
  expect(result.exitCode, result.stdout).toBe(0);
  return result.json.requestId;
}

async function statusOf(hf: HostFactoryInstance, requestIds: readonly string[]): Promise<any[]> {
  const result = await hf.script('getRequestStatus', { requests: requestIds.map((requestId) => ({ requestId })) });
  expect(result.exitCode, result.stdout).toBe(0);
  assertSchema('getRequestStatus', result.json);
  return result.json.requests;
}

const stores: StoreUnderTest[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.cleanup();
});

await describeEachStore('50 script processes racing on shared requests and machines', (kind) => {
  it('leave every request and machine recorded once, each machine claimed once, no status backwards', { timeout: 600_000 }, async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0 } });
    stores.push(await useStore(kind, hf));

    // Seed: 5 complete requests whose 15 machines are returned in the race, 4 still running ones.
    const complete: string[] = [];
    for (let i = 0; i < 5; i++) complete.push(await requestOf(hf, 3));
    const seeded = (await Promise.all(complete.map((id) => pollUntilDone(hf, id)))).map((done) => done.json.requests[0]);
    expect(seeded.map((r) => r.status)).toEqual(Array(5).fill('complete'));
    const returnable = seeded.flatMap((r) => r.machines.map((m: any) => ({ name: m.name, machineId: m.machineId })));
    expect(returnable).toHaveLength(15);
    const running: string[] = [];
    for (let i = 0; i < 4; i++) running.push(await requestOf(hf, 2));

    // 20 acquires, 16 polls of shared ids, 14 returns of overlapping machine sets (most machines by 2-3 processes).
    const jobs: Job[] = [];
    for (let i = 0; i < 20; i++) jobs.push({ operation: 'requestMachines', input: { template: { templateId: 'Mixed-Memory', machineCount: 1 + (i % 2) } } });
    for (let i = 0; i < 16; i++) {
      const ids = [running[i % 4], running[(i + 1) % 4], complete[i % 5]];
      jobs.push({ operation: 'getRequestStatus', input: { requests: ids.map((requestId) => ({ requestId })) } });
    }
    for (let i = 0; i < 14; i++) {
      const first = (i % 7) * 2;
      const machines = [returnable[first], returnable[first + 1], ...(i % 2 === 1 ? [returnable[(first + 2) % 15]] : [])].filter(Boolean);
      jobs.push({ operation: 'requestReturnMachines', input: { machines } });
    }
    expect(jobs).toHaveLength(50);

    const outcomes = await runAtOnce(hf, jobs.sort(() => Math.random() - 0.5));

    for (const outcome of outcomes) {
      expect(outcome.exitCode, `${outcome.operation}: ${outcome.stdout}${outcome.stderr}`).toBe(0);
      assertSchema(outcome.operation, outcome.json);
    }
    const acquired: string[] = outcomes.filter((o) => o.operation === 'requestMachines').map((o) => o.json.requestId);
    const returns: string[] = outcomes.filter((o) => o.operation === 'requestReturnMachines').map((o) => o.json.requestId);
    const acquireIds = [...complete, ...running, ...acquired];
    const everyId = [...acquireIds, ...returns];
    expect(new Set(everyId).size).toBe(everyId.length);

    // Every request any process got back is stored exactly once, and nothing else is.
    const listed = await hf.cli(['requests', 'list', '--json', '--limit', '100000']);
    expect(listed.exitCode).toBe(0);
    expect(listed.json.requests.map((r: any) => r.requestId).sort()).toEqual([...everyId].sort());

    // `machines list` refreshes live machines from the cloud and records what it sees, so it runs
    // first: the getRequestStatus answers below then reflect the same recorded state.
    const live = await hf.cli(['machines', 'list', '--json']);
    expect(live.exitCode).toBe(0);

    // Every machine belongs to exactly one acquire request, with as many machines as units asked for.
    const finalAcquires = await statusOf(hf, acquireIds);
    const countOf = new Map<string, number>([...complete.map((id): [string, number] => [id, 3]), ...running.map((id): [string, number] => [id, 2])]);
    for (const o of outcomes) if (o.operation === 'requestMachines') countOf.set(o.json.requestId, (o.input as any).template.machineCount);
    for (const request of finalAcquires) expect(request.machines, request.requestId).toHaveLength(countOf.get(request.requestId) ?? -1);
    const machines = finalAcquires.flatMap((r) => r.machines);
    const machineIds = machines.map((m: any) => m.machineId);
    expect(new Set(machineIds).size).toBe(machineIds.length);
    const liveIds: string[] = live.json.machines.map((m: any) => m.machineId);
    expect(new Set(liveIds).size).toBe(liveIds.length);
    expect([...liveIds].sort()).toEqual(machines.filter((m: any) => m.status !== 'terminated').map((m: any) => m.machineId).sort());

    // Each returned machine was claimed by exactly one return request; the others were told it was taken.
    const finalReturns: any[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      finalReturns.splice(0, finalReturns.length, ...(await statusOf(hf, returns)));
      if (finalReturns.every((r) => r.status !== 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const claimed = finalReturns.flatMap((r) => r.machines.map((m: any) => m.machineId));
    expect([...claimed].sort()).toEqual(returnable.map((m) => m.machineId).sort());
    expect(finalReturns.every((r) => r.status === 'complete')).toBe(true);
    expect(finalReturns.flatMap((r) => r.machines).every((m: any) => m.result === 'succeed' && m.status === 'terminated')).toBe(true);

    // Nothing a process saw went backwards: no complete request is running again, no machine state undone.
    const finalRequest = new Map([...finalAcquires, ...finalReturns].map((r) => [r.requestId, r]));
    const finalMachine = new Map([...machines, ...finalReturns.flatMap((r) => r.machines)].map((m: any) => [m.machineId, m]));
    for (const poll of outcomes.filter((o) => o.operation === 'getRequestStatus')) {
      for (const seen of poll.json.requests) {
        if (seen.status !== 'running') expect(finalRequest.get(seen.requestId).status, seen.requestId).toBe(seen.status);
        for (const machine of seen.machines) {
          expect(LIFECYCLE[finalMachine.get(machine.machineId).status], machine.machineId).toBeGreaterThanOrEqual(LIFECYCLE[machine.status]);
        }
      }
    }
    for (const request of listed.json.requests) {
      if (request.status !== 'running') expect(finalRequest.get(request.requestId).status).toBe(request.status);
    }
  });
});
