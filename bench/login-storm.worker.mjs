// Logs in `concurrency` at a time until `stopAt` (epoch ms) or until told to stop, then reports how
// many succeeded. Runs in a worker thread so the bench's latency sampler keeps its own event loop.
import { parentPort, workerData } from 'node:worker_threads';

const { url, credentials, concurrency, stopAt } = workerData;
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
});

let done = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (!stopped && Date.now() < stopAt) {
      const response = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      await response.arrayBuffer();
      if (response.status === 200) done++;
      else failed++;
    }
  }),
);
parentPort.postMessage({ done, failed });
parentPort.close();
