import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { KEY_RING_FILE_NAME } from '../../src/tokens/key-ring.file.js';
import { decodeJwt } from '../support/jwt.js';
import { createTestApp } from '../support/test-app.js';
import { logIn, signUp } from '../support/users.factory.js';

describe('the signing secret', () => {
  it('is generated on first start, kept with the data, and still verifies tokens after a restart', async () => {
    const first = await createTestApp();
    const token = await logIn(first, await signUp(first));
    await first.close();

    const second = await createTestApp(first.env);
    await second.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(200);
    await second.close({ removeData: true });
  });

  it('is kept in DATA_DIR, owner-only, with the memory store', async () => {
    const first = await createTestApp({ DATABASE_URL: 'memory:' });
    const token = await logIn(first, await signUp(first));
    const file = await stat(join(first.dataDir, KEY_RING_FILE_NAME));
    expect(file.mode & 0o777).toBe(0o600);
    await first.close();
    const second = await createTestApp(first.env);
    await second.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(200);
    await second.close({ removeData: true });
  });

  it('differs between data directories, so one deployment cannot verify another’s tokens', async () => {
    // One app at a time: Passport keeps strategies in a process-wide registry.
    const a = await createTestApp();
    const token = await logIn(a, await signUp(a));
    await a.close({ removeData: true });
    const b = await createTestApp();
    await b.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(401);
    await b.close({ removeData: true });
  });

  it('honours ACCESS_TOKEN_TTL', async () => {
    const app = await createTestApp({ ACCESS_TOKEN_TTL: '5m' });
    const user = await signUp(app);
    const response = await app
      .http()
      .post('/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(response.body.expires_in).toBe(300);
    const { payload } = decodeJwt(response.body.access_token);
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    await app.close({ removeData: true });
  });

  it('refuses a token once it expires, even after it was verified (and remembered) before', async () => {
    const app = await createTestApp({ ACCESS_TOKEN_TTL: '2' });
    try {
      const token = await logIn(app, await signUp(app));
      await app.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(200);
      const { payload } = decodeJwt(token);
      await new Promise((resolve) =>
        setTimeout(resolve, (payload.exp as number) * 1000 - Date.now() + 50),
      );
      const response = await app
        .http()
        .get('/protected')
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
      expect(response.body.detail).toBe('Token expired');
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('uses JWT_ISSUER and JWT_AUDIENCE', async () => {
    const app = await createTestApp({ JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'api' });
    const token = await logIn(app, await signUp(app));
    expect(decodeJwt(token).payload).toMatchObject({ iss: 'https://auth.example', aud: 'api' });
    await app.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(200);
    await app.close({ removeData: true });
  });
});
