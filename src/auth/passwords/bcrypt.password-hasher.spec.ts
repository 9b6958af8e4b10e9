import { describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { AppConfig } from '../../config/app-config.js';
import { BcryptPasswordHasher } from './bcrypt.password-hasher.js';

async function hasherWithCost(cost: number): Promise<BcryptPasswordHasher> {
  const hasher = new BcryptPasswordHasher(
    AppConfig.fromEnv({ NODE_ENV: 'test', BCRYPT_COST: String(cost) }),
  );
  await hasher.onModuleInit();
  return hasher;
}

describe('BcryptPasswordHasher', () => {
  it('hashes with the configured cost and verifies', async () => {
    const hasher = await hasherWithCost(5);
    const hash = await hasher.hash('correct horse');
    expect(bcrypt.getRounds(hash)).toBe(5);
    await expect(hasher.verify('correct horse', hash)).resolves.toBe(true);
    await expect(hasher.verify('wrong horse', hash)).resolves.toBe(false);
  });

  it('spends a full comparison at the configured cost on an unknown user, and says no', async () => {
    const hasher = await hasherWithCost(6);
    const compared: string[] = [];
    const original = bcrypt.compare;
    // Record what the hasher compares against; bcryptjs's default export is a plain object.
    const spy = (password: string, hash: string) => {
      compared.push(hash);
      return original(password, hash);
    };
    (bcrypt as { compare: unknown }).compare = spy;
    try {
      await expect(hasher.verify('anything at all', undefined)).resolves.toBe(false);
    } finally {
      (bcrypt as { compare: unknown }).compare = original;
    }
    expect(compared).toHaveLength(1);
    expect(bcrypt.getRounds(compared[0]!)).toBe(6);
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
});
