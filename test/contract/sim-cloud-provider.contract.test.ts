import { describeCloudProviderContract } from './cloud-provider-contract.js';
import { FakeClock, MemoryLogger, makeSettings, makeWorkDir } from '../unit/providers/sim/sim-fixtures.js';
import { SimCloudProvider } from '../../src/providers/sim/sim-cloud-provider.js';

describeCloudProviderContract('SimCloudProvider', async () => {
  const workDir = makeWorkDir();
  const clock = new FakeClock();
  const provider = new SimCloudProvider(makeSettings(workDir.stateFile), clock, new MemoryLogger());
  return {
    provider,
    advance: (seconds) => clock.advance(seconds),
    close: async () => {
      await provider.close();
      workDir.cleanup();
    },
  };
});
