import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import knex from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../support/hostfactory-harness.js';

/** The store forgets a machine, as after a crash between launch and record or a restored backup. */
async function forgetInStore(hf: HostFactoryInstance, machineId: string): Promise<void> {
  const db = knex({ client: 'sqlite3', connection: { filename: join(hf.workDir, 'hostfactory.db') }, useNullAsDefault: true });
  try {
    expect(await db('machines').where({ machine_id: machineId }).delete()).toBe(1);
  } finally {
    await db.destroy();
  }
}

/**
 * Issue 8, parts 2 and 3, through the real scripts on the simulated cloud: a host the store lost is
 * found in the cloud by its tags, returned like any other, and reported by getReturnRequests once gone.
 */
describe('hosts the store does not know, on the simulated cloud', () => {
  let hf: HostFactoryInstance | undefined;
  afterEach(() => {
    if (hf) rmSync(hf.root, { recursive: true, force: true });
  });

  it('a host whose record was lost is returned through its tags, and reported gone afterwards; an unknown host is reported gone', async () => {
    hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 2 } });
    const done = await pollUntilDone(hf, requested.json.requestId);
    const [kept, lost] = done.json.requests[0].machines.map((machine: any) => ({ name: machine.name, machineId: machine.machineId }));
    await forgetInStore(hf, lost.machineId);

    expect((await hf.script('getReturnRequests', { machines: [kept, lost] })).json.requests, 'a running host the store lost is not being reclaimed').toEqual([]);

    const returned = await hf.script('requestReturnMachines', { machines: [{ name: lost.name }] });
    expect(returned.exitCode, returned.stderr).toBe(0);
    expect(returned.json.message).toBe('Delete VM success.');
    const gone = await pollUntilDone(hf, returned.json.requestId);
    expect(gone.json.requests[0]).toMatchObject({ status: 'complete', machines: [{ machineId: lost.machineId, result: 'succeed', status: 'terminated' }] });

    await forgetInStore(hf, lost.machineId);
    const ghost = { name: 'ip-10-99-0-1.ec2.internal', machineId: 'i-0000000000000dead' };
    const reclaims = await hf.script('getReturnRequests', { machines: [kept, lost, ghost] });
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests.map((entry: any) => [entry.machine, entry.gracePeriod])).toEqual([
      [lost.name, 0],
      [ghost.name, 0],
    ]);
  });

  it('reconcile finds a lost host and removes it only once older than RECONCILE_GRACE_SEC, and marks a ghost gone', async () => {
    hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0, RECONCILE_INTERVAL_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 3 } });
    const done = await pollUntilDone(hf, requested.json.requestId);
    const [kept, lost, ghost] = done.json.requests[0].machines.map((machine: any) => ({ name: machine.name, machineId: machine.machineId }));
    await forgetInStore(hf, lost.machineId);
    expect((await hf.cli(['sim', 'terminate', ghost.machineId])).exitCode).toBe(0);

    const young = await hf.cli(['reconcile', '--apply', '--json']);
    expect(young.exitCode, young.stderr).toBe(0);
    expect(young.json.leaks).toEqual([expect.objectContaining({ kind: 'instance', id: lost.machineId, action: 'kept: younger than the grace period' })]);
    expect(young.json.ghosts).toEqual([expect.objectContaining({ machineId: ghost.machineId, action: 'kept: younger than the grace period' })]);

    const file = join(hf.confDir, 'simprov_config.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), RECONCILE_GRACE_SEC: 0 }));
    const table = await hf.cli(['reconcile']);
    expect(table.stdout).toMatch(/FINDING\s+KIND\s+ID/);
    expect(table.stdout).toContain(lost.machineId);
    const applied = await hf.cli(['reconcile', '--apply', '--json']);
    expect(applied.json.leaks.map((leak: any) => [leak.id, leak.action])).toEqual([[lost.machineId, 'removed']]);
    expect(applied.json.ghosts.map((entry: any) => [entry.machineId, entry.action])).toEqual([[ghost.machineId, 'marked gone']]);
    const after = await hf.cli(['reconcile', '--json']);
    expect(after.json).toMatchObject({ leaks: [], ghosts: [], oversized: [] });
    const live = await hf.cli(['machines', 'list', '--json']);
    expect(live.json.machines.map((machine: any) => machine.machineId)).toEqual([kept.machineId]);
  });
});
