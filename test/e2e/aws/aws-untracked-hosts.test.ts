import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, pollUntilDone } from '../../support/hostfactory-harness.js';
import type { FakeInstance } from '../../support/fake-ec2-server.js';
import { IMAGE_ID, startAwsE2eCloud, TRANSITION_MS, type AwsE2eCloud } from './aws-e2e-cloud.js';
import { acquire } from './run-lifecycle.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const hostName = (instance: FakeInstance) => `ip-${instance.privateIp.replaceAll('.', '-')}.ec2.internal`;

/**
 * Issue 8, parts 2 and 3, through the real scripts against the fake EC2 endpoint: hosts HostFactory
 * returns or holds that the store does not know (a launch whose record was lost, a replacement, a
 * migration from IBM's plugin) are looked up in the cloud, and only this provider instance's are
 * touched unless RETURN_UNTRACKED_HOSTS says otherwise.
 */
describe.concurrent('hosts the store does not know, on AWS', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    cloud = await startAwsE2eCloud();
  });
  afterAll(() => cloud.close());

  /** An instance launched in the account outside this provider's store, with these tags. */
  const outside = (target: AwsE2eCloud, tags: Record<string, string>): FakeInstance =>
    target.server.cloud.launch({ instanceType: 'm5.large', count: 1, lifecycle: 'on-demand', imageId: IMAGE_ID, tags })[0];

  const giveBack = async (target: AwsE2eCloud, instance: FakeInstance, byName = false) => {
    const ref = byName ? { name: hostName(instance) } : { name: hostName(instance), machineId: instance.instanceId };
    const returned = await target.hf.script('requestReturnMachines', { machines: [ref] });
    expect(returned.exitCode, returned.stderr).toBe(0);
    assertSchema('requestReturnMachines', returned.json);
    return returned.json as { requestId: string; message: string };
  };

  it('a host tagged by this provider instance whose record was lost is terminated on return, found by its name alone', { timeout: 120_000 }, async () => {
    const lost = outside(cloud, { 'hostfactory:provider': 'aws', 'hostfactory:request-id': 'req-lost-record', 'hostfactory:template-id': 'RunInstances-OnDemand' });
    const returned = await giveBack(cloud, lost, true);
    expect(returned.message).toBe('Delete VM success.');
    const done = await pollUntilDone(cloud.hf, returned.requestId, 40);
    expect(done.json.requests[0]).toMatchObject({ status: 'complete', machines: [{ machineId: lost.instanceId, result: 'succeed', status: 'terminated' }] });
  });

  it('an untagged host and another provider instance\'s host are left running and named', { timeout: 120_000 }, async () => {
    const bare = outside(cloud, {});
    const other = outside(cloud, { 'hostfactory:provider': 'otherinst' });
    const returned = await cloud.hf.script('requestReturnMachines', { machines: [bare, other].map((instance) => ({ name: hostName(instance), machineId: instance.instanceId })) });
    expect(returned.exitCode, returned.stderr).toBe(0);
    expect(returned.json.message).toContain('RETURN_UNTRACKED_HOSTS');
    expect(returned.json.message).toContain(`${hostName(other)} (tagged by otherinst)`);
    expect(returned.json.message).toContain(`${hostName(bare)} (untagged)`);
    await sleep(2 * TRANSITION_MS);
    expect([bare, other].map((instance) => cloud.server.cloud.refresh(instance).state)).toEqual(['running', 'running']);
  });

  it('with RETURN_UNTRACKED_HOSTS=true an untagged host is returned (a migration from IBM\'s plugin)', { timeout: 120_000 }, async () => {
    const own = await startAwsE2eCloud({ RETURN_UNTRACKED_HOSTS: true });
    try {
      const bare = outside(own, {});
      const returned = await giveBack(own, bare);
      expect(returned.message).toBe('Delete VM success.');
      expect(own.server.cloud.refresh(bare).state).toMatch(/shutting-down|terminated/);
    } finally {
      await own.close();
    }
  });

  it('getReturnRequests reports held hosts the store never had once they are gone or ending, with no grace', { timeout: 120_000 }, async () => {
    const ending = outside(cloud, {});
    const healthy = outside(cloud, {});
    cloud.server.terminateOutside(ending.instanceId);
    const held = [ending, healthy].map((instance) => ({ name: hostName(instance), machineId: instance.instanceId }));
    const result = await cloud.hf.script('getReturnRequests', { machines: [...held, { name: 'ip-10-7-7-7.ec2.internal', machineId: 'i-0000000000000dead' }] });
    expect(result.exitCode, result.stderr).toBe(0);
    assertSchema('getReturnRequests', result.json);
    expect(result.json.requests.map((entry: any) => [entry.machine, entry.gracePeriod])).toEqual([
      [hostName(ending), 0],
      ['ip-10-7-7-7.ec2.internal', 0],
    ]);
  });

  it('reconcile --apply removes what this provider instance leaked, keeps what a live request owns, and never touches another instance\'s host', { timeout: 120_000 }, async () => {
    const own = await startAwsE2eCloud({ RECONCILE_GRACE_SEC: 0, RECONCILE_INTERVAL_SEC: 0 });
    try {
      const acquired = await acquire(own, 'RunInstances-OnDemand', 1);
      const leaked = outside(own, { 'hostfactory:provider': 'aws', 'hostfactory:request-id': 'req-forgotten' });
      const other = outside(own, { 'hostfactory:provider': 'otherinst', 'hostfactory:request-id': 'req-of-another' });
      const found = await own.hf.cli(['reconcile', '--json']);
      expect(found.exitCode, found.stderr).toBe(0);
      expect(found.json.leaks.map((leak: any) => [leak.kind, leak.id, leak.action])).toEqual([['instance', leaked.instanceId, 'found']]);
      const applied = await own.hf.cli(['reconcile', '--apply', '--json']);
      expect(applied.json.leaks.map((leak: any) => [leak.id, leak.action])).toEqual([[leaked.instanceId, 'removed']]);
      expect(own.server.cloud.refresh(leaked).state).toMatch(/shutting-down|terminated/);
      expect(own.server.cloud.refresh(other).state).toMatch(/pending|running/);
      expect(own.server.resourcesOf(acquired.requestId).live.map((instance) => instance.instanceId)).toEqual(acquired.machines.map((machine) => machine.machineId));
    } finally {
      await own.close();
    }
  });
});
