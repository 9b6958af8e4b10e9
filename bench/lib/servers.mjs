// Processes the bench measures: the built service (as `npm start` runs it) and the two references
// it is compared with. Each listens on 127.0.0.1 on a free port and is stopped with SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux the bench runs on). */
const CLOCK_TICKS = Number(
  (() => {
    try {
      return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    } catch {
      return '100';
    }
  })(),
);

/**
 * The CPU time (user + system, in seconds) process `pid` has used so far, all its threads
 * included (the event loop, SQLite's checkpoint thread, the hashing workers), from
 * /proc/<pid>/stat: what the server spent, whatever the load client on the same cores spent.
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [fields[11], fields[12]].map(Number);
  return (utime + stime) / CLOCK_TICKS;
}

/**
 * Runs `load()` (answering at least `count`, the requests answered) and adds the server's CPU
 * time per request over it, in µs: `cpuUs`.
 */
export async function withServerCpu(pid, load) {
  const before = cpuSeconds(pid);
  const result = await load();
  const cpu = cpuSeconds(pid) - before;
  return { ...result, cpuUs: (cpu * 1e6) / result.count };
}

/**
 * Where the CPU-per-request rows run (BENCH_PIN=off to turn off): the measured servers, every
 * thread, on the last CPU, and the bench itself (the load client) on the others, with `taskset`.
 * Unpinned, the client and the server share both cores: a slower server lets the client sleep, so
 * each response also pays for waking it, and how the scheduler happened to place the two moved a
 * ratio by ±10% from one 3-second round to the next. Pinned, each round measures the server alone
 * on its core, and the per-round ratios stayed within ±2% (docs/performance.md). Needs 2 CPUs.
 */
export function cpuPinning(cpuCount) {
  if (process.env.BENCH_PIN === 'off' || cpuCount < 2) return null;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const all = `0-${cpuCount - 1}`;
  const serverCpu = String(cpuCount - 1);
  const clientCpus = cpuCount === 2 ? '0' : `0-${cpuCount - 2}`;
  const set = (cpus, pid) =>
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  return {
    description: `servers on CPU ${serverCpu}, load client on CPU ${clientCpus}`,
    /** Pins `pids` (servers) and this process (the client) for `run()`, then frees them all. */
    async around(pids, run) {
      for (const pid of pids) set(serverCpu, pid);
      set(clientCpus, process.pid);
      try {
        return await run();
      } finally {
        for (const pid of pids) {
          try {
            set(all, pid);
          } catch {
            // already stopped
          }
        }
        set(all, process.pid);
      }
    },
  };
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function buildIfNeeded() {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.mjs')], {
    stdio: 'inherit',
  });
}

/** Polls `url` until it answers (any status), the process exits, or ~30 s pass. */
async function waitUntilUp(child, url) {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${url} did not come up`);
}

function stopper(child, cleanup = () => {}) {
  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    cleanup();
  };
}

/**
 * The built service with its own DATA_DIR (SQLite unless `env.DATABASE_URL`), in production mode,
 * request logging at `info` into a real file (DATA_DIR/server.log, as a deployment's stdout
 * redirected to a file), metrics on. `env` overrides any of it; `dist` names another build (bench/ab.mjs).
 */
export async function startService(env = {}, { dataDir, nodeArgs = [], dist = 'dist' } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const port = await freePort();
  const log = openSync(join(dir, 'server.log'), 'a');
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, dist, 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
      METRICS_ENABLED: '1',
      // One client hammering from one address: measure the service, not its limits.
      RATE_LIMIT_PER_IP: '0',
      LOGIN_MAX_FAILURES: '10000',
      SHUTDOWN_DRAIN: '0',
      ...env,
    },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(child, `${url}/health`);
  return {
    url,
    dataDir: dir,
    pid: child.pid,
    stop: stopper(child),
    /** Stops it and deletes its DATA_DIR. */
    dispose: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/** One of the reference apps in bench/reference, as a process of its own. */
export async function startReference(script, env = {}, probe = '/') {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'reference', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(child, `${url}${probe}`);
  return { url, pid: child.pid, stop: stopper(child) };
}
