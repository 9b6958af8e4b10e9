#!/usr/bin/env node
// `node bench/ab.mjs <build A> <build B> [route]`: which of two builds of the service spends less
// server CPU per request on one route (default /protected), the way the bench measures it: both
// started as the bench starts the service, pinned to one core with the client on the other, in
// alternating rounds of BENCH_ROUND_SECONDS (default 3), AB_ROUNDS of them (default 8). A build is
// a directory of compiled output beside dist/ (`cp -r dist dist-b`, then change it), optionally
// followed by @ and a JSON object of environment variables: `dist@{"LOG_LEVEL":"warn"}`.
// Prints each round and the median and interquartile range of B ÷ A. Two copies of one build
// (A/A) read 0.98–1.02 on the machine of docs/performance.md.
import { availableParallelism } from 'node:os';
import { throughput } from './lib/load.mjs';
import { cpuPinning, startService, withServerCpu } from './lib/servers.mjs';
import { spread } from './lib/stats.mjs';

const [specA, specB, route = '/protected'] = process.argv.slice(2);
if (!specA || !specB) {
  console.error('usage: node bench/ab.mjs <build A> <build B> [route]');
  process.exit(2);
}
const SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 8);
const pinning = cpuPinning(availableParallelism());

const post = async (url, body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
};

async function start(spec) {
  const [dist, env] = spec.split('@');
  const service = await startService(
    { BCRYPT_COST: '10', ...(env ? JSON.parse(env) : {}) },
    { dist },
  );
  const credentials = { username: 'bench', password: 'correct-horse-battery-staple' };
  await post(`${service.url}/signup`, { ...credentials, email: 'bench@example.com' });
  const login = await post(`${service.url}/login`, credentials);
  if (login.status !== 200) throw new Error(`login failed on ${spec}`);
  const headers = { authorization: `Bearer ${login.body.access_token}` };
  return { ...service, run: () => throughput(`${service.url}${route}`, SECONDS, { headers }) };
}

const a = await start(specA);
const b = await start(specB);
try {
  const measure = async () => {
    await a.run();
    await b.run();
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift within a round hits both alike.
      const [first, second] = round % 2 ? [b, a] : [a, b];
      const one = await withServerCpu(first.pid, first.run);
      const two = await withServerCpu(second.pid, second.run);
      const [ra, rb] = round % 2 ? [two, one] : [one, two];
      ratios.push(rb.cpuUs / ra.cpuUs);
      console.log(
        `round ${round + 1}: A ${ra.cpuUs.toFixed(1)} µs, B ${rb.cpuUs.toFixed(1)} µs, B ÷ A ${(rb.cpuUs / ra.cpuUs).toFixed(3)}`,
      );
    }
    return ratios;
  };
  const ratios = pinning ? await pinning.around([a.pid, b.pid], measure) : await measure();
  const s = spread(ratios);
  const pct = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}%`;
  console.log(
    `B ÷ A: ${s.median.toFixed(3)} (IQR ${pct(s.low)} / ${pct(s.high)}, ${ROUNDS} rounds; ${pinning ? pinning.description : 'not pinned'})`,
  );
} finally {
  await Promise.all([a.dispose(), b.dispose()]);
}
