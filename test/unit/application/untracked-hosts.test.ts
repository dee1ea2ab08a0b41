import { describe, expect, it } from 'vitest';
import { GetRequestStatus } from '../../../src/application/get-request-status.js';
import { GetReturnRequests } from '../../../src/application/get-return-requests.js';
import { ProviderIdentity } from '../../../src/application/provider-identity.js';
import { RequestReturnMachines, UNTRACKED_REQUEST_ID } from '../../../src/application/request-return-machines.js';
import type { CloudHost } from '../../../src/domain/ports/cloud-provider.js';
import { useCaseContainer } from '../../support/test-container.js';

/** A host the cloud has that the store never recorded. */
function stranger(id: string, fields: Partial<CloudHost> = {}): CloudHost {
  return {
    machineId: id,
    name: `ip-10-9-0-${id.slice(-1)}.ec2.internal`,
    status: 'running',
    privateIpAddress: `10.9.0.${id.slice(-1)}`,
    publicIpAddress: null,
    launchTime: 1_700_000_000,
    instanceType: 'm5.large',
    priceType: 'ondemand',
    weight: 1,
    instanceTags: {},
    cloudHostId: null,
    ...fields,
  };
}

describe('hosts the store does not know', () => {
  it('returns a host this provider instance tagged: recorded, claimed by the return, released, and reported when gone', async () => {
    const { container, cloud, store } = await useCaseContainer();
    cloud.strangers.set('i-lost1', stranger('i-lost1', { providerName: 'sim', requestId: 'req-lost', templateId: 'Small' }));
    const result = await container.get(RequestReturnMachines).execute([{ machineId: 'i-lost1' }]);
    expect(result.message).toBe('Delete VM success.');
    expect(cloud.callsOf('release')).toEqual([{ machines: ['i-lost1'], owners: [] }]);
    const [recorded] = await store.machines.findByRefs([{ machineId: 'i-lost1' }]);
    expect(recorded).toMatchObject({ requestId: 'req-lost', templateId: 'Small', returnRequestId: result.requestId });

    await store.machines.update({ ...recorded, status: 'terminated' });
    const [view] = await container.get(GetRequestStatus).execute([result.requestId]);
    expect(view.status).toBe('complete');
  });

  it('finds a host by its name alone', async () => {
    const { container, cloud } = await useCaseContainer();
    cloud.strangers.set('i-lost2', stranger('i-lost2', { providerName: 'sim' }));
    const result = await container.get(RequestReturnMachines).execute([{ name: 'ip-10-9-0-2.ec2.internal' }]);
    expect(result.returned.map((machine) => [machine.machineId, machine.requestId])).toEqual([['i-lost2', UNTRACKED_REQUEST_ID]]);
  });

  it('leaves an untagged host or another provider instance\'s host running and names it; the store is unchanged', async () => {
    const { container, cloud, store } = await useCaseContainer();
    cloud.strangers.set('i-other1', stranger('i-other1', { providerName: 'otherinst' }));
    cloud.strangers.set('i-bare1', stranger('i-bare1'));
    const result = await container.get(RequestReturnMachines).execute([{ machineId: 'i-other1' }, { machineId: 'i-bare1' }]);
    expect(result.message).toMatch(/^No Active VM\. left running, not launched by provider instance sim: .*\(tagged by otherinst\).*\(untagged\); set RETURN_UNTRACKED_HOSTS=true/);
    expect(cloud.callsOf('release')).toEqual([]);
    expect(await store.machines.findByRefs([{ machineId: 'i-other1' }, { machineId: 'i-bare1' }])).toEqual([]);
  });

  it('returns an untagged host when RETURN_UNTRACKED_HOSTS is set (a migration from IBM\'s plugin)', async () => {
    const { container, cloud } = await useCaseContainer();
    container.rebind(ProviderIdentity).toConstantValue(new ProviderIdentity('sim', true));
    cloud.strangers.set('i-bare2', stranger('i-bare2'));
    const result = await container.get(RequestReturnMachines).execute([{ machineId: 'i-bare2' }]);
    expect(result.message).toBe('Delete VM success.');
    expect(cloud.callsOf('release')).toEqual([{ machines: ['i-bare2'], owners: [] }]);
  });

  it('getReturnRequests reports a held host the store never had when the cloud has it no more or it is ending, with no grace', async () => {
    const { container, cloud } = await useCaseContainer();
    cloud.strangers.set('i-ending1', stranger('i-ending1', { status: 'shutting-down' }));
    cloud.strangers.set('i-healthy', stranger('i-healthy'));
    const reclaims = await container.get(GetReturnRequests).execute([
      { machineId: 'i-ending1', name: 'host-ending' },
      { machineId: 'i-healthy', name: 'host-healthy' },
      { machineId: 'i-vanished', name: 'host-vanished' },
    ]);
    expect(reclaims.map((reclaim) => [reclaim.name, reclaim.gracePeriod])).toEqual([
      ['host-ending', 0],
      ['host-vanished', 0],
    ]);
  });
});
