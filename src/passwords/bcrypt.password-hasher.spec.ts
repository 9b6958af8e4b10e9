import { afterEach, describe, expect, it, jest } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { AppConfig } from '../config/app-config.js';
import { BcryptPasswordHasher } from './bcrypt.password-hasher.js';

// Cost-12 hashes take ~0.3 s each on a quiet core; a CI machine busy with the rest of the suite
// can take many times that. The assertions are about behaviour, not speed (that is npm run bench).
jest.setTimeout(30_000);

/** Records what the hasher hands to the workers to compare against. */
class RecordingHasher extends BcryptPasswordHasher {
  readonly compared: string[] = [];
  protected override compare(password: string, hash: string): Promise<boolean> {
    this.compared.push(hash);
    return super.compare(password, hash);
  }
}

const hashers: BcryptPasswordHasher[] = [];
afterEach(async () => {
  await Promise.all(hashers.splice(0).map((hasher) => hasher.onApplicationShutdown()));
});

async function hasherWithCost(cost: number): Promise<RecordingHasher> {
  const hasher = new RecordingHasher(
    AppConfig.fromEnv({ NODE_ENV: 'test', BCRYPT_COST: String(cost), HASH_WORKERS: '2' }),
  );
  hashers.push(hasher);
  await hasher.onModuleInit();
  return hasher;
}

describe('BcryptPasswordHasher', () => {
  it('hashes with the configured cost, in worker threads, and verifies', async () => {
    const hasher = await hasherWithCost(5);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$2b\$05\$/);
    await expect(hasher.verify('correct horse', hash)).resolves.toBe(true);
    await expect(hasher.verify('wrong horse', hash)).resolves.toBe(false);
  });

  it('spends a full comparison at the configured cost on an unknown user, and says no', async () => {
    const hasher = await hasherWithCost(6);
    await expect(hasher.verify('anything at all', undefined)).resolves.toBe(false);
    expect(hasher.compared).toHaveLength(1);
    expect(bcrypt.getRounds(hasher.compared[0]!)).toBe(6);
  });

  it('never verifies a password longer than 72 bytes, even when its first 72 match', async () => {
    const hasher = await hasherWithCost(4);
    const hash = await hasher.hash('x'.repeat(72));
    await expect(hasher.verify('x'.repeat(72), hash)).resolves.toBe(true);
    await expect(hasher.verify(`${'x'.repeat(72)}y`, hash)).resolves.toBe(false);
  });

  it('verifies hashes made by passlib ($2b$) and by other bcrypt implementations ($2a$, $2y$)', async () => {
    const hasher = await hasherWithCost(4);
    // Made here by passlib 1.7.4: CryptContext(schemes=["bcrypt"]).hash("mypassword"), as the tutorial stores it.
    const passlib = '$2b$12$BWv/J6FQMo5Y7ycZpVoYNOhS4qdTRu9HaoL0CwFgOTCg0RurNmcOy';
    await expect(hasher.verify('mypassword', passlib)).resolves.toBe(true);
    const other = bcrypt.hashSync('mypassword', 4);
    await expect(hasher.verify('mypassword', other.replace('$2b$', '$2a$'))).resolves.toBe(true);
    await expect(hasher.verify('mypassword', other.replace('$2b$', '$2y$'))).resolves.toBe(true);
  });

  it('asks for a rehash when the cost is below today’s or the format is older, never to go down', async () => {
    const hasher = await hasherWithCost(10);
    expect(hasher.needsRehash('$2b$09$' + 'a'.repeat(53))).toBe(true);
    expect(hasher.needsRehash('$2a$10$' + 'a'.repeat(53))).toBe(true);
    expect(hasher.needsRehash('$2y$12$' + 'a'.repeat(53))).toBe(true);
    expect(hasher.needsRehash('$2b$10$' + 'a'.repeat(53))).toBe(false);
    expect(hasher.needsRehash('$2b$12$' + 'a'.repeat(53))).toBe(false);
  });

  it('keeps the event loop free while hashing', async () => {
    const hasher = await hasherWithCost(12);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await hasher.hash('a long enough password');
    clearInterval(timer);
    // A cost-12 hash takes ~200 ms of CPU; on the event loop no tick would run meanwhile.
    expect(ticks).toBeGreaterThan(3);
  });
});
