import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ExampleProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `node examples/<path>` on a free loopback port (PORT), as its README runs it: its packages
 * resolve from the root node_modules. Resolves once `readyPath` answers at all.
 */
export async function startExample(
  path: string,
  env: Record<string, string>,
  readyPath = '/',
): Promise<ExampleProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'examples', path)], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${url}${readyPath}`);
      return { url, stop };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`examples/${path} did not start`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
