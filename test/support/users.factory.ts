import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app.js';

export interface TestUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/** A fresh, valid user each call, so tests never share accounts. */
export function aUser(overrides: Partial<TestUser> = {}): TestUser {
  const suffix = randomBytes(4).toString('hex');
  return {
    username: `user_${suffix}`,
    email: `user_${suffix}@example.com`,
    password: `Tr0ub4dor&3-${suffix}`,
    ...overrides,
  };
}

export async function signUp(app: TestApp, user: TestUser = aUser()): Promise<TestUser> {
  await app.http().post('/signup').send(user).expect(201);
  return user;
}

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

/** Logs in and answers both tokens (a new session each call). */
export async function logInForTokens(app: TestApp, user: TestUser): Promise<Tokens> {
  const response = await app
    .http()
    .post('/login')
    .send({ username: user.username, password: user.password })
    .expect(200);
  return response.body as Tokens;
}

export async function logIn(app: TestApp, user: TestUser): Promise<string> {
  return (await logInForTokens(app, user)).access_token;
}

export const bearer = (token: string): string => `Bearer ${token}`;
