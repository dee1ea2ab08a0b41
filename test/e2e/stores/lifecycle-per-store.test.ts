import { afterEach, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../../support/hostfactory-harness.js';
import { describeEachStore, useStore, type StoreUnderTest } from '../../support/store-under-test.js';

const stores: StoreUnderTest[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.cleanup();
});

async function instanceOn(kind: StoreUnderTest['kind'], config: Record<string, unknown>): Promise<HostFactoryInstance> {
  const hf = new HostFactoryInstance({ config });
  stores.push(await useStore(kind, hf));
  return hf;
}

function availableOf(response: any, templateId: string): number {
  return response.templates.find((t: any) => t.templateId === templateId).availableNumber;
}

await describeEachStore('the HostFactory scripts with HOSTFACTORY_STORE set', (kind) => {
  it('run the whole lifecycle: templates, acquire, poll, return, poll, capacity back', { timeout: 120_000 }, async () => {
    const hf = await instanceOn(kind, { SIM_BOOT_DELAY_SEC: 1, SIM_SHUTDOWN_DELAY_SEC: 1 });

    const templates = await hf.script('getAvailableTemplates', {});
    expect(templates.exitCode, templates.stdout).toBe(0);
    assertSchema('getAvailableTemplates', templates.json);
    expect(availableOf(templates.json, 'OnDemand-Small')).toBe(20);

    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 3 } });
    expect(requested.exitCode, requested.stdout).toBe(0);
    assertSchema('requestMachines', requested.json);
    const requestId: string = requested.json.requestId;

    const acquired = await pollUntilDone(hf, requestId);
    expect(acquired.exitCode).toBe(0);
    const request = acquired.json.requests[0];
    expect(request).toMatchObject({ requestId, status: 'complete' });
    expect(request.machines).toHaveLength(3);
    expect(request.machines.every((m: any) => m.result === 'succeed' && m.status === 'running')).toBe(true);

    const held = await hf.script('getAvailableTemplates', {});
    assertSchema('getAvailableTemplates', held.json);
    expect(availableOf(held.json, 'OnDemand-Small')).toBe(17);

    const listed = await hf.cli(['machines', 'list', '--json']);
    expect(listed.json.machines.map((m: any) => m.machineId).sort()).toEqual(request.machines.map((m: any) => m.machineId).sort());

    const machines = request.machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));
    const returned = await hf.script('requestReturnMachines', { machines });
    expect(returned.exitCode, returned.stdout).toBe(0);
    assertSchema('requestReturnMachines', returned.json);
    expect(returned.json.requestId).toMatch(/^ret-/);

    const gone = await pollUntilDone(hf, returned.json.requestId);
    expect(gone.json.requests[0].status).toBe('complete');
    expect(gone.json.requests[0].machines.map((m: any) => [m.machineId, m.result, m.status]).sort()).toEqual(
      machines.map((m: any) => [m.machineId, 'succeed', 'terminated']).sort(),
    );

    const freed = await hf.script('getAvailableTemplates', {});
    assertSchema('getAvailableTemplates', freed.json);
    expect(availableOf(freed.json, 'OnDemand-Small')).toBe(20);

    const history = await hf.cli(['requests', 'list', '--json', '--limit', '100']);
    expect(history.json.requests.map((r: any) => [r.requestId, r.status]).sort()).toEqual(
      [
        [requestId, 'complete'],
        [returned.json.requestId, 'complete'],
      ].sort(),
    );
  });
  // Concurrent requestMachines on each store: stress-per-store.test.ts (20 of them among 50 racing processes).
});
