import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';

describe('AppConfig.fromEnv: browsers on other origins', () => {
  it('has no CORS and no refresh token cookie by default', () => {
    expect(fromEnv({}).browser).toEqual({ corsOrigins: [], refreshTokenCookie: false });
  });

  it('takes exact origins, trimmed and deduplicated, and REFRESH_TOKEN_COOKIE=on', () => {
    const config = fromEnv({
      CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ,https://app.example.com',
      REFRESH_TOKEN_COOKIE: 'on',
    });
    expect(config.browser).toEqual({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      refreshTokenCookie: true,
    });
  });

  it('takes * alone, without the cookie', () => {
    expect(fromEnv({ CORS_ORIGINS: '*' }).browser.corsOrigins).toBe('*');
  });

  it('refuses * together with REFRESH_TOKEN_COOKIE=on', () => {
    const error = failure({ CORS_ORIGINS: '*', REFRESH_TOKEN_COOKIE: 'on' });
    expect(error.variable).toBe('CORS_ORIGINS');
    expect(error.message).toContain('REFRESH_TOKEN_COOKIE=on');
  });

  it.each([
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://*.example.com',
    'https://app.example.com:443',
    'ftp://app.example.com',
    'https://app.example.com,*',
  ])('refuses CORS_ORIGINS=%s, which no browser Origin would ever equal', (value) => {
    expect(failure({ CORS_ORIGINS: value }).variable).toBe('CORS_ORIGINS');
  });

  it('refuses a REFRESH_TOKEN_COOKIE other than on or off', () => {
    expect(failure({ REFRESH_TOKEN_COOKIE: 'yes' }).variable).toBe('REFRESH_TOKEN_COOKIE');
  });
});
