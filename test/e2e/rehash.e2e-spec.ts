import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { Database } from '../../src/database/database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp } from '../support/users.factory.js';

const storedHash = async (app: TestApp, username: string): Promise<string> => {
  const row = await app.app
    .get(Database)
    .selectFrom('users')
    .select('password_hash')
    .where('username_key', '=', username.toLowerCase())
    .executeTakeFirstOrThrow();
  if (row.password_hash === null) throw new Error(`${username} has no password`);
  return row.password_hash;
};

describe('rehash on login', () => {
  it('upgrades a hash transparently when BCRYPT_COST rises', async () => {
    const first = await createTestApp({ BCRYPT_COST: '4' });
    const user = await signUp(first);
    expect(bcrypt.getRounds(await storedHash(first, user.username))).toBe(4);
    await first.close();

    const second = await createTestApp({ ...first.env, BCRYPT_COST: '5' });
    try {
      const login = { username: user.username, password: user.password };
      await second.http().post('/login').send(login).expect(200);
      const upgraded = await storedHash(second, user.username);
      expect(upgraded).toMatch(/^\$2b\$05\$/);
      await second.http().post('/login').send(login).expect(200);
      expect(await storedHash(second, user.username)).toBe(upgraded);
    } finally {
      await second.close({ removeData: true });
    }
  });

  it('logs in users imported with the tutorial’s passlib hashes, and upgrades older formats', async () => {
    const app = await createTestApp({ BCRYPT_COST: '4' });
    try {
      const db = app.app.get(Database);
      const insert = (username: string, hash: string) =>
        db
          .insertInto('users')
          .values({
            id: randomUUID(),
            username,
            username_key: username,
            email: `${username}@example.com`,
            email_key: `${username}@example.com`,
            password_hash: hash,
            created_at: new Date().toISOString(),
          })
          .execute();
      // Made by passlib 1.7.4 (CryptContext(schemes=["bcrypt"]).hash("mypassword")).
      const passlib = '$2b$12$BWv/J6FQMo5Y7ycZpVoYNOhS4qdTRu9HaoL0CwFgOTCg0RurNmcOy';
      await insert('imported', passlib);
      await app
        .http()
        .post('/login')
        .send({ username: 'imported', password: 'mypassword' })
        .expect(200);
      // Cost 12 is above today's 4: left as it is.
      expect(await storedHash(app, 'imported')).toBe(passlib);

      const legacy = bcrypt.hashSync('legacy password', 4).replace('$2b$', '$2a$');
      await insert('legacy', legacy);
      await app
        .http()
        .post('/login')
        .send({ username: 'legacy', password: 'legacy password' })
        .expect(200);
      expect(await storedHash(app, 'legacy')).toMatch(/^\$2b\$04\$/);
      await app
        .http()
        .post('/login')
        .send({ username: 'legacy', password: 'legacy password' })
        .expect(200);
      // A failed login changes nothing.
      const before = await storedHash(app, 'legacy');
      await app
        .http()
        .post('/login')
        .send({ username: 'legacy', password: aUser().password })
        .expect(401);
      expect(await storedHash(app, 'legacy')).toBe(before);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
