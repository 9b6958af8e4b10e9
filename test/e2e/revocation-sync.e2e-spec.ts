import { describe, expect, it } from '@jest/globals';
import { SqlSessionsRepository } from '../../src/sessions/repositories/sql.sessions.repository.js';
import { openDatabase } from '../../src/database/database.factory.js';
import { decodeJwt } from '../support/jwt.js';
import { createTestApp } from '../support/test-app.js';
import { bearer, logInForTokens, signUp } from '../support/users.factory.js';

describe('revocation across instances', () => {
  it('refuses, within a second, a token whose session another instance ended in the shared store', async () => {
    const app = await createTestApp();
    try {
      if (app.config.database.kind === 'memory') throw new Error('needs a SQL store');
      const tokens = await logInForTokens(app, await signUp(app));
      await app
        .http()
        .get('/protected')
        .set('Authorization', bearer(tokens.access_token))
        .expect(200);

      // "Another instance": its own connection to the same database, ending the session there.
      const otherInstance = await openDatabase(app.config.database);
      const sessionId = decodeJwt(tokens.access_token).payload.sid as string;
      await new SqlSessionsRepository(otherInstance).revoke([sessionId], new Date());
      await otherInstance.destroy();
      const revokedAt = Date.now();

      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (
          await app.http().get('/protected').set('Authorization', bearer(tokens.access_token))
        ).status;
      }
      expect(status).toBe(401);
      expect(Date.now() - revokedAt).toBeLessThan(1_000);
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('revocation across instances, a late or slow-clocked writer', () => {
  it('refuses a token whose revocation was written with a timestamp 30 s in the past', async () => {
    const app = await createTestApp();
    try {
      if (app.config.database.kind === 'memory') throw new Error('needs a SQL store');
      const tokens = await logInForTokens(app, await signUp(app));
      // Let a few polls pass, so the instance's last sync is well after the timestamp below.
      await new Promise((resolve) => setTimeout(resolve, 1_200));

      // "Another instance" whose clock is 30 s behind (or whose write committed 30 s after its
      // timestamp, after a pool wait or a lock): revoked_at lies far behind this instance's polls.
      const otherInstance = await openDatabase(app.config.database);
      const sessionId = decodeJwt(tokens.access_token).payload.sid as string;
      await new SqlSessionsRepository(otherInstance).revoke(
        [sessionId],
        new Date(Date.now() - 30_000),
      );
      await otherInstance.destroy();
      const revokedAt = Date.now();

      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (
          await app.http().get('/protected').set('Authorization', bearer(tokens.access_token))
        ).status;
      }
      expect(status).toBe(401);
      expect(Date.now() - revokedAt).toBeLessThan(1_000);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
