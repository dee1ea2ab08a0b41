import { expect } from 'vitest';
import type { RequestResources } from '../../support/fake-ec2-server.js';
import { assertSchema, pollUntilDone } from '../../support/hostfactory-harness.js';
import { TRANSITION_MS, weightOf, type AwsE2eCloud } from './aws-e2e-cloud.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface AcquiredRequest {
  requestId: string;
  machines: Array<Record<string, any>>;
}

/** requestMachines through the real script, then getRequestStatus until `complete`; checks units and machines. */
export async function acquire(cloud: AwsE2eCloud, templateId: string, units: number): Promise<AcquiredRequest> {
  return waitComplete(cloud, templateId, await requestHosts(cloud, templateId, units), units);
}

/** requestMachines through the real script; returns the request id. */
export async function requestHosts(cloud: AwsE2eCloud, templateId: string, units: number): Promise<string> {
  const requested = await cloud.hf.script('requestMachines', { template: { templateId, machineCount: units } });
  expect(requested.exitCode, requested.stderr || requested.stdout).toBe(0);
  assertSchema('requestMachines', requested.json);
  return requested.json.requestId;
}

/** getRequestStatus through the real script until the request leaves `running`; it must be `complete` with `units` running. */
export async function waitComplete(cloud: AwsE2eCloud, templateId: string, requestId: string, units: number): Promise<AcquiredRequest> {
  const done = await pollUntilDone(cloud.hf, requestId, 80);
  const view = done.json.requests[0];
  expect(view, JSON.stringify(view)).toMatchObject({ requestId, status: 'complete' });
  const machines: Array<Record<string, any>> = view.machines;
  expect(new Set(machines.map((machine) => machine.machineId)).size).toBe(machines.length);
  expect(machines.reduce((sum, machine) => sum + weightOf(templateId, machine.instanceType), 0)).toBe(units);
  for (const machine of machines) {
    expect(machine).toMatchObject({ result: 'succeed', status: 'running' });
    expect(machine.name).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
    expect(machine.privateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(machine.instanceTags).toContain(`hostfactory:request-id=${requestId}`);
    expect(machine.instanceTags).toContain('team=hpc');
  }
  const held = cloud.server.resourcesOf(requestId);
  expect(held.live.map((instance) => instance.instanceId).sort()).toEqual(machines.map((machine) => machine.machineId).sort());
  return { requestId, machines };
}

/**
 * requestReturnMachines for `batch` through the real script, polls the ret- request to
 * `complete`, then waits a few transition delays and checks in the fake that the returned hosts
 * are gone, the others still run, and nothing was launched in their place.
 */
export async function giveBack(cloud: AwsE2eCloud, acquired: AcquiredRequest, batch: Array<Record<string, any>>): Promise<RequestResources> {
  const launchedBefore = cloud.server.resourcesOf(acquired.requestId).instances.length;
  const refs = batch.map((machine) => ({ name: machine.name, machineId: machine.machineId }));
  const returned = await cloud.hf.script('requestReturnMachines', { machines: refs });
  expect(returned.exitCode, returned.stderr || returned.stdout).toBe(0);
  assertSchema('requestReturnMachines', returned.json);
  expect(returned.json.requestId).toMatch(/^ret-/);
  const gone = await pollUntilDone(cloud.hf, returned.json.requestId, 80);
  const view = gone.json.requests[0];
  expect(view.status).toBe('complete');
  expect(view.machines.map((machine: any) => [machine.machineId, machine.result, machine.status]).sort()).toEqual(
    refs.map((ref) => [ref.machineId, 'succeed', 'terminated']).sort(),
  );
  await sleep(3 * TRANSITION_MS);
  const after = cloud.server.resourcesOf(acquired.requestId);
  const returnedIds = new Set(refs.map((ref) => ref.machineId));
  expect(after.instances.filter((instance) => returnedIds.has(instance.instanceId)).map((instance) => instance.state)).toEqual(refs.map(() => 'terminated'));
  expect(after.instances, 'the cloud launched replacements after the return').toHaveLength(launchedBefore);
  return after;
}

/** The whole lifecycle of one template: acquire `units`, give the hosts back in `batches`, check nothing is left. */
export async function runLifecycle(cloud: AwsE2eCloud, templateId: string, units: number, batches = 1): Promise<AcquiredRequest> {
  const acquired = await acquire(cloud, templateId, units);
  const size = Math.ceil(acquired.machines.length / batches);
  let left: RequestResources | undefined;
  for (let start = 0; start < acquired.machines.length; start += size) {
    left = await giveBack(cloud, acquired, acquired.machines.slice(start, start + size));
    const kept = acquired.machines.slice(start + size).map((machine) => machine.machineId).sort();
    expect(left.live.map((instance) => instance.instanceId).sort()).toEqual(kept);
  }
  expectNothingLeft(left!);
  return acquired;
}

/** No instance pending or running, request/maintain fleets deleted or cancelled (or at target 0), no group. */
export function expectNothingLeft(resources: RequestResources): void {
  expect(resources.live.map((instance) => `${instance.instanceId} ${instance.state}`)).toEqual([]);
  for (const fleet of resources.ec2Fleets.filter((entry) => entry.type !== 'instant')) {
    expect(fleet.state.startsWith('deleted') || fleet.target === 0, `EC2 Fleet ${fleet.id} is ${fleet.state}, target ${fleet.target}`).toBe(true);
  }
  for (const fleet of resources.spotFleets) {
    expect(fleet.state.startsWith('cancelled') || fleet.target === 0, `Spot Fleet ${fleet.id} is ${fleet.state}, target ${fleet.target}`).toBe(true);
  }
  expect(resources.groups.map((group) => group.name)).toEqual([]);
}
