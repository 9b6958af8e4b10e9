// bcrypt's CPU work, run in piscina worker threads so it never blocks the event loop.
// Plain JavaScript on purpose: Node loads worker files itself, outside any TypeScript transform
// (in tests too), so this file must run as it stands. It is copied to dist/ by nest-cli.json.
import { constants, setPriority } from 'node:os';
import bcrypt from 'bcryptjs';

// On Linux a nice value belongs to the thread: lowering this worker's lets the event loop thread
// preempt hashing at once, so requests stay fast during a login storm while idle cores still hash.
try {
  setPriority(constants.priority.PRIORITY_LOW);
} catch {
  // Not permitted here (or not Linux): hashing still runs off the event loop, at normal priority.
}

/** @param {{ password: string, cost: number }} task */
export function hash({ password, cost }) {
  return bcrypt.hashSync(password, cost);
}

/** @param {{ password: string, hash: string }} task */
export function compare({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
