import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AuditService } from '../audit/audit.service.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import type { AppConfig } from '../config/app-config.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { MfaService, SecondFactor } from '../mfa/mfa.service.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
import type { Session } from '../sessions/session.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/user.js';
import {
  isRecentSignInOf,
  ReauthenticationService,
  type Reauthentication,
  type SecondFactorRule,
} from './reauthentication.service.js';

const NOW = new Date('2026-12-05T12:00:00Z');
const MAX_AGE = 300;
const client = { ip: '203.0.113.7', userAgent: 'Unit/1.0', requestId: null };
const secondsAgo = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

const aUser = (passwordHash: string | null): User =>
  ({ id: 'user-1', username: 'alice', passwordHash }) as User;

const aSession = (overrides: Partial<Session> = {}): Session => ({
  id: 'session-1',
  userId: 'user-1',
  createdAt: secondsAgo(10),
  lastUsedAt: NOW,
  expiresAt: new Date(NOW.getTime() + 86_400_000),
  userAgent: null,
  ip: null,
  revokedAt: null,
  amr: ['fed'],
  authTime: secondsAgo(10),
  idp: 'acme',
  generation: 0,
  tokenHash: 'hash',
  reuseWindow: null,
  ...overrides,
});

/** The problem a call failed with: its type and extensions, or the error itself when it is none. */
async function problemOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ProblemException) return { ...error.problem };
    throw error;
  }
  throw new Error('expected a problem, the call succeeded');
}

describe('ReauthenticationService: the password, or a recent sign-in for an account without one', () => {
  let sessions: Map<string, Session>;
  let mfaEnabled: boolean;
  let verify: jest.Mock<(password: string, hash: string | null | undefined) => Promise<boolean>>;
  let checkSecondFactor: jest.Mock<
    (userId: string, proof: SecondFactor, ...rest: unknown[]) => Promise<boolean>
  >;
  let begin: jest.Mock<() => Promise<undefined>>;
  let service: ReauthenticationService;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    sessions = new Map([['session-1', aSession()]]);
    mfaEnabled = false;
    verify = jest.fn((password: string, hash: string | null | undefined) =>
      Promise.resolve(hash === 'bcrypt-hash' && password === 'right password'),
    );
    checkSecondFactor = jest.fn((_userId: string, proof: SecondFactor, ..._rest: unknown[]) =>
      Promise.resolve('code' in proof && proof.code === '123456'),
    );
    begin = jest.fn(() => Promise.resolve(undefined));
    service = new ReauthenticationService(
      { verify } as unknown as PasswordHasher,
      {
        isEnabled: () => Promise.resolve(mfaEnabled),
        checkSecondFactor,
      } as unknown as MfaService,
      { begin, reauthenticated: () => Promise.resolve() } as unknown as LoginAttemptsService,
      { record: () => Promise.resolve() } as unknown as AuditService,
      { limited: () => undefined } as unknown as MetricsService,
      { findById: (id: string) => Promise.resolve(sessions.get(id)) } as unknown as SessionsService,
      { oidc: { reauthMaxAgeSeconds: MAX_AGE } } as AppConfig,
    );
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const confirm = (
    user: User,
    proof: Reauthentication = {},
    rule: SecondFactorRule = 'none',
    sessionId = 'session-1',
  ) => service.confirm(user, proof, rule, client, sessionId);

  describe('an account without a password', () => {
    const passwordless = aUser(null);

    it('passes on a provider sign-in within REAUTH_MAX_AGE, exactly at it too; checks and counts nothing', async () => {
      await expect(confirm(passwordless)).resolves.toBeUndefined();
      sessions.set('session-1', aSession({ authTime: secondsAgo(MAX_AGE) }));
      await expect(confirm(passwordless)).resolves.toBeUndefined();
      // A passkey's session (no `pwd`) counts as an interactive sign-in too.
      sessions.set('session-1', aSession({ amr: ['pop', 'user', 'mfa'], idp: null }));
      await expect(confirm(passwordless)).resolves.toBeUndefined();
      expect(verify).not.toHaveBeenCalled();
      expect(begin).not.toHaveBeenCalled();
    });

    it('ignores a password sent: the sign-in decides', async () => {
      await expect(confirm(passwordless, { password: 'anything' })).resolves.toBeUndefined();
      sessions.set('session-1', aSession({ authTime: secondsAgo(MAX_AGE + 1) }));
      expect(await problemOf(confirm(passwordless, { password: 'anything' }))).toMatchObject({
        type: '/problems/reauthentication-required',
      });
      expect(verify).not.toHaveBeenCalled();
    });

    it('refuses a stale sign-in with 403 reauthentication-required, max_age in seconds, and counts no attempt', async () => {
      sessions.set('session-1', aSession({ authTime: secondsAgo(MAX_AGE + 1) }));
      expect(await problemOf(confirm(passwordless))).toEqual({
        type: '/problems/reauthentication-required',
        title: 'Re-authentication required',
        status: 403,
        detail:
          'Sign in again (through your identity provider, or with a passkey) to confirm it is you: this needs a sign-in from the last 5 minutes.',
        max_age: MAX_AGE,
      });
      expect(begin).not.toHaveBeenCalled();
    });

    it.each<[string, () => void, string]>([
      ['no such session', () => sessions.clear(), 'session-1'],
      ['someone else’s session', () => sessions.set('other', aSession({ userId: 'u2' })), 'other'],
      [
        'an ended session',
        () => sessions.set('session-1', aSession({ revokedAt: secondsAgo(1) })),
        'session-1',
      ],
      [
        'an expired session',
        () => sessions.set('session-1', aSession({ expiresAt: secondsAgo(1) })),
        'session-1',
      ],
      [
        'a session started before sign-in times were stored',
        () => sessions.set('session-1', aSession({ authTime: null })),
        'session-1',
      ],
      [
        'a password login, however recent',
        () => sessions.set('session-1', aSession({ amr: ['pwd'], idp: null })),
        'session-1',
      ],
      [
        'a password login with a second factor',
        () => sessions.set('session-1', aSession({ amr: ['pwd', 'otp'], idp: null })),
        'session-1',
      ],
    ])('refuses %s', async (_name, arrange, sessionId) => {
      arrange();
      expect(await problemOf(confirm(passwordless, {}, 'none', sessionId))).toMatchObject({
        type: '/problems/reauthentication-required',
        max_age: MAX_AGE,
      });
    });

    it('still asks for the second factor when the rule does, under the login limits', async () => {
      mfaEnabled = true;
      expect(await problemOf(confirm(passwordless, {}, 'when-enabled'))).toMatchObject({
        type: '/problems/validation-error',
        errors: [expect.objectContaining({ field: 'code' })],
      });
      expect(
        await problemOf(confirm(passwordless, { secondFactor: { code: '000000' } }, 'required')),
      ).toMatchObject({ type: '/problems/wrong-mfa-code' });
      expect(begin).toHaveBeenCalledTimes(1);
      await expect(
        confirm(passwordless, { secondFactor: { code: '123456' } }, 'when-enabled'),
      ).resolves.toBeUndefined();
      expect(begin).toHaveBeenCalledTimes(2);
      expect(checkSecondFactor).toHaveBeenLastCalledWith(
        'user-1',
        { code: '123456' },
        client,
        'session-1',
      );
      // Stale: refused before the code is looked at, so a right code is not spent.
      sessions.set('session-1', aSession({ authTime: secondsAgo(MAX_AGE + 1) }));
      expect(
        await problemOf(confirm(passwordless, { secondFactor: { code: '123456' } }, 'required')),
      ).toMatchObject({ type: '/problems/reauthentication-required' });
      expect(checkSecondFactor).toHaveBeenCalledTimes(2);
      expect(begin).toHaveBeenCalledTimes(2);
    });

    it('answers 409 mfa-not-enabled where the rule requires a factor that is off', async () => {
      expect(
        await problemOf(confirm(passwordless, { secondFactor: { code: '123456' } }, 'required')),
      ).toMatchObject({ type: '/problems/mfa-not-enabled' });
    });
  });

  describe('an account with a password', () => {
    const withPassword = aUser('bcrypt-hash');

    it('needs the password even right after a provider sign-in: missing is the 422 the pipe gave', async () => {
      for (const password of [undefined, null as unknown as string]) {
        expect(await problemOf(confirm(withPassword, { password }))).toMatchObject({
          type: '/problems/validation-error',
          detail: 'current_password must not be empty.',
          errors: [
            {
              field: 'current_password',
              pointer: '#/current_password',
              detail: 'current_password must not be empty.',
            },
          ],
        });
      }
      expect(verify).not.toHaveBeenCalled();
      expect(begin).not.toHaveBeenCalled();
    });

    it('checks the password under the limits, whatever the session', async () => {
      sessions.clear();
      expect(await problemOf(confirm(withPassword, { password: 'wrong' }))).toMatchObject({
        type: '/problems/wrong-password',
      });
      await expect(confirm(withPassword, { password: 'right password' })).resolves.toBeUndefined();
      expect(begin).toHaveBeenCalledTimes(2);
    });
  });
});

describe('isRecentSignInOf', () => {
  const user = { id: 'user-1' };
  it('measures from the sign-in, never from the last refresh', () => {
    const refreshedJustNow = aSession({ authTime: secondsAgo(MAX_AGE + 1), lastUsedAt: NOW });
    expect(isRecentSignInOf(user, refreshedJustNow, NOW, MAX_AGE)).toBe(false);
    expect(isRecentSignInOf(user, aSession({ authTime: secondsAgo(MAX_AGE) }), NOW, MAX_AGE)).toBe(
      true,
    );
  });
});
