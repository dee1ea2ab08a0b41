import { describe, expect, it } from 'vitest';
import { parseGetRequestStatus, parseGetReturnRequests, parseRequestReturnMachines } from '../../../src/infrastructure/hostfactory/hostfactory-input.js';

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
