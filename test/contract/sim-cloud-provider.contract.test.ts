import { describeCloudProviderContract } from './cloud-provider-contract.js';
import { FakeClock, MemoryLogger, makeSettings, makeWorkDir } from '../unit/providers/sim/sim-fixtures.js';
import { SimCloudProvider } from '../../src/providers/sim/sim-cloud-provider.js';

describeCloudProviderContract('SimCloudProvider', async () => {
  const workDir = makeWorkDir();
  const clock = new FakeClock();
  const settings = makeSettings(workDir.stateFile);
  const provider = new SimCloudProvider(settings, clock, new MemoryLogger());
  return {
    provider,
    advance: (seconds) => clock.advance(seconds),
    // SIM_CAPACITY is read at each launch: 0 of a type is the sim's "insufficient capacity".
    setCapacity: (instanceType, available) => {
      if (available) delete settings.config.capacity[instanceType];
      else settings.config.capacity[instanceType] = 0;
    },
    close: async () => {
      await provider.close();
      workDir.cleanup();
    },
  };
});
