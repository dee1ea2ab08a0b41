import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckHealth } from '../../../src/application/check-health.js';
import { buildContainer } from '../../../src/container.js';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { CloudProvider } from '../../../src/domain/ports/cloud-provider.js';
import { parseProviderConfig } from '../../../src/infrastructure/config/provider-config.js';
import { PROVIDER_ERRORS, ProviderLifecycle } from '../../../src/infrastructure/plugins/provider-lifecycle.js';
import { ProviderRegistry } from '../../../src/infrastructure/plugins/provider-registry.js';
import { NoMetrics } from '../../../src/infrastructure/metrics/no-metrics.js';
import { PROVIDER_API_VERSION, type ProviderPlugin } from '../../../src/plugin/provider-plugin.js';
import { FakeCloudProvider } from '../../support/fake-cloud-provider.js';
import { InMemoryResourceLease } from '../../support/in-memory-resource-lease.js';
import { silentLogger } from '../../support/test-container.js';
import { FakeClock } from '../providers/sim/sim-fixtures.js';

/** A plugin that writes down every step of its instance's life, and can fail at `initialize`. */
function recordingPlugin(steps: string[], failInitialize = false): ProviderPlugin<{ greeting: string }> {
  return {
    apiVersion: PROVIDER_API_VERSION,
    id: 'recorder',
    version: '9.9.9',
    capabilities: [],
    configSchema: (z) => z.looseObject({ RECORDER_GREETING: z.string().default('hello') }).transform((value) => ({ greeting: value.RECORDER_GREETING })),
    create: (context) => {
      steps.push(`create ${context.config.greeting}`);
      return {
        cloud: new FakeCloudProvider(),
        initialize: async () => {
          steps.push('initialize');
          if (failInitialize) throw new HostFactoryError('ACCESS_DENIED', 'the pool said no');
        },
        health: async () => [{ status: 'warn', message: 'recorder is only a test' }],
        close: async () => void steps.push('close'),
      };
    },
  };
}

const context = () => {
  const clock = new FakeClock();
  return { config: { greeting: 'hi' }, configFile: 'c.json', providerName: 'inst', workDir: '/nonexistent', logger: silentLogger, clock, metrics: new NoMetrics(), store: { leases: new InMemoryResourceLease(clock) }, errors: PROVIDER_ERRORS };
};

describe('ProviderLifecycle', () => {
  it('goes created, initializing, ready, stopped; closes once; reports its state as health', async () => {
    const steps: string[] = [];
    const lifecycle = new ProviderLifecycle({ plugin: recordingPlugin(steps) as ProviderPlugin<unknown>, source: 'built-in' }, context());
    expect(lifecycle.state).toBe('created');
    const started = lifecycle.start();
    expect(lifecycle.state).toBe('initializing');
    await started;
    expect(lifecycle.state).toBe('ready');
    expect(await lifecycle.run()).toEqual([
      { status: 'ok', message: 'recorder 9.9.9 (built-in) ready' },
      { status: 'warn', message: 'recorder is only a test' },
    ]);
    await lifecycle.stop();
    await lifecycle.stop();
    expect(lifecycle.state).toBe('stopped');
    expect(steps).toEqual(['create hi', 'initialize', 'close']);
    expect(await lifecycle.run()).toEqual([{ status: 'fail', message: 'recorder 9.9.9 (built-in) is stopped' }]);
  });

  it('a failed initialize closes the instance, fails start and is the health finding', async () => {
    const steps: string[] = [];
    const lifecycle = new ProviderLifecycle({ plugin: recordingPlugin(steps, true) as ProviderPlugin<unknown>, source: 'built-in' }, context());
    await expect(lifecycle.start()).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: 'provider recorder 9.9.9 (built-in) did not start: the pool said no' });
    expect(lifecycle.state).toBe('failed');
    expect(steps).toEqual(['create hi', 'initialize', 'close']);
    expect(await lifecycle.run()).toEqual([{ status: 'fail', message: 'recorder 9.9.9 (built-in) is failed: the pool said no' }]);
  });

  it('warns of a capability declared without what gives it', async () => {
    const plugin = { ...recordingPlugin([]), capabilities: ['dry-run', 'reclaims'] } as ProviderPlugin<unknown>;
    const lifecycle = new ProviderLifecycle({ plugin, source: 'built-in' }, context());
    await lifecycle.start();
    expect((await lifecycle.run()).filter((finding) => finding.status === 'warn').map((finding) => finding.message)).toEqual([
      'declares capability dry-run but has no planLaunch',
      'recorder is only a test',
    ]);
  });
});

describe('the composition root with a registered provider', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-lifecycle-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('binds what the factory returns, with the config its schema parsed; health has the provider; dispose stops it', async () => {
    const steps: string[] = [];
    const registry = new ProviderRegistry([{ id: 'recorder', load: async () => recordingPlugin(steps) as ProviderPlugin<unknown> }], []);
    const config = parseProviderConfig(JSON.stringify({ PROVIDER_TYPE: 'recorder', RECORDER_GREETING: 'salut', RECONCILE_INTERVAL_SEC: 0 }), join(root, 'instprov_config.json'), {});
    const settings = { providerName: 'inst', confDir: root, workDir: join(root, 'work'), logDir: join(root, 'log') };
    const composition = await buildContainer(settings, config, `json://${join(root, 'store')}`, silentLogger, new NoMetrics(), registry);
    expect(steps).toEqual(['create salut', 'initialize']);
    expect(composition.container.get(CloudProvider)).toBe(composition.instance.cloud);
    const report = await composition.container.get(CheckHealth).execute();
    expect(report.checks.filter((check) => check.component === 'provider').map((check) => [check.status, check.message])).toEqual([
      ['ok', 'recorder 9.9.9 (built-in) ready'],
      ['warn', 'recorder is only a test'],
    ]);
    await composition.dispose();
    expect(steps).toEqual(['create salut', 'initialize', 'close']);
    expect(composition.provider.state).toBe('stopped');
  });

  it('refuses the provider\'s own keys when its schema does, naming file and key, and starts nothing', async () => {
    const steps: string[] = [];
    const registry = new ProviderRegistry([{ id: 'recorder', load: async () => recordingPlugin(steps) as ProviderPlugin<unknown> }], []);
    const file = join(root, 'instprov_config.json');
    const config = parseProviderConfig(JSON.stringify({ PROVIDER_TYPE: 'recorder', RECORDER_GREETING: 42 }), file, {});
    const settings = { providerName: 'inst', confDir: root, workDir: join(root, 'work'), logDir: join(root, 'log') };
    await expect(buildContainer(settings, config, `json://${join(root, 'store')}`, silentLogger, new NoMetrics(), registry)).rejects.toThrow(`config file ${file}: RECORDER_GREETING:`);
    expect(steps).toEqual([]);
  });
});
