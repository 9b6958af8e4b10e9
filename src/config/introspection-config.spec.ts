import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';

describe('AppConfig.fromEnv: introspection', () => {
  describe('INTROSPECTION_CLIENTS', () => {
    const secret = 's'.repeat(32);

    it('is empty unless set, and takes client_id:client_secret pairs', () => {
      expect(fromEnv({}).introspectionClients).toEqual([]);
      expect(
        fromEnv({ INTROSPECTION_CLIENTS: `api:${secret}, billing:${secret}:with-colon` })
          .introspectionClients,
      ).toEqual([
        { id: 'api', secret },
        { id: 'billing', secret: `${secret}:with-colon` },
      ]);
    });

    it.each([
      ['a short secret', 'api:short'],
      ['no secret', 'api'],
      ['no id', `:${'s'.repeat(32)}`],
      ['an id used twice', `api:${'s'.repeat(32)},api:${'t'.repeat(32)}`],
    ])('refuses %s without echoing the secret', (_case, value) => {
      const error = failure({ INTROSPECTION_CLIENTS: value });
      expect(error.variable).toBe('INTROSPECTION_CLIENTS');
      expect(error.message).not.toContain('short');
      expect(error.message).not.toContain('s'.repeat(32));
    });
  });
});
