import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { FileServerSecretStore } from './file.server-secret.store.js';
import { ServerSecrets } from './server-secrets.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
const aDataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'server-secrets-'));
  dirs.push(dir);
  return dir;
};
const bytes = (secrets: ServerSecrets) => ({
  refresh: secrets.refreshToken.export().toString('hex'),
  device: secrets.deviceCookie.export().toString('hex'),
});

describe('ServerSecrets', () => {
  it('generates one 256-bit key per purpose on first start, and finds the same ones after', async () => {
    const dataDir = await aDataDir();
    const config = AppConfig.fromEnv({ DATA_DIR: dataDir });
    const first = bytes(await ServerSecrets.load(config, new FileServerSecretStore(dataDir)));
    const again = bytes(await ServerSecrets.load(config, new FileServerSecretStore(dataDir)));
    expect(again).toEqual(first);
    expect(first.refresh).toHaveLength(64);
    expect(first.refresh).not.toBe(first.device);
    expect((await readdir(dataDir)).sort()).toEqual(['device-cookie.key', 'refresh-token.key']);
  });

  it('takes REFRESH_TOKEN_SECRET and DEVICE_COOKIE_SECRET from the environment when set, storing nothing', async () => {
    const dataDir = await aDataDir();
    const refresh = 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY';
    const device = 'Kp7wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE';
    const config = AppConfig.fromEnv({
      DATA_DIR: dataDir,
      REFRESH_TOKEN_SECRET: refresh,
      DEVICE_COOKIE_SECRET: device,
    });
    const secrets = await ServerSecrets.load(config, new FileServerSecretStore(dataDir));
    expect(secrets.refreshToken.export().toString('utf8')).toBe(refresh);
    expect(secrets.deviceCookie.export().toString('utf8')).toBe(device);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
