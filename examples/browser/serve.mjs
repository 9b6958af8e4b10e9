// Serves this folder over http on its own origin: `PORT=5173 node examples/browser/serve.mjs`.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
};

const server = createServer((request, response) => {
  const file = FILES[new URL(request.url ?? '/', 'http://localhost').pathname];
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  readFile(join(ROOT, file[0])).then(
    (body) => response.writeHead(200, { 'content-type': file[1] }).end(body),
    () => response.writeHead(500).end(),
  );
});

const port = Number(process.env.PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`page on http://localhost:${port}/`));
