import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../config/app-config.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { basicCredentials, IntrospectionClients } from './introspection-clients.js';

const SECRET = 'a-secret-of-thirty-two-chars-or+more/=';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('IntrospectionClients', () => {
  const clients = new IntrospectionClients(
    AppConfig.fromEnv({ INTROSPECTION_CLIENTS: `api:${SECRET},billing:${'b'.repeat(40)}` }),
  );

  it('knows a configured client by its Basic credentials, form-urlencoded or not', () => {
    expect(clients.authenticate(basic('api', SECRET))).toBe('api');
    expect(clients.authenticate(basic('api', encodeURIComponent(SECRET)))).toBe('api');
    expect(clients.authenticate(basic('billing', 'b'.repeat(40)))).toBe('billing');
  });

  it.each([
    ['no header', undefined],
    ['a Bearer header', 'Bearer abc'],
    ['a wrong secret', basic('api', 'b'.repeat(40))],
    ["another client's secret", basic('billing', SECRET)],
    ['an unknown client', basic('nobody', SECRET)],
    ['garbage', 'Basic !!!'],
  ])('refuses %s with 401 invalid_client and a Basic challenge', (_case, header) => {
    expect.assertions(2);
    try {
      clients.authenticate(header);
    } catch (error) {
      expect((error as ProblemException).problem).toMatchObject({
        status: 401,
        error: 'invalid_client',
      });
      expect((error as ProblemException).headers['WWW-Authenticate']).toBe(
        'Basic realm="introspection"',
      );
    }
  });

  it('refuses everyone when no client is configured', () => {
    const none = new IntrospectionClients(AppConfig.fromEnv({}));
    expect(none.configured).toBe(false);
    expect(() => none.authenticate(basic('api', SECRET))).toThrow(ProblemException);
  });

  it('reads a Basic header both as it stands and form-urlencoded', () => {
    expect(basicCredentials(basic('a%20b', 'c+d'))).toEqual([
      { id: 'a%20b', secret: 'c+d' },
      { id: 'a b', secret: 'c d' },
    ]);
    expect(basicCredentials(basic('', 'x'))).toEqual([]);
    expect(basicCredentials(basic('a', '%E0%A4%A'))).toEqual([{ id: 'a', secret: '%E0%A4%A' }]);
  });
});
