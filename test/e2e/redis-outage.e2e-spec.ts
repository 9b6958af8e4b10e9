import { describe, expect, it } from '@jest/globals';
import { LogCapture } from '../support/log-capture.js';
import { freshKeyPrefix, testRedisUrl } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logInForTokens, signUp } from '../support/users.factory.js';

const redisUrl = await testRedisUrl();

const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

(redisUrl ? describe : describe.skip)('when Redis goes away and comes back', () => {
  it('keeps answering, degrades to per-instance limits, logs it once, recovers, and never accepts a revoked token', async () => {
    const target = new URL(redisUrl!);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    const logs = new LogCapture();
    let app: TestApp | undefined;
    try {
      app = await createTestApp(
        {
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          REDIS_KEY_PREFIX: freshKeyPrefix(),
          LOGIN_MAX_FAILURES: '3',
        },
        { logger: logs },
      );
      const http = () => app!.http();
      const ready = async () => (await http().get('/health/ready')).body as Record<string, unknown>;
      expect(await ready()).toMatchObject({ status: 'ok', checks: { redis: 'ok' } });

      const user = await signUp(app);
      const kept = await logInForTokens(app, user);
      const loggedOut = await logInForTokens(app, user);
      await http().post('/logout').set('Authorization', bearer(loggedOut.access_token)).expect(204);

      // Redis goes away.
      await proxy.stop();
      await eventually(async () => (await ready()).status === 'degraded');
      expect(await ready()).toMatchObject({ checks: { database: 'ok', redis: 'unavailable' } });

      // The service keeps answering, correctly.
      await http().get('/health').expect(200);
      await http().get('/protected').set('Authorization', bearer(kept.access_token)).expect(200);
      await http()
        .get('/protected')
        .set('Authorization', bearer(loggedOut.access_token))
        .expect(401);
      const newcomer = await signUp(app, aUser());
      const during = await logInForTokens(app, newcomer);
      await http().post('/logout').set('Authorization', bearer(during.access_token)).expect(204);
      await http().get('/protected').set('Authorization', bearer(during.access_token)).expect(401);
      await http().post('/refresh').send({ refresh_token: during.refresh_token }).expect(401);

      // Limits still hold, per instance.
      const target = aUser().username;
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (await http().post('/login').send({ username: target, password: 'x' })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429]);

      // Let ioredis retry a few times: the outage is still logged once.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(logs.count(/Redis is unavailable/)).toBe(1);

      // Redis comes back; the service notices by itself.
      await proxy.start();
      await eventually(async () => (await ready()).status === 'ok');
      expect(logs.count(/Redis is available/)).toBeGreaterThanOrEqual(1);
      expect(logs.count(/Redis is unavailable/)).toBe(1);

      // Nothing was lost, and nothing revoked came back to life.
      await logInForTokens(app, newcomer);
      for (const tokens of [loggedOut, during]) {
        await http()
          .get('/protected')
          .set('Authorization', bearer(tokens.access_token))
          .expect(401);
        await http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
      }
      await http().get('/protected').set('Authorization', bearer(kept.access_token)).expect(200);
    } finally {
      await app?.close({ removeData: true });
      await proxy.stop();
    }
  }, 60_000);
});
