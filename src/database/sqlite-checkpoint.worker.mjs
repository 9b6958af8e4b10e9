// Checkpoints the SQLite write-ahead log from a thread of its own, on a connection of its own, so
// that copying the log back into the database and the fsync that ends it never run on the event
// loop inside a request's INSERT or UPDATE (SQLite's automatic checkpoint does, every 1,000 pages:
// it made an average refresh's writes ~50% slower, measured). Plain JavaScript: Node loads worker
// files itself, outside the TypeScript build and Jest's transform.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, intervalMs } = workerData;
const database = new SQLite(file, { fileMustExist: true });

function checkpoint(mode) {
  try {
    // PASSIVE never waits for the request thread: it copies what no reader still needs.
    database.pragma(`wal_checkpoint(${mode})`);
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(() => checkpoint('PASSIVE'), intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint('PASSIVE');
  database.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
