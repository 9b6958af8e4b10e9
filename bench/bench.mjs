#!/usr/bin/env node
// `npm run bench`: measures the built server on this machine and checks the performance goals.
// Starts `node dist/main.js` as `npm start` runs it (production, request logs at `info` into a real
// file, metrics on) with its own temporary DATA_DIR (SQLite), and, in the same run, the reference
// apps it is compared with; drives them over loopback, prints a markdown table and exits non-zero
// when a goal is missed. Bounded: about 5 minutes (BENCH_SECONDS per run, default 5).
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import { SMTPServer } from 'smtp-server';
import { getLoop, latencyAtRate, loginLoop, refreshLoop, throughput } from './lib/load.mjs';
import { explainHotQueries, seedSqlite } from './lib/seed.mjs';
import { buildIfNeeded, startReference, startService } from './lib/servers.mjs';

const CORES = availableParallelism();
const COST = 12;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Rows of each kind seeded for the "costs do not grow with the data" rows (BENCH_SEED_ROWS). */
const SEED_ROWS = Number(process.env.BENCH_SEED_ROWS ?? 1_000_000);
const GOALS = {
  protectedVsHealth: 0.65,
  protectedVsReference: 0.8,
  refreshVsHealth: 0.25,
  dataGrowth: 0.8,
  stormP99Factor: 3,
  loginEfficiency: 0.85,
  forgotTimingSpread: 0.1,
};
/** Sessions refreshing at once in the /refresh rows, each in a loop of its own. */
const REFRESH_SESSIONS = 16;
/** Distinct addresses per side of the /password/forgot timing comparison. */
const FORGOT_ADDRESSES = 200;
const STORM_CONCURRENCY = 8;
/** Fixed offered load for the latency runs, well under capacity, so p99 measures waiting, not queueing. */
const LATENCY_RATE = 1000;
/** The reference app's HS256 secret (it only ever sees the bench's own token). */
const REFERENCE_SECRET = 'bench-reference-secret-bench-reference-secret-0123';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
/** The middle value: one round disturbed by something else on the machine does not move it. */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** Alternating rounds per throughput row: the median of them is the figure. */
const ROUNDS = 5;

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

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Signs up `username` (if new) and logs in `count` times: that many sessions' tokens. */
async function sessionsOf(url, credentials, count) {
  await post(`${url}/signup`, { ...credentials, email: `${credentials.username}@example.com` });
  const logins = await Promise.all(
    Array.from({ length: count }, () => post(`${url}/login`, credentials)),
  );
  for (const login of logins) {
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  }
  return logins.map((login) => login.body);
}

/** An HS256 token for the reference app, made by hand like the reference verifies it. */
function referenceToken() {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'HS256', typ: 'JWT' });
  const payload = part({
    sub: 'bench',
    username: 'bench',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const signature = createHmac('sha256', REFERENCE_SECRET)
    .update(`${header}.${payload}`)
    .digest('base64url');
  return `${header}.${payload}.${signature}`;
}

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
 * `/refresh` against `/health`, both from the same closed-loop client with REFRESH_SESSIONS
 * loops, alternately, `rounds` times; each refresh loop exchanges the token it got last.
 */
async function refreshVsHealth(url, credentials, rounds = 3) {
  const health = [];
  const refresh = [];
  // Warm the JIT on the refresh path first.
  const warm = (await sessionsOf(url, credentials, REFRESH_SESSIONS)).map((t) => t.refresh_token);
  await refreshLoop(url, warm, 2);
  for (let round = 0; round < rounds; round++) {
    const tokens = (await sessionsOf(url, credentials, REFRESH_SESSIONS)).map(
      (t) => t.refresh_token,
    );
    health.push(await getLoop(`${url}/health`, REFRESH_SESSIONS, SECONDS));
    refresh.push(await refreshLoop(url, tokens, SECONDS));
  }
  const healthRps = median(health.map((run) => run.rps));
  const refreshRps = median(refresh.map((run) => run.rps));
  return {
    healthRps,
    refreshRps,
    ratio: refreshRps / healthRps,
    p50: median(refresh.map((run) => run.p50)),
    p99: median(refresh.map((run) => run.p99)),
  };
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

/** GET /protected against /health, the reference NestJS app and bare Fastify, in alternation. */
async function protectedRows(service, auth, reference, bare) {
  const runs = [
    ['health', `${service.url}/health`, {}],
    ['protected', `${service.url}/protected`, { headers: auth }],
    [
      'reference',
      `${reference.url}/protected`,
      { headers: { authorization: `Bearer ${referenceToken()}` } },
    ],
    ['bare', `${bare.url}/health`, {}],
  ];
  // Warm up the JIT everywhere, then alternate so drift hits all alike.
  for (const [, url, options] of runs) await throughput(url, 2, options);
  const rps = Object.fromEntries(runs.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url, options] of runs)
      rps[name].push(await throughput(url, SECONDS, options));
  }
  return Object.fromEntries(Object.entries(rps).map(([name, values]) => [name, median(values)]));
}

/**
 * /login and /refresh throughput on an empty database and on one holding SEED_ROWS users and as
 * many sessions (seeded straight into SQLite), at a low bcrypt cost so the database's share shows.
 * The two servers run side by side and are measured alternately.
 */
async function dataGrowthRows() {
  const env = { NODE_ENV: 'test', BCRYPT_COST: '4' };
  const empty = await startService(env);
  const seeded = await startService(env);
  await seeded.stop();
  const file = join(seeded.dataDir, 'auth.sqlite');
  const seeding = seedSqlite(file, {
    users: SEED_ROWS,
    sessions: SEED_ROWS,
    passwordHash: bcrypt.hashSync('a seeded password', 4),
  });
  const fullScans = explainHotQueries(file).filter((plan) => plan.fullScans.length > 0);
  if (fullScans.length > 0) throw new Error(`full table scans: ${JSON.stringify(fullScans)}`);
  const reseeded = await startService(env, { dataDir: seeded.dataDir });
  try {
    const servers = { empty, seeded: reseeded };
    const credentials = { username: 'growth', password: 'correct-horse-battery-staple' };
    const results = { empty: { login: [], refresh: [] }, seeded: { login: [], refresh: [] } };
    for (const server of Object.values(servers)) await sessionsOf(server.url, credentials, 1);
    for (let round = 0; round < 2; round++) {
      for (const [name, server] of Object.entries(servers)) {
        results[name].login.push((await loginLoop(server.url, credentials, 8, SECONDS)).rps);
        const tokens = (await sessionsOf(server.url, credentials, REFRESH_SESSIONS)).map(
          (t) => t.refresh_token,
        );
        results[name].refresh.push((await refreshLoop(server.url, tokens, SECONDS)).rps);
      }
    }
    const rate = (name, kind) => mean(results[name][kind]);
    return {
      seeding,
      login: { empty: rate('empty', 'login'), seeded: rate('seeded', 'login') },
      refresh: { empty: rate('empty', 'refresh'), seeded: rate('seeded', 'refresh') },
    };
  } finally {
    await empty.dispose();
    await reseeded.dispose();
  }
}

async function main() {
  const started = performance.now();
  buildIfNeeded();
  const sink = await startSmtpSink();
  const service = await startService({
    BCRYPT_COST: String(COST),
    SMTP_URL: sink.url,
    MAIL_FROM: 'bench@example.com',
  });
  const reference = await startReference(
    'nest-guarded.mjs',
    { JWT_SECRET: REFERENCE_SECRET },
    '/protected',
  );
  const bare = await startReference('bare-fastify.mjs', {}, '/health');
  const results = {};
  try {
    const credentials = { username: 'bench', password: 'correct-horse-battery-staple' };
    const [login] = await sessionsOf(service.url, credentials, 1);
    const auth = { authorization: `Bearer ${login.access_token}` };

    results.rps = await protectedRows(service, auth, reference, bare);
    await reference.stop();
    await bare.stop();

    results.refresh = await refreshVsHealth(service.url, credentials);

    // bcryptjs's limit on this machine: every core hashing back to back.
    const hashSeconds = bcryptHashSeconds();
    results.hashMs = hashSeconds * 1000;
    results.bcryptLimit = CORES / hashSeconds;
    // Logins: a one-second warm-up, then STORM_CONCURRENCY at a time for twice the run length.
    await loginStorm(service.url, credentials, 1).done;
    const loginStart = performance.now();
    const logins = await loginStorm(service.url, credentials, 2 * SECONDS).done;
    results.loginsPerSecond = logins / ((performance.now() - loginStart) / 1000);

    // /protected latency at a fixed rate: idle, then during a login storm.
    const guarded = `${service.url}/protected`;
    const latencyRun = () => latencyAtRate(guarded, auth, LATENCY_RATE, 2 * SECONDS);
    await latencyAtRate(guarded, auth, LATENCY_RATE, 1);
    results.idle = await latencyRun();
    const storm = loginStorm(service.url, credentials);
    await sleep(500);
    results.during = await latencyRun();
    storm.stop();
    await storm.done;

    results.forgot = await forgotTiming(service.url, sink);
  } finally {
    await Promise.all([service.dispose(), reference.stop(), bare.stop()]);
    await sink.close();
  }

  if (process.env.DATABASE_URL) {
    const postgres = await startService({
      DATABASE_URL: process.env.DATABASE_URL,
      BCRYPT_COST: '10',
    });
    try {
      const credentials = {
        username: `bench${Date.now()}`,
        password: 'correct-horse-battery-staple',
      };
      results.postgres = await refreshVsHealth(postgres.url, credentials);
    } finally {
      await postgres.dispose();
    }
  }

  results.growth = await dataGrowthRows();

  const r = results;
  const goals = [
    [
      `/protected ≥ ${GOALS.protectedVsHealth} × /health`,
      r.rps.protected / r.rps.health >= GOALS.protectedVsHealth,
    ],
    [
      `/protected ≥ ${GOALS.protectedVsReference} × the reference NestJS app`,
      r.rps.protected / r.rps.reference >= GOALS.protectedVsReference,
    ],
    [
      `/refresh ≥ ${GOALS.refreshVsHealth} × /health (SQLite)`,
      r.refresh.ratio >= GOALS.refreshVsHealth,
    ],
    [
      `/login and /refresh with ${SEED_ROWS.toLocaleString('en-US')} users and sessions ≥ ${GOALS.dataGrowth} × an empty database`,
      r.growth.login.seeded / r.growth.login.empty >= GOALS.dataGrowth &&
        r.growth.refresh.seeded / r.growth.refresh.empty >= GOALS.dataGrowth,
    ],
    [
      `logins/s ≥ ${GOALS.loginEfficiency} × bcryptjs limit`,
      r.loginsPerSecond / r.bcryptLimit >= GOALS.loginEfficiency,
    ],
    [
      `/protected p99 in a login storm ≤ ${GOALS.stormP99Factor} × idle p99`,
      r.during.p99 / r.idle.p99 <= GOALS.stormP99Factor,
    ],
    [
      `/password/forgot median and p90 within ${GOALS.forgotTimingSpread * 100}% for registered and unregistered addresses`,
      Math.max(r.forgot.p50Spread, r.forgot.p90Spread) <= GOALS.forgotTimingSpread,
    ],
  ];
  print(r, goals, (performance.now() - started) / 1000);
  process.exitCode = goals.every(([, met]) => met) ? 0 : 1;
}

function print(r, goals, seconds) {
  const n = (value, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const x = (value) => `**${n(value, 2)}**`;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const refreshRow = (label, f, goal) =>
    `| \`POST /refresh\`, ${REFRESH_SESSIONS} sessions at once (${label}) vs \`/health\`, same client | ${n(f.refreshRps)} vs ${n(f.healthRps)} req/s = ${x(f.ratio)}${goal}; p50 ${n(f.p50, 1)} ms, p99 ${n(f.p99, 1)} ms |`;
  const g = r.growth;
  console.log(`
## Benchmark — ${new Date().toISOString().slice(0, 10)}, ${CORES} cores (${cpu}), Node ${process.version}

| what | result |
|---|---|
| \`GET /health\` | ${n(r.rps.health)} req/s |
| \`GET /protected\` (HS256, revocation checked, request logged, metrics) | ${n(r.rps.protected)} req/s |
| ratio /protected ÷ /health | ${x(r.rps.protected / r.rps.health)} (goal ≥ ${GOALS.protectedVsHealth}) |
| reference: NestJS + Fastify, one route, a global guard verifying HS256 by hand, no logging | ${n(r.rps.reference)} req/s |
| ratio /protected ÷ reference | ${x(r.rps.protected / r.rps.reference)} (goal ≥ ${GOALS.protectedVsReference}) |
| bare Fastify, one route | ${n(r.rps.bare)} req/s; /protected = ${n(r.rps.protected / r.rps.bare, 2)} × it |
${refreshRow('SQLite', r.refresh, ` (goal ≥ ${GOALS.refreshVsHealth})`)}
${r.postgres ? `${refreshRow('PostgreSQL', r.postgres, ' (reported; the goal is on SQLite)')}\n` : ''}| \`POST /login\` (bcrypt cost 4), empty vs ${n(SEED_ROWS)} users + ${n(SEED_ROWS)} sessions | ${n(g.login.empty)} vs ${n(g.login.seeded)} logins/s = ${x(g.login.seeded / g.login.empty)} (goal ≥ ${GOALS.dataGrowth}) |
| \`POST /refresh\`, empty vs seeded | ${n(g.refresh.empty)} vs ${n(g.refresh.seeded)} req/s = ${x(g.refresh.seeded / g.refresh.empty)} (goal ≥ ${GOALS.dataGrowth}); seeding took ${n(g.seeding.seconds)} s |
| one bcryptjs hash at cost ${COST} | ${n(r.hashMs)} ms |
| bcryptjs limit (${CORES} cores ÷ one hash) | ${n(r.bcryptLimit, 1)} logins/s |
| logins/s at cost ${COST}, ${STORM_CONCURRENCY} concurrent | ${n(r.loginsPerSecond, 1)} logins/s = ${x(r.loginsPerSecond / r.bcryptLimit)} × limit (goal ≥ ${GOALS.loginEfficiency}) |
| \`/protected\` p50 / p99, idle (${LATENCY_RATE} req/s) | ${n(r.idle.p50, 2)} ms / ${n(r.idle.p99, 2)} ms |
| \`/protected\` p50 / p99, during a login storm | ${n(r.during.p50, 2)} ms / ${n(r.during.p99, 2)} ms = ${x(r.during.p99 / r.idle.p99)} × idle p99 (goal ≤ ${GOALS.stormP99Factor}) |
| \`POST /password/forgot\` p50 / p90, ${FORGOT_ADDRESSES} registered vs ${FORGOT_ADDRESSES} unregistered addresses | ${n(r.forgot.registered.p50, 2)} / ${n(r.forgot.registered.p90, 2)} ms vs ${n(r.forgot.unregistered.p50, 2)} / ${n(r.forgot.unregistered.p90, 2)} ms: **${n(r.forgot.p50Spread * 100, 1)}% / ${n(r.forgot.p90Spread * 100, 1)}%** apart (goal ≤ ${GOALS.forgotTimingSpread * 100}%) |

${goals.map(([goal, met]) => `- ${met ? '✅' : '❌'} ${goal}`).join('\n')}

Took ${n(seconds)} s. Reproduce with \`npm run bench\` (BENCH_SECONDS=${SECONDS} per run${process.env.DATABASE_URL ? ', DATABASE_URL set' : ''}).
`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
