// Serves this folder over http on its own origin: `PORT=5173 node examples/browser/serve.mjs`.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
/**
 * @simplewebauthn/browser's UMD bundle (it sets `window.SimpleWebAuthnBrowser`), from the installed
 * package: no CDN. Its `exports` name only the module entry, so the bundle is found beside it.
 */
function simpleWebAuthnBundle() {
  try {
    const entry = fileURLToPath(import.meta.resolve('@simplewebauthn/browser'));
    return join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js');
  } catch {
    return undefined; // Not installed: the page says passkeys are unavailable.
  }
}
const JS = 'text/javascript; charset=utf-8';
const FILES = {
  '/': [join(ROOT, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(ROOT, 'app.js'), JS],
  '/simplewebauthn-browser.js': [simpleWebAuthnBundle(), JS],
};

const server = createServer((request, response) => {
  const file = FILES[new URL(request.url ?? '/', 'http://localhost').pathname];
  if (!file?.[0]) {
    response.writeHead(404).end();
    return;
  }
  readFile(file[0]).then(
    (body) => response.writeHead(200, { 'content-type': file[1] }).end(body),
    () => response.writeHead(500).end(),
  );
});

const port = Number(process.env.PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`page on http://localhost:${port}/`));
