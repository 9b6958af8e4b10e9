// `npm start` runs the compiled server; this builds it first when dist/ is missing or older than src/.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const built = 'dist/main.js';
const stale =
  !existsSync(built) ||
  newestMtime('src') > statSync(built).mtimeMs ||
  statSync('package.json').mtimeMs > statSync(built).mtimeMs;
if (stale) {
  console.log('Building (dist/ is missing or older than src/)…');
  execSync('npm run build', { stdio: 'inherit' });
}
