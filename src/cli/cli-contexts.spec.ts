import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UserAdminService } from '../admin/user-admin.service.js';
import { AuditRetentionJob } from '../audit/audit-retention.job.js';
import { SessionRetentionJob } from '../sessions/session-retention.job.js';
import { FederatedFlowsRetentionJob } from '../identities/federated-flows-retention.job.js';
import { KeyRingStore } from '../tokens/key-ring.store.js';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { MailSenderJob } from '../mail/delivery/mail-sender.job.js';
import { MigrateCliModule } from './migrate-cli.module.js';
import { RotateKeysCliModule } from './rotate-keys-cli.module.js';
import { UsersCliModule } from './users-cli.module.js';

/** What starts a timer when an application boots: none may run in a command-line tool. */
const JOBS = [
  AuditRetentionJob,
  SessionRetentionJob,
  MailSenderJob,
  FederatedFlowsRetentionJob,
] as const;

describe('the command-line contexts', () => {
  let dataDir: string;
  let context: INestApplicationContext | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cli-context-'));
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const boot = async (module: DynamicModule) => {
    context = await NestFactory.createApplicationContext(module, {
      logger: false,
      abortOnError: false,
    });
    return context;
  };
  const sqliteConfig = () => AppConfig.fromEnv({ DATA_DIR: dataDir, HASH_WORKERS: '1' });

  it.each([
    ['users', () => UsersCliModule.register(sqliteConfig()), UserAdminService],
    ['keys:rotate', () => RotateKeysCliModule.register(sqliteConfig()), KeyRingStore],
    ['migrate', () => MigrateCliModule.register(sqliteConfig()), Database],
  ] as const)(
    '%s holds what it needs, and starts no periodic job',
    async (_name, module, needs) => {
      const setInterval = jest.spyOn(globalThis, 'setInterval');
      try {
        const cli = await boot(module());
        expect(cli.get<unknown>(needs)).toBeDefined();
        for (const job of JOBS) expect(() => cli.get<unknown>(job, { strict: false })).toThrow();
        // The revocation sync is no class of its own job: no timer at all is the check.
        expect(setInterval).not.toHaveBeenCalled();
      } finally {
        setInterval.mockRestore();
      }
    },
  );

  it('keys:rotate on the memory store keeps the ring in DATA_DIR, with no database', async () => {
    const cli = await boot(
      RotateKeysCliModule.register(
        AppConfig.fromEnv({ DATABASE_URL: 'memory:', DATA_DIR: dataDir, HASH_WORKERS: '1' }),
      ),
    );
    expect(() => cli.get<unknown>(Database, { strict: false })).toThrow();
    expect(await cli.get(KeyRingStore).read()).toEqual([]);
  });
});
