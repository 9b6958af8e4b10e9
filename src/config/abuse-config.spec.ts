import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';
import { AppConfig } from './app-config.js';

describe('abuse settings', () => {
  it('has the documented defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config.abuse).toEqual({
      loginMaxFailures: 10,
      loginFailureWindowSeconds: 900,
      loginMaxFailuresAccount: 100,
      loginMaxFailuresPerAddress: 100,
      rateLimitPerIp: 30,
      passwordDenylist: true,
    });
  });

  it('reads the limits and PASSWORD_DENYLIST', () => {
    const config = AppConfig.fromEnv({
      LOGIN_MAX_FAILURES: '5',
      LOGIN_FAILURE_WINDOW: '1h',
      LOGIN_MAX_FAILURES_ACCOUNT: '50',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '500',
      RATE_LIMIT_PER_IP: '0',
      PASSWORD_DENYLIST: 'off',
    });
    expect(config.abuse).toEqual({
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 3600,
      loginMaxFailuresAccount: 50,
      loginMaxFailuresPerAddress: 500,
      rateLimitPerIp: 0,
      passwordDenylist: false,
    });
    expect(() => AppConfig.fromEnv({ PASSWORD_DENYLIST: 'maybe' })).toThrow(/^PASSWORD_DENYLIST /);
    expect(() => AppConfig.fromEnv({ LOGIN_MAX_FAILURES: '0' })).toThrow(/^LOGIN_MAX_FAILURES /);
  });

  it('reads LOGIN_MAX_FAILURES_ACCOUNT (at least 1: NIST’s cap cannot be turned off)', () => {
    expect(fromEnv({ LOGIN_MAX_FAILURES_ACCOUNT: '1' }).abuse.loginMaxFailuresAccount).toBe(1);
    for (const value of ['0', '-1', 'many', '1.5']) {
      expect(failure({ LOGIN_MAX_FAILURES_ACCOUNT: value }).variable).toBe(
        'LOGIN_MAX_FAILURES_ACCOUNT',
      );
    }
  });

  it('reads LOGIN_MAX_FAILURES_PER_ADDRESS, 0 turning it off', () => {
    expect(fromEnv({ LOGIN_MAX_FAILURES_PER_ADDRESS: '0' }).abuse.loginMaxFailuresPerAddress).toBe(
      0,
    );
    for (const value of ['-1', 'lots', '2.5']) {
      expect(failure({ LOGIN_MAX_FAILURES_PER_ADDRESS: value }).variable).toBe(
        'LOGIN_MAX_FAILURES_PER_ADDRESS',
      );
    }
  });
});
