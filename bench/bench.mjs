#!/usr/bin/env node
// `npm run bench`: measures the built server on this machine and checks the performance goals.
// Starts `node dist/main.js` with its own temporary DATA_DIR (SQLite), drives it with autocannon on
// loopback, prints a markdown table and exits non-zero when a goal is missed. Bounded: ~1.5 min.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import bcrypt from 'bcryptjs';
import { SMTPServer } from 'smtp-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORES = availableParallelism();
const COST = 12;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const GOALS = {
  protectedVsHealth: 0.65,
  stormP99Factor: 3,
  loginEfficiency: 0.85,
  forgotTimingSpread: 0.1,
};
/** Distinct addresses per side of the /password/forgot timing comparison. */
const FORGOT_ADDRESSES = 200;
const STORM_CONCURRENCY = 8;
/** Fixed offered load for the latency runs, well under capacity, so p99 measures waiting, not queueing. */
const LATENCY_RATE = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An SMTP server that accepts and discards every mail: the service's relay during the bench. */
async function startSmtpSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function startServer(smtpUrl) {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.mjs')], {
    stdio: 'inherit',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      BCRYPT_COST: String(COST),
      LOG_LEVEL: 'info',
      // The benchmark is one client hammering from one address: measure the service, not its limits.
      RATE_LIMIT_PER_IP: '0',
      LOGIN_MAX_FAILURES: '10000',
      SHUTDOWN_DRAIN: '0',
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'bench@example.com',
    },
    // Logs at info, as deployed, but not on the terminal: one JSON line per request.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url, dataDir };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function load(url, options) {
  return autocannon({ url, connections: 50, duration: SECONDS, ...options });
}

/** Requests per second over a run, counting only 2xx answers. */
const rps = (result) => result['2xx'] / (result.duration || SECONDS);

/**
 * Logins at COST, STORM_CONCURRENCY at a time, from a worker thread, for `seconds` or until the
 * returned `stop()` is called. `done` resolves to the number of successful logins.
 */
function loginStorm(url, credentials, seconds = 3600) {
  const worker = new Worker(new URL('./login-storm.worker.mjs', import.meta.url), {
    workerData: {
      url,
      credentials,
      concurrency: STORM_CONCURRENCY,
      stopAt: Date.now() + seconds * 1000,
    },
  });
  const done = new Promise((resolve, reject) => {
    worker.once('message', ({ done: count, failed }) => {
      // Its 'stop' listener and keep-alive sockets would keep the bench alive after the table.
      void worker.terminate();
      if (failed) reject(new Error(`${failed} logins failed during the storm`));
      else resolve(count);
    });
    worker.once('error', reject);
  });
  return { done, stop: () => worker.postMessage('stop') };
}

/**
 * /protected latency at a fixed offered rate (autocannon reports whole milliseconds, too coarse
 * here): `connections` keep-alive connections, each sending on its own schedule, every response
 * timed with hrtime. Answers p50 and p99 in ms.
 */
async function latencyAtRate(url, headers, rate, seconds, connections = 10) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const samples = [];
  const interval = (1000 * connections) / rate;
  const get = () =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - start) / 1e6);
        });
      });
      req.on('error', reject);
      req.end();
    });
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      await sleep((i * interval) / connections);
      let next = performance.now();
      while (Date.now() < end) {
        samples.push(await get());
        next += interval;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }),
  );
  agent.destroy();
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), count: samples.length };
}

/**
 * POST /password/forgot for FORGOT_ADDRESSES registered and as many unregistered addresses, each
 * asked once, in a shuffled order, one request at a time with a pause between them (so the
 * background sender's work for one request does not land on the next). Answers ms per request.
 */
async function forgotTiming(url, sink) {
  const users = Array.from({ length: FORGOT_ADDRESSES + 10 }, (_, i) => ({
    username: `forgot${i}`,
    email: `forgot${i}@example.com`,
    password: 'correct-horse-battery-staple',
  }));
  // Signing up is bcrypt at cost 12: a few at a time keeps both cores busy.
  for (let i = 0; i < users.length; i += 4) {
    await Promise.all(users.slice(i, i + 4).map((user) => post(`${url}/signup`, user)));
  }
  // Let signup's verification mails go out before measuring.
  for (let i = 0; i < 300 && sink.received() < users.length; i++) await sleep(100);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const forgot = (email) =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request(
        `${url}/password/forgot`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 202) reject(new Error(`forgot answered ${res.statusCode}`));
            else resolve(Number(process.hrtime.bigint() - start) / 1e6);
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ email }));
    });
  // Warm up with addresses of both kinds that the measured runs do not use.
  for (const user of users.slice(FORGOT_ADDRESSES)) {
    await forgot(user.email);
    await forgot(`warm-${user.email}`);
  }
  const runs = users.slice(0, FORGOT_ADDRESSES).flatMap((user, i) => [
    { kind: 'registered', email: user.email },
    { kind: 'unregistered', email: `nobody${i}@example.com` },
  ]);
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [runs[i], runs[j]] = [runs[j], runs[i]];
  }
  const times = { registered: [], unregistered: [] };
  for (const run of runs) {
    times[run.kind].push(await forgot(run.email));
    await sleep(25);
  }
  agent.destroy();
  const stats = (samples) => {
    samples.sort((a, b) => a - b);
    const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    return { p50: at(0.5), p90: at(0.9) };
  };
  const registered = stats(times.registered);
  const unregistered = stats(times.unregistered);
  const spread = (a, b) => Math.abs(a - b) / Math.min(a, b);
  return {
    registered,
    unregistered,
    p50Spread: spread(registered.p50, unregistered.p50),
    p90Spread: spread(registered.p90, unregistered.p90),
  };
}

function bcryptHashSeconds() {
  bcrypt.hashSync('warm-up password', COST);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    bcrypt.hashSync('a benchmark password', COST);
    times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[2];
}

async function main() {
  const started = performance.now();
  const sink = await startSmtpSink();
  const { child, url, dataDir } = await startServer(sink.url);
  try {
    const credentials = { username: 'bench', password: 'correct-horse-battery-staple' };
    await post(`${url}/signup`, { ...credentials, email: 'bench@example.com' });
    const login = await post(`${url}/login`, credentials);
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    const auth = { authorization: `Bearer ${login.body.access_token}` };
    const health = { url: `${url}/health` };
    const guarded = { url: `${url}/protected`, headers: auth };

    // Warm up the JIT on both routes, then alternate so drift hits both alike.
    await load(health.url, { duration: 2 });
    await load(guarded.url, { duration: 2, headers: auth });
    const healthRuns = [];
    const protectedRuns = [];
    for (let round = 0; round < 3; round++) {
      healthRuns.push(rps(await load(health.url)));
      const run = await load(guarded.url, { headers: auth });
      if (run.non2xx) throw new Error(`/protected answered ${run.non2xx} non-2xx responses`);
      protectedRuns.push(rps(run));
    }
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const healthRps = mean(healthRuns);
    const protectedRps = mean(protectedRuns);

    // bcryptjs's limit on this machine: every core hashing back to back.
    const hashSeconds = bcryptHashSeconds();
    const bcryptLimit = CORES / hashSeconds;
    // Logins: a one-second warm-up, then STORM_CONCURRENCY at a time for twice the run length.
    await loginStorm(url, credentials, 1).done;
    const loginStart = performance.now();
    const logins = await loginStorm(url, credentials, 2 * SECONDS).done;
    const loginsPerSecond = logins / ((performance.now() - loginStart) / 1000);

    // /protected latency at a fixed rate: idle, then during a login storm.
    const latencyRun = () => latencyAtRate(guarded.url, auth, LATENCY_RATE, 2 * SECONDS);
    await latencyAtRate(guarded.url, auth, LATENCY_RATE, 1);
    const idle = await latencyRun();
    const storm = loginStorm(url, credentials);
    await sleep(500);
    const during = await latencyRun();
    storm.stop();
    await storm.done;

    const forgot = await forgotTiming(url, sink);

    const results = {
      healthRps,
      protectedRps,
      ratio: protectedRps / healthRps,
      hashMs: hashSeconds * 1000,
      bcryptLimit,
      loginsPerSecond,
      loginEfficiency: loginsPerSecond / bcryptLimit,
      idle,
      during,
      stormFactor: during.p99 / idle.p99,
      forgot,
    };
    const goals = [
      [
        `/protected ≥ ${GOALS.protectedVsHealth} × /health`,
        results.ratio >= GOALS.protectedVsHealth,
      ],
      [
        `logins/s ≥ ${GOALS.loginEfficiency} × bcryptjs limit`,
        results.loginEfficiency >= GOALS.loginEfficiency,
      ],
      [
        `/protected p99 in a login storm ≤ ${GOALS.stormP99Factor} × idle p99`,
        results.stormFactor <= GOALS.stormP99Factor,
      ],
      [
        `/password/forgot median and p90 within ${GOALS.forgotTimingSpread * 100}% for registered and unregistered addresses`,
        Math.max(forgot.p50Spread, forgot.p90Spread) <= GOALS.forgotTimingSpread,
      ],
    ];
    print(results, goals, (performance.now() - started) / 1000);
    process.exitCode = goals.every(([, met]) => met) ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    await sink.close();
  }
}

function print(r, goals, seconds) {
  const n = (value, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`
## Benchmark — ${new Date().toISOString().slice(0, 10)}, ${CORES} cores (${cpu}), Node ${process.version}

| what | result |
|---|---|
| \`GET /health\` | ${n(r.healthRps)} req/s |
| \`GET /protected\` (HS256, revocation checked) | ${n(r.protectedRps)} req/s |
| ratio /protected ÷ /health | **${n(r.ratio, 2)}** (goal ≥ ${GOALS.protectedVsHealth}) |
| one bcryptjs hash at cost ${COST} | ${n(r.hashMs)} ms |
| bcryptjs limit (${CORES} cores ÷ one hash) | ${n(r.bcryptLimit, 1)} logins/s |
| logins/s at cost ${COST}, ${STORM_CONCURRENCY} concurrent | ${n(r.loginsPerSecond, 1)} logins/s = **${n(r.loginEfficiency, 2)}** × limit (goal ≥ ${GOALS.loginEfficiency}) |
| \`/protected\` p50 / p99, idle (${LATENCY_RATE} req/s) | ${n(r.idle.p50, 2)} ms / ${n(r.idle.p99, 2)} ms |
| \`/protected\` p50 / p99, during a login storm | ${n(r.during.p50, 2)} ms / ${n(r.during.p99, 2)} ms = **${n(r.stormFactor, 2)}** × idle p99 (goal ≤ ${GOALS.stormP99Factor}) |
| \`POST /password/forgot\` p50 / p90, ${FORGOT_ADDRESSES} registered vs ${FORGOT_ADDRESSES} unregistered addresses | ${n(r.forgot.registered.p50, 2)} / ${n(r.forgot.registered.p90, 2)} ms vs ${n(r.forgot.unregistered.p50, 2)} / ${n(r.forgot.unregistered.p90, 2)} ms: **${n(r.forgot.p50Spread * 100, 1)}% / ${n(r.forgot.p90Spread * 100, 1)}%** apart (goal ≤ ${GOALS.forgotTimingSpread * 100}%) |

${goals.map(([goal, met]) => `- ${met ? '✅' : '❌'} ${goal}`).join('\n')}

Took ${n(seconds)} s. Reproduce with \`npm run bench\` (BENCH_SECONDS=${SECONDS} per run).
`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
