import { describe, expect, it } from 'vitest';
import { applyObservation, machineResult, type Machine } from '../../../src/domain/machine.js';
import { acquireProgress, returnProgress } from '../../../src/domain/request-progress.js';
import { aMachine, anAcquireRequest } from '../../support/mothers.js';

const request = anAcquireRequest({ requestId: 'req-1', templateId: 'T', machineCount: 4, providerName: 'sim', providerData: {}, createdAt: 0, updatedAt: 0 });

function machine(overrides: Partial<Machine>): Machine {
  return aMachine('req-1', {
    machineId: 'i-1', name: 'ip-1', templateId: 'T', status: 'running', privateIpAddress: '10.0.0.1', launchTime: 0,
    instanceType: 'm5.xlarge', priceType: 'spot', instanceTags: {}, updatedAt: 0, ...overrides,
  });
}

describe('acquireProgress', () => {
  it('counts weighted units, not instances', () => {
    const two = [machine({ machineId: 'a', weight: 2 }), machine({ machineId: 'b', weight: 2 })];
    expect(acquireProgress(request, two, { final: false }).status).toBe('complete');
    expect(acquireProgress(request, two.slice(0, 1), { final: false }).status).toBe('running');
  });

  it('waits while anything is pending, even if the cloud is final', () => {
    expect(acquireProgress(request, [machine({ status: 'pending', weight: 4 })], { final: true }).status).toBe('running');
  });

  it('ends short requests with an error once the cloud is final', () => {
    const progress = acquireProgress(request, [machine({ weight: 1 })], { final: true, cloudMessage: 'quota exceeded' });
    expect(progress).toEqual({ status: 'complete_with_error', message: '1 of 4 units running; quota exceeded' });
  });

  it('reports failed machines', () => {
    const failed = machine({ machineId: 'b', status: 'terminated', failureMessage: 'Server.InternalError' });
    const progress = acquireProgress(request, [machine({ weight: 4 }), failed], { final: true });
    expect(progress.status).toBe('complete_with_error');
    expect(progress.message).toContain('1 machine(s) failed');
  });
});

describe('machines', () => {
  it('never move backwards on a stale observation', () => {
    const running = machine({ status: 'running' });
    expect(applyObservation(running, { ...running, status: 'pending' }).status).toBe('running');
    expect(applyObservation(running, { ...running, status: 'terminated' }).status).toBe('terminated');
  });

  it('a host that dies before running fails; a returned host that goes is a success', () => {
    const pending = machine({ status: 'pending' });
    const died = applyObservation(pending, { ...pending, status: 'terminated' });
    expect(machineResult(died, 'acquire')).toBe('fail');
    expect(died.failureMessage).toMatch(/terminated before it was running/);
    const returned = machine({ returnRequestId: 'ret-1', status: 'terminated' });
    expect(machineResult(returned, 'return')).toBe('succeed');
  });

  it('a return with nothing left is complete', () => {
    expect(returnProgress([]).status).toBe('complete');
    expect(returnProgress([machine({ status: 'shutting-down' })]).status).toBe('running');
  });
});
