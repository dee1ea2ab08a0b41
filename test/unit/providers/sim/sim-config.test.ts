import { describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../../src/domain/errors.js';
import { parseSimConfig } from '../../../../src/providers/sim/sim-config.js';

function configError(raw: Record<string, unknown>): HostFactoryError {
  try {
    parseSimConfig(raw, '/etc/hf/simprov_config.json');
  } catch (error) {
    return error as HostFactoryError;
  }
  throw new Error('expected parseSimConfig to throw');
}

describe('parseSimConfig', () => {
  it('turns every fault off and uses a 2 s boot and 1 s shutdown by default', () => {
    expect(parseSimConfig({ HF_LOGLEVEL: 'INFO', AWS_REGION: 'us-east-1' }, 'simprov_config.json')).toEqual({
      bootDelaySec: 2,
      shutdownDelaySec: 1,
      seed: undefined,
      capacity: {},
      launchFailureRate: 0,
      interruptionRate: 0,
      interruptionAfterSec: 60,
      interruptionGraceSec: 120,
    });
  });

  it('reads numbers written as strings and capacity written as a JSON string', () => {
    const config = parseSimConfig(
      { SIM_BOOT_DELAY_SEC: '5', SIM_LAUNCH_FAILURE_RATE: '0.25', SIM_CAPACITY: '{"m5.large": 3}', SIM_SEED: 42 },
      'simprov_config.json',
    );
    expect(config.bootDelaySec).toBe(5);
    expect(config.launchFailureRate).toBe(0.25);
    expect(config.capacity).toEqual({ 'm5.large': 3 });
    expect(config.seed).toBe('42');
  });

  it('rejects a rate above 1, naming the file and the key', () => {
    const error = configError({ SIM_INTERRUPTION_RATE: 1.5 });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('/etc/hf/simprov_config.json');
    expect(error.message).toContain('SIM_INTERRUPTION_RATE');
  });

  it('rejects a negative capacity and a delay that is not a number', () => {
    expect(configError({ SIM_CAPACITY: { 'm5.large': -1 } }).message).toContain('SIM_CAPACITY');
    expect(configError({ SIM_BOOT_DELAY_SEC: 'soon' }).message).toContain('SIM_BOOT_DELAY_SEC');
  });

  it('rejects a misspelt SIM_ key instead of silently ignoring it', () => {
    const error = configError({ SIM_BOOT_DELAY: 3 });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('SIM_BOOT_DELAY');
  });
});
