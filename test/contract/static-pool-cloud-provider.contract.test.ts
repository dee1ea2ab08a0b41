import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_ERRORS, ProviderLifecycle, parseProviderKeys } from '../../src/infrastructure/plugins/provider-lifecycle.js';
import { ProviderRegistry } from '../../src/infrastructure/plugins/provider-registry.js';
import { NoMetrics } from '../../src/infrastructure/metrics/no-metrics.js';
import { InMemoryResourceLease } from '../support/in-memory-resource-lease.js';
import { copyExamplePlugin, poolHosts, writeHostsFile } from '../support/static-pool-plugin.js';
import { FakeClock, MemoryLogger } from '../unit/providers/sim/sim-fixtures.js';
import { describeCloudProviderContract } from './cloud-provider-contract.js';

// The example out-of-tree plugin, found by discovery in a node_modules dir and started as the core starts any provider.
describeCloudProviderContract('static-pool plugin (examples/provider-plugin)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hf-static-pool-contract-'));
  const registry = new ProviderRegistry([], [copyExamplePlugin(root)]);
  const hostsFile = join(root, 'hosts.json');
  const hosts = poolHosts({ 't3.micro': 8, 't3.small': 8 });
  writeHostsFile(hostsFile, hosts);
  const loaded = await registry.resolve('static-pool');
  const configFile = join(root, 'contractprov_config.json');
  const clock = new FakeClock();
  const lifecycle = new ProviderLifecycle(loaded, {
    config: parseProviderKeys(loaded, { PROVIDER_TYPE: 'static-pool', STATIC_POOL_HOSTS_FILE: 'hosts.json' }, configFile),
    configFile,
    providerName: 'contract',
    workDir: join(root, 'work'),
    logger: new MemoryLogger(),
    clock,
    metrics: new NoMetrics(),
    store: { leases: new InMemoryResourceLease(clock) },
    errors: PROVIDER_ERRORS,
  });
  const instance = await lifecycle.start();
  return {
    provider: instance.cloud,
    advance: (seconds) => clock.advance(seconds),
    // A disabled host takes no new lease: every host of the type disabled is the pool's "insufficient capacity".
    setCapacity: (instanceType, available) => writeHostsFile(hostsFile, hosts.map((host) => (host.instanceType === instanceType ? { ...host, disabled: !available } : host))),
    close: async () => {
      await lifecycle.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
});
