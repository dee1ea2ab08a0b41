import { describe, expect, it } from 'vitest';
import { parseProviderConfig } from '../../../src/infrastructure/config/provider-config.js';

const parse = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => parseProviderConfig(JSON.stringify(config), 'awsprov_config.json', env);

describe('IBM boolean keys of the provider config', () => {
  it.each([true, 'true', 'TRUE', ' True '])('ACCEPT_PROPAGATED_LOG_SETTING %j takes HostFactory\'s log level', (value) => {
    expect(parse({ ACCEPT_PROPAGATED_LOG_SETTING: value, LOG_LEVEL: 'warn' }, { HF_LOGLEVEL: 'LOG_DEBUG' }).logLevel).toBe('debug');
  });

  it.each([false, 'false', 'False'])('ACCEPT_PROPAGATED_LOG_SETTING %j keeps LOG_LEVEL', (value) => {
    expect(parse({ ACCEPT_PROPAGATED_LOG_SETTING: value, LOG_LEVEL: 'warn' }, { HF_LOGLEVEL: 'LOG_DEBUG' }).logLevel).toBe('warn');
  });

  it('reads RETURN_UNTRACKED_HOSTS and RECONCILE_APPLY written either way', () => {
    const config = parse({ RETURN_UNTRACKED_HOSTS: 'TRUE', RECONCILE_APPLY: 'false' });
    expect(config.returnUntrackedHosts).toBe(true);
    expect(config.reconcile.apply).toBe(false);
    expect(parse({ RETURN_UNTRACKED_HOSTS: false, RECONCILE_APPLY: true }).reconcile.apply).toBe(true);
  });

  it.each(['ACCEPT_PROPAGATED_LOG_SETTING', 'RETURN_UNTRACKED_HOSTS', 'RECONCILE_APPLY'])('refuses %s when it is neither true nor false, naming the key', (key) => {
    expect(() => parse({ [key]: 'maybe' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(key) }));
    expect(() => parse({ [key]: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('HF_LOGLEVEL taken when ACCEPT_PROPAGATED_LOG_SETTING is true', () => {
  it.each([
    ['LOG_TRACE', 'trace'],
    ['LOG_DEBUG', 'debug'],
    ['log_info', 'info'],
    ['LOG_NOTICE', 'info'],
    ['LOG_WARNING', 'warn'],
    ['LOG_ERR', 'error'],
    ['LOG_CRIT', 'fatal'],
  ])('HF_LOGLEVEL %s, in Symphony\'s spelling, is the %s level', (hfLevel, level) => {
    expect(parse({ ACCEPT_PROPAGATED_LOG_SETTING: true, LOG_LEVEL: 'warn' }, { HF_LOGLEVEL: hfLevel }).logLevel).toBe(level);
  });

  it('keeps LOG_LEVEL when HF_LOGLEVEL is absent or not a level', () => {
    expect(parse({ ACCEPT_PROPAGATED_LOG_SETTING: true, LOG_LEVEL: 'warn' }, {}).logLevel).toBe('warn');
    expect(parse({ ACCEPT_PROPAGATED_LOG_SETTING: true, LOG_LEVEL: 'warn' }, { HF_LOGLEVEL: 'LOUD' }).logLevel).toBe('warn');
  });
});

describe('CAPACITY_MEMORY_TTL_SEC', () => {
  it('is 180 s by default (as Karpenter), read as a number or a string, 0 to turn the memory off', () => {
    expect(parse({}).capacityMemoryTtlSec).toBe(180);
    expect(parse({ CAPACITY_MEMORY_TTL_SEC: '60' }).capacityMemoryTtlSec).toBe(60);
    expect(parse({ CAPACITY_MEMORY_TTL_SEC: 0 }).capacityMemoryTtlSec).toBe(0);
  });

  it.each([-1, 1.5, 'soon'])('refuses %j, naming the key', (value) => {
    expect(() => parse({ CAPACITY_MEMORY_TTL_SEC: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('CAPACITY_MEMORY_TTL_SEC') }));
  });
});

describe('PRICE_CACHE_TTL_SEC and PRICE_INFO', () => {
  it('keep prices an hour and add no priceInfo by default', () => {
    expect(parse({}).prices).toEqual({ cacheTtlSec: 3600, priceInfo: 'off' });
    expect(parse({ PRICE_CACHE_TTL_SEC: '600', PRICE_INFO: 'auto' }).prices).toEqual({ cacheTtlSec: 600, priceInfo: 'auto' });
  });

  it('refuses a PRICE_INFO other than off or auto, naming the key', () => {
    expect(() => parse({ PRICE_INFO: 'on' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('PRICE_INFO') }));
  });
});
