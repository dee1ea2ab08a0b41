import { describe, expect, it } from 'vitest';
import { parseProviderConfig } from '../../../src/infrastructure/config/provider-config.js';

const typeOf = (value: unknown) => parseProviderConfig(JSON.stringify(value === undefined ? {} : { PROVIDER_TYPE: value }), '/etc/hf/xprov_config.json', {}).providerType;

describe('PROVIDER_TYPE', () => {
  it('takes a provider id or an npm package name; none means aws (IBM\'s file unchanged)', () => {
    expect(typeOf(undefined)).toBe('aws');
    expect(typeOf('sim')).toBe('sim');
    expect(typeOf(' static-pool ')).toBe('static-pool');
    expect(typeOf('@acme/hostfactory-provider-x')).toBe('@acme/hostfactory-provider-x');
  });

  it('refuses what can name neither, naming the file and the key', () => {
    for (const value of ['AWS', '../evil', '@acme/', '', 42]) {
      expect(() => typeOf(value), String(value)).toThrow(/^config file \/etc\/hf\/xprov_config\.json: PROVIDER_TYPE: /);
    }
  });
});
