import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckHealth, overall } from '../../../src/application/check-health.js';
import { CloudHealth, StoreHealth, TemplatesHealth } from '../../../src/application/health-checks.js';
import { HostFactoryError } from '../../../src/domain/errors.js';
import type { CloudAccess, CloudProvider } from '../../../src/domain/ports/cloud-provider.js';
import type { HealthCheck } from '../../../src/domain/ports/health-check.js';
import type { RequestRepository } from '../../../src/domain/ports/request-repository.js';
import { FakeCloudProvider } from '../../support/fake-cloud-provider.js';
import { createInMemoryStore } from '../../support/in-memory-store.js';
import { aTemplate } from '../../support/mothers.js';
import { FakeTemplateRepository } from '../../support/test-container.js';

const clock = { time: 1_700_000_000_000, now() { return this.time; } };
const probing = (access: () => Promise<CloudAccess>) => Object.assign(new FakeCloudProvider(), { checkAccess: access }) as CloudProvider;

describe('health checks', () => {
  afterEach(() => vi.useRealTimers());

  it('templates: ok when all are valid; broken ones next to valid ones warn; none valid fails, naming the file', async () => {
    const ok = await new TemplatesHealth(new FakeTemplateRepository({ templates: [aTemplate()], problems: [] })).run();
    expect(ok).toEqual([{ status: 'ok', message: '1 templates valid' }]);
    const problem = { file: '/conf/bad.json', templateId: 'Broken', field: 'maxNumber', message: 'must be a number' };
    const some = await new TemplatesHealth(new FakeTemplateRepository({ templates: [aTemplate()], problems: [problem] })).run();
    expect(some).toEqual([{ status: 'warn', message: '1 broken (/conf/bad.json Broken maxNumber: must be a number); 1 valid' }]);
    const none = await new TemplatesHealth(new FakeTemplateRepository({ templates: [], problems: [problem] })).run();
    expect(none[0].status).toBe('fail');
  });

  it('store: ok when it answers, fail with the error code when it does not', async () => {
    const store = createInMemoryStore({ clock });
    expect((await new StoreHealth(store.requests, store.capacity, clock).run())[0]).toEqual({ status: 'ok', message: 'reachable and migrated; 0 requests outstanding' });
    await store.capacity.remember([{ instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' }], clock.time + 60_000);
    expect((await new StoreHealth(store.requests, store.capacity, clock).run())[0].message).toBe('reachable and migrated; 0 requests outstanding; 1 pools remembered out of capacity');
    const down = { listOutstanding: async () => { throw new HostFactoryError('INTERNAL', 'connection refused'); } } as unknown as RequestRepository;
    expect(await new StoreHealth(down, store.capacity, clock).run()).toEqual([{ status: 'fail', message: 'INTERNAL: connection refused' }]);
    const noTable = { remember: async () => undefined, unavailable: async () => { throw new HostFactoryError('CONFIG_INVALID', 'DynamoDB Query on table hf-unavailable-offerings failed (ResourceNotFoundException: x); create the tables with `hostfactory store init`'); } };
    expect(await new StoreHealth(store.requests, noTable, clock).run()).toEqual([
      { status: 'fail', message: 'capacity memory not readable: CONFIG_INVALID: DynamoDB Query on table hf-unavailable-offerings failed (ResourceNotFoundException: x); create the tables with `hostfactory store init`' },
    ]);
  });

  it('cloud: the probe\'s answer, and the clock against the cloud\'s (warn from 10 s, fail from 5 minutes)', async () => {
    const skewed = async (clockSkewMs?: number) => new CloudHealth(probing(async () => ({ message: 'EC2 in us-east-1 answered', clockSkewMs }))).run();
    expect(await skewed(2_000)).toEqual([
      { status: 'ok', message: 'EC2 in us-east-1 answered' },
      { component: 'clock', status: 'ok', message: 'behind the cloud by 2 s (within 10 s)' },
    ]);
    expect((await skewed(-45_000))[1]).toMatchObject({ status: 'warn', message: expect.stringContaining('ahead of the cloud by 45 s') });
    expect((await skewed(400_000))[1]).toMatchObject({ status: 'fail', message: expect.stringContaining('fix NTP') });
    expect((await skewed(undefined))[1].status).toBe('ok');
    const denied = new CloudHealth(probing(async () => { throw new HostFactoryError('ACCESS_DENIED', 'not authorized to perform ec2:DescribeAvailabilityZones'); }));
    expect(await denied.run()).toEqual([{ status: 'fail', message: 'ACCESS_DENIED: not authorized to perform ec2:DescribeAvailabilityZones' }]);
    expect((await new CloudHealth(new FakeCloudProvider()).run())[0].status).toBe('warn');
  });

  it('the report: every check with its latency; fail beats warn beats ok; a hung check fails after its timeout', async () => {
    vi.useFakeTimers();
    const quick: HealthCheck = { component: 'quick', run: async () => { clock.time += 12; return [{ status: 'warn', message: 'meh' }]; } };
    const hung: HealthCheck = { component: 'hung', run: () => new Promise(() => undefined) };
    const running = new CheckHealth([quick, hung], clock).execute();
    await vi.advanceTimersByTimeAsync(15_000);
    const report = await running;
    expect(report.status).toBe('fail');
    expect(report.checks).toEqual([
      { component: 'quick', status: 'warn', message: 'meh', latencyMs: 12 },
      { component: 'hung', status: 'fail', latencyMs: 15_000, message: 'no answer within 15 s' },
    ]);
    expect([overall(['ok', 'ok']), overall(['ok', 'warn']), overall(['warn', 'fail'])]).toEqual(['ok', 'degraded', 'fail']);
  });
});
