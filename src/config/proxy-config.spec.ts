import { describe, expect, it } from '@jest/globals';
import { AppConfig } from './app-config.js';

describe('proxy settings', () => {
  it('takes the socket address by default', () => {
    expect(AppConfig.fromEnv({}).trustProxy).toBe(false);
  });

  it.each([
    ['2', 2],
    ['false', false],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1,loopback', ['10.0.0.0/8', '192.168.1.1', 'loopback']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%p', (value, expected) => {
    expect(AppConfig.fromEnv({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1'])(
    'refuses TRUST_PROXY=%p',
    (value) => {
      expect(() => AppConfig.fromEnv({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY /);
    },
  );
});
