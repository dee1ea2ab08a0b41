import { describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../support/hostfactory-harness.js';

describe('the full HostFactory lifecycle through the scripts, on the embedded default', () => {
  it('lists templates, acquires, reports, returns and frees capacity', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 1, SIM_SHUTDOWN_DELAY_SEC: 1 } });

    const templates = await hf.script('getAvailableTemplates', {});
    expect(templates.exitCode).toBe(0);
    assertSchema('getAvailableTemplates', templates.json);
    const small = templates.json.templates.find((t: any) => t.templateId === 'OnDemand-Small');
    expect(small).toMatchObject({ maxNumber: 20, availableNumber: 20, attributes: { ncpus: ['Numeric', '2'] } });

    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 3 } });
    expect(requested.exitCode).toBe(0);
    assertSchema('requestMachines', requested.json);
    expect(requested.json.requestId).toMatch(/^req-[0-9a-f-]{36}$/);

    const done = await pollUntilDone(hf, requested.json.requestId);
    const request = done.json.requests[0];
    expect(request.status).toBe('complete');
    expect(request.machines).toHaveLength(3);
    for (const machine of request.machines) {
      expect(machine).toMatchObject({ result: 'succeed', status: 'running', priceType: 'ondemand', instanceType: 't3.medium' });
      expect(machine.name).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
      expect(machine.instanceTags).toContain(`hostfactory:request-id=${requested.json.requestId}`);
    }

    const held = await hf.script('getAvailableTemplates', {});
    const heldSmall = held.json.templates.find((t: any) => t.templateId === 'OnDemand-Small');
    expect(heldSmall.availableNumber).toBe(17);
    expect(heldSmall.requestedMachines.sort()).toEqual(request.machines.map((m: any) => m.name).sort());

    const machines = request.machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));
    const reclaims = await hf.script('getReturnRequests', { machines });
    assertSchema('getReturnRequests', reclaims.json);
    expect(reclaims.json.requests).toEqual([]);

    const returned = await hf.script('requestReturnMachines', { machines: machines.slice(0, 2) });
    expect(returned.exitCode).toBe(0);
    assertSchema('requestReturnMachines', returned.json);
    expect(returned.json.requestId).toMatch(/^ret-/);

    const gone = await pollUntilDone(hf, returned.json.requestId);
    expect(gone.json.requests[0].status).toBe('complete');
    expect(gone.json.requests[0].machines.map((m: any) => [m.machineId, m.result, m.status]).sort()).toEqual(
      machines.slice(0, 2).map((m: any) => [m.machineId, 'succeed', 'terminated']).sort(),
    );

    const freed = await hf.script('getAvailableTemplates', {});
    expect(freed.json.templates.find((t: any) => t.templateId === 'OnDemand-Small').availableNumber).toBe(19);

    const again = await hf.script('requestReturnMachines', { machines: machines.slice(0, 1) });
    expect(again.exitCode).toBe(0);
    expect(again.json.message).toContain('already returned');
  });

  it('answers several requests in one call, unknown ids included, and accepts a single object for a list of requests or machines', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const a = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    const b = await hf.script('requestMachines', { template: { templateId: 'Spot-Compute', machineCount: 2 } });
    const both = await hf.script('getRequestStatus', {
      requests: [{ requestId: a.json.requestId }, { requestId: b.json.requestId }, { requestId: 'req-00000000-0000-0000-0000-000000000000' }],
    });
    assertSchema('getRequestStatus', both.json);
    expect(both.json.requests.map((r: any) => r.requestId)).toEqual([a.json.requestId, b.json.requestId, 'req-00000000-0000-0000-0000-000000000000']);
    expect(both.json.requests[2]).toMatchObject({ status: 'complete_with_error', machines: [] });
    expect(both.json.requests[2].message).toContain('not found');
    const spotUnits = both.json.requests[1].machines.length;
    expect(spotUnits).toBeGreaterThanOrEqual(1);
    expect(both.json.requests[1].machines.every((m: any) => m.priceType === 'spot')).toBe(true);

    const single = await hf.script('getRequestStatus', { requests: { requestId: a.json.requestId } });
    assertSchema('getRequestStatus', single.json);
    expect(single.json.requests).toHaveLength(1);

    const [machine] = single.json.requests[0].machines;
    const held = await hf.script('getReturnRequests', { machines: { name: machine.name, machineId: machine.machineId } });
    expect(held.exitCode, held.stdout).toBe(0);
    assertSchema('getReturnRequests', held.json);
    const returned = await hf.script('requestReturnMachines', { machines: { name: machine.name, machineId: machine.machineId } });
    expect(returned.exitCode, returned.stdout).toBe(0);
    assertSchema('requestReturnMachines', returned.json);
    expect(returned.json.message).toBe('Delete VM success.');
  });
});
