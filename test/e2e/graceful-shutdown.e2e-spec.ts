import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../src/database/database.factory.js';
import { ensureBuilt, ServerProcess } from '../support/server-process.js';
import { aUser } from '../support/users.factory.js';

interface Outcome {
  readonly sentAt: number;
  readonly status?: number;
  readonly error?: string;
  readonly signup?: string;
}

/** One HTTP request on a keep-alive agent; a connection error is an outcome, not a throw. */
function send(
  agent: Agent,
  url: string,
  method: string,
  body?: object,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(
      url,
      {
        method,
        agent,
        headers: payload ? { ...headers, 'content-type': 'application/json' } : headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ sentAt, status: res.statusCode }));
        res.on('error', (error) => resolve({ sentAt, error: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ sentAt, error: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

describe('graceful shutdown of the built server', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const env = async (overrides: Record<string, string> = {}) => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-shutdown-'));
    dirs.push(dir);
    return {
      NODE_ENV: 'test',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_IP: '0',
      DATA_DIR: dir,
      SHUTDOWN_DRAIN: '1s',
      SHUTDOWN_TIMEOUT: '10s',
      ...overrides,
    };
  };

  it('on SIGTERM: not ready at once, completes every accepted request, loses no write, exits 0 quickly', async () => {
    const serverEnv = await env();
    const server = await ServerProcess.start(serverEnv);
    const user = aUser();
    await server.request('POST', '/signup', { body: user });
    const login = await server.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    const token = login.body.access_token as string;

    // Steady load: 8 keep-alive clients, each alternating a signup (a write) and /protected.
    const outcomes: Outcome[] = [];
    let stop = false;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const signup = aUser();
        const created = await send(agent, `${server.url}/signup`, 'POST', signup);
        outcomes.push({ ...created, signup: signup.username });
        outcomes.push(
          await send(agent, `${server.url}/protected`, 'GET', undefined, {
            authorization: `Bearer ${token}`,
          }),
        );
        if (created.error || (created.status ?? 0) >= 500)
          await new Promise((r) => setTimeout(r, 20));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const signalAt = Date.now();
    const exited = server.stop('SIGTERM');
    let readyStatus: number | undefined;
    let readyAfter: number;
    let code: number | null;
    let exitedAfter: number;
    try {
      // Readiness fails at once (as soon as the signal is handled, long before the 1 s drain
      // ends), so a load balancer stops sending new traffic while the server still answers.
      do {
        readyStatus = (await send(new Agent(), `${server.url}/health/ready`, 'GET')).status;
        readyAfter = Date.now() - signalAt;
      } while (readyStatus === 200 && readyAfter < 500);
      code = await exited;
      exitedAfter = Date.now() - signalAt;
    } finally {
      // Whatever happens, the clients stop: a failing assertion must not leave them looping.
      stop = true;
      await Promise.all(clients);
      agent.destroy();
      await server.stop('SIGKILL');
    }

    expect(readyStatus).toBe(503);
    expect(readyAfter).toBeLessThan(500);
    expect(code).toBe(0);
    // SHUTDOWN_DRAIN is 1 s: nothing (timers, workers, connections) kept the process alive after.
    expect(exitedAfter).toBeLessThan(4_000);

    const beforeSignal = outcomes.filter((outcome) => outcome.sentAt < signalAt);
    expect(beforeSignal.length).toBeGreaterThan(50);
    const failed = beforeSignal.filter((o) => o.error !== undefined || (o.status ?? 0) >= 500);
    expect(failed).toEqual([]);
    expect(server.output.join('')).toMatch(/SIGTERM: readiness now answers 503/);

    // No lost write: every signup that answered 201 is there after a restart.
    const created = outcomes.filter((o) => o.status === 201).map((o) => o.signup!.toLowerCase());
    expect(created.length).toBeGreaterThan(10);
    const db = await openDatabase({
      kind: 'sqlite',
      file: join(serverEnv.DATA_DIR, 'auth.sqlite'),
    });
    try {
      const rows = await db.selectFrom('users').select('username_key').execute();
      const stored = new Set(rows.map((row) => row.username_key));
      expect(created.filter((name) => !stored.has(name))).toEqual([]);
    } finally {
      await db.destroy();
    }
  }, 60_000);

  it('exits 1 after SHUTDOWN_TIMEOUT, saying what was still running', async () => {
    const server = await ServerProcess.start(
      await env({ SHUTDOWN_DRAIN: '0', SHUTDOWN_TIMEOUT: '2s' }),
    );
    // A request that never finishes: its body never fully arrives.
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalAt = Date.now();
    const code = await server.stop('SIGTERM');
    socket.destroy();
    expect(code).toBe(1);
    expect(Date.now() - signalAt).toBeLessThan(5_000);
    expect(server.output.join('')).toMatch(
      /Shutdown timed out after 2s; still running: requests POST \/signup/,
    );
  }, 30_000);
});
