import { describe, expect, it } from '@jest/globals';
import { UsersRepository } from '../../src/users/users.repository.js';
import { LogLines } from '../support/log-lines.js';
import { createTestApp } from '../support/test-app.js';
import { aUser, bearer } from '../support/users.factory.js';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
const BCRYPT = /\$2[aby]\$\d\d\$/;

describe('logs', () => {
  it('carry no password, token or hash, even at trace level, through a whole session', async () => {
    const logs = new LogLines();
    const app = await createTestApp({ LOG_LEVEL: 'trace' }, { logStream: logs });
    const secrets: string[] = [];
    try {
      const user = aUser();
      secrets.push(user.password);
      await app.http().post('/signup').send(user).expect(201);
      const login = await app
        .http()
        .post('/login')
        .type('form')
        .set(
          'Authorization',
          `Basic ${Buffer.from('client:client-secret-value').toString('base64')}`,
        )
        .send({
          grant_type: 'password',
          username: user.username,
          password: user.password,
          client_secret: 'client-secret-value',
        })
        .expect(200);
      secrets.push('client-secret-value', login.body.access_token, login.body.refresh_token);
      const refreshed = await app
        .http()
        .post('/refresh')
        .send({ refresh_token: login.body.refresh_token })
        .expect(200);
      secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
      const token: string = refreshed.body.access_token;
      await app.http().get('/protected').set('Authorization', bearer(token)).expect(200);
      await app.http().get('/protected').set('Cookie', `session=${token}`).expect(401);
      // Tokens in a URL: the query of a known route, and an unknown path.
      await app
        .http()
        .get(`/protected?access_token=${token}`)
        .set('Authorization', bearer(token))
        .expect(200);
      await app.http().get(`/nope/${refreshed.body.refresh_token}/${token}`).expect(404);
      const newPassword = `${user.password}-new`;
      secrets.push(newPassword);
      await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(token))
        .send({ current_password: user.password, new_password: newPassword })
        .expect(204);
      await app
        .http()
        .post('/login')
        .send({ username: user.username, password: 'a wrong guess' })
        .expect(401);
      secrets.push('a wrong guess');
    } finally {
      await app.close({ removeData: true });
    }

    expect(logs.raw.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs.text).not.toContain(secret);
    expect(logs.text).not.toMatch(JWT);
    expect(logs.text).not.toMatch(BCRYPT);
    // Every line is JSON, and Nest's own messages share the format.
    expect(logs.entries.some((entry) => entry.context === 'NestApplication')).toBe(true);
  });

  it('write one line per request: method, route pattern, status, duration, IP, user id and request id', async () => {
    const logs = new LogLines();
    const app = await createTestApp({ LOG_LEVEL: 'info' }, { logStream: logs });
    try {
      const user = aUser();
      await app.http().post('/signup').send(user).expect(201);
      const login = await app.http().post('/login').send(user).expect(200);
      const response = await app
        .http()
        .get('/me/sessions?limit=5')
        .set('Authorization', bearer(login.body.access_token))
        .set('X-Request-Id', 'trace-me-123')
        .expect(200);
      expect(response.headers['x-request-id']).toBe('trace-me-123');

      const lines = logs.entries.filter((entry) => entry.msg === 'request');
      expect(lines).toHaveLength(3);
      const sessions = lines.find((line) => line.request_id === 'trace-me-123');
      expect(sessions).toMatchObject({
        level: 'info',
        method: 'GET',
        route: '/me/sessions',
        status: 200,
        duration_ms: expect.any(Number),
        ip: expect.any(String),
        user_id: login.body.access_token ? expect.stringMatching(/^[0-9a-f-]{36}$/) : undefined,
      });
      expect(JSON.stringify(sessions)).not.toContain('limit=5');
      const signup = lines.find((line) => line.route === '/signup');
      expect(signup).toMatchObject({ method: 'POST', status: 201 });
      expect(signup).not.toHaveProperty('user_id');

      // What the router refuses before any Nest code runs gets its line too, token masked.
      const refused = await app
        .http()
        .delete(`/me/sessions/${'A'.repeat(120)}`)
        .expect(414);
      const refusal = logs.entries.find((entry) => entry.request_id === refused.body.request_id);
      expect(refusal).toMatchObject({ msg: 'request', method: 'DELETE', route: null, status: 414 });
      expect(JSON.stringify(refusal)).not.toContain('A'.repeat(32));
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('request ids', () => {
  it('keep a valid X-Request-Id, replace an invalid one, and appear in every problem body', async () => {
    const app = await createTestApp();
    try {
      const kept = await app
        .http()
        .get('/protected')
        .set('X-Request-Id', 'abc-123_XYZ')
        .expect(401);
      expect(kept.headers['x-request-id']).toBe('abc-123_XYZ');
      expect(kept.body.request_id).toBe('abc-123_XYZ');

      for (const invalid of ['x'.repeat(129), 'has space', 'ünïcode']) {
        const response = await app.http().get('/nope').set('X-Request-Id', invalid).expect(404);
        expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(response.body.request_id).toBe(response.headers['x-request-id']);
      }
      const generated = await app.http().get('/health').expect(200);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('an unexpected exception', () => {
  it('is logged once with its stack and the request id; the client gets a plain 500', async () => {
    const logs = new LogLines();
    const app = await createTestApp(
      { LOG_LEVEL: 'info' },
      {
        logStream: logs,
        override: (builder) =>
          builder.overrideProvider(UsersRepository).useValue({
            findByUsername: () => Promise.reject(new Error('disk on fire: /var/lib/secret-path')),
          }),
      },
    );
    try {
      const response = await app
        .http()
        .post('/login')
        .set('X-Request-Id', 'boom-1')
        .send({ username: 'someone', password: 'whatever password' })
        .expect(500);
      // /login is an OAuth2 endpoint: its errors are application/json with an `error` code.
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        type: '/problems/internal-error',
        title: 'Internal server error',
        status: 500,
        detail: 'Something went wrong on our side.',
        error: 'server_error',
        request_id: 'boom-1',
      });

      const errors = logs.entries.filter((entry) => entry.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        request_id: 'boom-1',
        msg: 'Unhandled exception',
        err: {
          message: 'disk on fire: /var/lib/secret-path',
          stack: expect.stringContaining('Error: disk on fire'),
        },
      });
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('a database that does not answer', () => {
  const failingWith = async (error: Error) => {
    const logs = new LogLines();
    const app = await createTestApp(
      { LOG_LEVEL: 'info' },
      {
        logStream: logs,
        override: (builder) =>
          builder.overrideProvider(UsersRepository).useValue({
            findByUsername: () => Promise.reject(error),
          }),
      },
    );
    return { app, logs };
  };
  const pgError = (message: string, code?: string) =>
    Object.assign(new Error(message), code === undefined ? {} : { code });

  it.each([
    ['connection refused', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', pgError('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown', pgError('terminating connection due to administrator command', '57P01')],
    ['connection terminated', pgError('Connection terminated unexpectedly')],
    ['pool timeout', pgError('timeout exceeded when trying to connect')],
  ])(
    'answers 503 with Retry-After, and logs which dependency failed (%s)',
    async (_case, error) => {
      const { app, logs } = await failingWith(error);
      try {
        const response = await app
          .http()
          .post('/login')
          .set('X-Request-Id', 'db-gone-1')
          .send({ username: 'someone', password: 'whatever password' })
          .expect(503);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.body).toEqual({
          type: '/problems/dependency-unavailable',
          title: 'Dependency unavailable',
          status: 503,
          detail: 'The database is not answering; try again shortly.',
          error: 'temporarily_unavailable',
          request_id: 'db-gone-1',
        });
        const lines = logs.entries.filter((entry) => entry.request_id === 'db-gone-1');
        expect(lines).toContainEqual(
          expect.objectContaining({ dependency: 'database', msg: 'Dependency unavailable' }),
        );
        // Not a bug: no "Unhandled exception" line, no stack.
        expect(lines.filter((entry) => entry.msg === 'Unhandled exception')).toHaveLength(0);
      } finally {
        await app.close({ removeData: true });
      }
    },
  );

  it('still answers 500 for SQLite busy, which is no outage', async () => {
    const { app } = await failingWith(pgError('database is locked', 'SQLITE_BUSY'));
    try {
      await app
        .http()
        .post('/login')
        .send({ username: 'someone', password: 'whatever password' })
        .expect(500);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
