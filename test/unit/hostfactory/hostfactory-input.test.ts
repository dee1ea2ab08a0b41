import { describe, expect, it } from 'vitest';
import { parseGetRequestStatus, parseGetReturnRequests, parseRequestMachines, parseRequestReturnMachines } from '../../../src/infrastructure/hostfactory/hostfactory-input.js';

const host = { name: 'ip-10-0-57-7.ec2.internal', machineId: 'i-0e90000000000000a' };

describe('HostFactory input: one object where a list is expected', () => {
  it('requestReturnMachines reads a single machine object as IBM spec shows it, and a list as before', () => {
    expect(parseRequestReturnMachines({ machines: host })).toEqual([host]);
    expect(parseRequestReturnMachines({ machines: [host, { machineId: 'i-2' }] })).toEqual([host, { name: undefined, machineId: 'i-2' }]);
  });

  it('getReturnRequests reads a single machine object, a list, or no machines at all', () => {
    expect(parseGetReturnRequests({ machines: host })).toEqual([host]);
    expect(parseGetReturnRequests({ machines: [host] })).toEqual([host]);
    expect(parseGetReturnRequests({})).toEqual([]);
  });

  it('getRequestStatus reads a single request object', () => {
    expect(parseGetRequestStatus({ requests: { requestId: 'req-1' } })).toEqual(['req-1']);
  });

  it('still refuses a machine object with neither name nor id, an empty list and a bare string', () => {
    expect(() => parseRequestReturnMachines({ machines: {} })).toThrow(/name.*machineId/);
    expect(() => parseRequestReturnMachines({ machines: [] })).toThrow(/must not be empty/);
    expect(() => parseRequestReturnMachines({ machines: 'ip-10-0-57-7' })).toThrow(/must be a list/);
    expect(() => parseGetReturnRequests({ machines: 'ip-10-0-57-7' })).toThrow(/must be a list/);
  });
});

describe('HostFactory input: the machine count of requestMachines', () => {
  const input = (machineCount: unknown) => ({ template: { templateId: 'Small', machineCount } });

  it('reads a whole number written as a number or as a string of digits', () => {
    expect(parseRequestMachines(input(3))).toEqual({ templateId: 'Small', machineCount: 3 });
    expect(parseRequestMachines(input('40'))).toEqual({ templateId: 'Small', machineCount: 40 });
  });

  it.each([0, -3, 1.5, 'three', ' 3', '', null, undefined, 2 ** 53])('refuses %j as INVALID_INPUT naming template.machineCount', (count) => {
    expect(() => parseRequestMachines(input(count))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/template\.machineCount: machineCount must be a positive whole number/) }));
  });
});
