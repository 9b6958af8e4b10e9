import { describe, expect, it } from '@jest/globals';
import { createTestApp } from '../support/test-app.js';
import { sample } from '../support/prometheus.js';
import { bearer, signUp } from '../support/users.factory.js';

describe('GET /metrics', () => {
  it('is not there unless METRICS_ENABLED=1', async () => {
    const app = await createTestApp();
    try {
      await app.http().get('/metrics').expect(404);
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('exposes requests, logins, refreshes, refusals, hashing and the process, with bounded labels', async () => {
    const app = await createTestApp({
      METRICS_ENABLED: '1',
      LOGIN_MAX_FAILURES: '2',
      REFRESH_REUSE_INTERVAL: '0',
    });
    try {
      const user = await signUp(app);
      const login = (password: string) =>
        app.http().post('/login').send({ username: user.username, password });
      const tokens = (await login(user.password).expect(200)).body;
      await login('wrong one').expect(401);
      await app.http().post('/login').send({ username: 'ghost', password: 'whatever' }).expect(401);
      const rotated = await app
        .http()
        .post('/refresh')
        .send({ refresh_token: tokens.refresh_token });
      expect(rotated.status).toBe(200);
      await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
      await app.http().post('/refresh').send({ refresh_token: 'unknown' }).expect(401);
      await login('wrong two').expect(401);
      await login('wrong three').expect(429);
      await app.http().get('/protected').set('Authorization', bearer(rotated.body.access_token));
      await app.http().get(`/nope/${tokens.refresh_token}?user=${user.username}`).expect(404);

      const response = await app.http().get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = response.text;

      expect(sample(text, 'http_requests_total{method="POST",route="/login",status="200"}')).toBe(
        1,
      );
      expect(sample(text, 'http_requests_total{method="POST",route="/login",status="401"}')).toBe(
        3,
      );
      expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
        1,
      );
      expect(
        sample(
          text,
          'http_request_duration_seconds_count{method="GET",route="/protected",status="401"}',
        ),
      ).toBe(1);
      expect(sample(text, 'auth_logins_total{outcome="succeeded"}')).toBe(1);
      expect(sample(text, 'auth_logins_total{outcome="bad_password"}')).toBe(2);
      expect(sample(text, 'auth_logins_total{outcome="unknown_user"}')).toBe(1);
      expect(sample(text, 'auth_logins_total{outcome="limited"}')).toBe(1);
      expect(sample(text, 'auth_refreshes_total{outcome="rotated"}')).toBe(1);
      expect(sample(text, 'auth_refreshes_total{outcome="reused"}')).toBe(1);
      expect(sample(text, 'auth_refreshes_total{outcome="invalid"}')).toBe(1);
      expect(sample(text, 'auth_rate_limited_total{limit="account_address"}')).toBe(1);
      expect(sample(text, 'password_hash_queue_depth')).toBe(0);
      expect(
        sample(text, 'password_hash_duration_seconds_count{operation="compare"}'),
      ).toBeGreaterThan(0);
      expect(
        sample(text, 'password_hash_duration_seconds_count{operation="hash"}'),
      ).toBeGreaterThan(0);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d/m);

      // Labels never carry raw paths, usernames or tokens.
      expect(text).not.toContain(tokens.refresh_token);
      expect(text).not.toContain(user.username);
      expect(text).not.toContain('/nope');
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('counts a spent refresh token answered within REFRESH_REUSE_INTERVAL apart', async () => {
    const app = await createTestApp({ METRICS_ENABLED: '1' });
    try {
      const user = await signUp(app);
      const tokens = (
        await app
          .http()
          .post('/login')
          .send({ username: user.username, password: user.password })
          .expect(200)
      ).body;
      for (let i = 0; i < 3; i++) {
        await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(200);
      }
      const text = (await app.http().get('/metrics').expect(200)).text;
      expect(sample(text, 'auth_refreshes_total{outcome="rotated"}')).toBe(1);
      expect(sample(text, 'auth_refreshes_total{outcome="reuse_tolerated"}')).toBe(2);
      expect(sample(text, 'auth_refreshes_total{outcome="reused"}')).toBeUndefined();
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('wants the Bearer METRICS_TOKEN when one is set', async () => {
    const app = await createTestApp({
      METRICS_ENABLED: '1',
      METRICS_TOKEN: 'scrape-me-0123456789',
    });
    try {
      const refused = await app.http().get('/metrics').expect(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      await app
        .http()
        .get('/metrics')
        .set('Authorization', 'Bearer wrong-token-0123456789')
        .expect(401);
      await app
        .http()
        .get('/metrics')
        .set('Authorization', 'Bearer scrape-me-0123456789')
        .expect(200);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
