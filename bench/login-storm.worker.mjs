// Logs in `concurrency` at a time until `stopAt` (epoch ms) or until told to stop, then reports how
// many succeeded, and when the first and the last of them ended (performance.now() of this thread:
// the rate between them has no partly counted login at either end). Runs in a worker thread so the
// bench's latency sampler keeps its own event loop.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { url, credentials, concurrency, stopAt } = workerData;
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
});

let done = 0;
let failed = 0;
let firstAt;
let lastAt;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (!stopped && Date.now() < stopAt) {
      const response = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      await response.arrayBuffer();
      if (response.status === 200) {
        done++;
        lastAt = performance.now();
        firstAt ??= lastAt;
      } else failed++;
    }
  }),
);
parentPort.postMessage({ done, failed, firstAt, lastAt });
parentPort.close();
