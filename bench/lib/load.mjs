// Load generators: autocannon for throughput, a closed-loop client for request chains (each
// refresh needs the previous answer), a fixed-rate sampler for latency.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An autocannon run: requests per second and requests answered, counting only 2xx answers. */
export async function throughput(url, seconds, options = {}) {
  const result = await autocannon({ url, connections: 50, duration: seconds, ...options });
  if (result.non2xx) throw new Error(`${url} answered ${result.non2xx} non-2xx responses`);
  return { rps: result['2xx'] / (result.duration || seconds), count: result['2xx'] };
}

export function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One HTTP request on `agent`; resolves to { status, body (parsed JSON or null), ms }. */
function send(agent, url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: left null
        }
        resolve({ status: res.statusCode, body: parsed, ms });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `loops` clients, each sending `next(state)`'s request as soon as the previous one was answered,
 * for `seconds`, over keep-alive connections (one per loop). `next` answers the request to send
 * ({ url, method, headers, body }); `check(response, state)` must return the loop's next state or
 * throw. Every request counts, whatever the route, with the same client code: only the route
 * differs between two runs compared with each other. Answers { rps, p50, p99, count, states }
 * (`states`: each loop's last state, to carry on from in a next run).
 */
export async function closedLoop({ loops, seconds, states, next, check }) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const samples = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const last = await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      let state = states[i];
      while (performance.now() < end) {
        const { url, ...options } = next(state);
        const response = await send(agent, url, options);
        state = check(response, state);
        samples.push(response.ms);
      }
      return state;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  samples.sort((a, b) => a - b);
  return {
    rps: samples.length / elapsed,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    count: samples.length,
    states: last,
  };
}

/** GET `url` in a closed loop: the baseline other closed-loop runs are compared with. */
export function getLoop(url, loops, seconds) {
  return closedLoop({
    loops,
    seconds,
    states: Array(loops).fill(null),
    next: () => ({ url }),
    check: (response) => {
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      return null;
    },
  });
}

/** POST /refresh in a closed loop, one session per loop, each exchanging the token it got last. */
export function refreshLoop(baseUrl, refreshTokens, seconds) {
  return closedLoop({
    loops: refreshTokens.length,
    seconds,
    states: refreshTokens,
    next: (token) => ({
      url: `${baseUrl}/refresh`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    }),
    check: (response) => {
      if (response.status !== 200 || typeof response.body?.refresh_token !== 'string') {
        throw new Error(`/refresh answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      return response.body.refresh_token;
    },
  });
}

/** POST /login in a closed loop with the same credentials. */
export function loginLoop(baseUrl, credentials, loops, seconds) {
  const body = JSON.stringify(credentials);
  return closedLoop({
    loops,
    seconds,
    states: Array(loops).fill(null),
    next: () => ({
      url: `${baseUrl}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
    check: (response) => {
      if (response.status !== 200) {
        throw new Error(`/login answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      return null;
    },
  });
}

/**
 * Latency at a fixed offered rate (autocannon reports whole milliseconds, too coarse here):
 * `connections` keep-alive connections, each sending on its own schedule, every response timed
 * with hrtime. Answers p50 and p99 in ms.
 */
export async function latencyAtRate(url, headers, rate, seconds, connections = 10) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const samples = [];
  const interval = (1000 * connections) / rate;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      await sleep((i * interval) / connections);
      let due = performance.now();
      while (Date.now() < end) {
        const response = await send(agent, url, { headers });
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        samples.push(response.ms);
        due += interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }),
  );
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), count: samples.length };
}
