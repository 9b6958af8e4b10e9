import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySessionsRepository } from '../../src/auth/sessions/repositories/in-memory.sessions.repository.js';
import { SqlSessionsRepository } from '../../src/auth/sessions/repositories/sql.sessions.repository.js';
import type { SessionsRepository } from '../../src/auth/sessions/sessions.repository.js';
import { generateRefreshToken, hashRefreshToken } from '../../src/auth/tokens/refresh-token.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const DAY = 86_400_000;
const client = { ip: '203.0.113.7', userAgent: 'Contract/1.0', requestId: 'req-1' };
const aToken = (now: Date, ttl = DAY) => ({
  tokenHash: hashRefreshToken(generateRefreshToken()),
  expiresAt: new Date(now.getTime() + ttl),
});

describe.each(STORES)('SessionsRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let sessions: SessionsRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    sessions = store.db ? new SqlSessionsRepository(store.db) : new InMemorySessionsRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  const aUserId = async () => {
    const { username, email } = aUser();
    return (await users.create({ username, email, passwordHash: 'x' })).id;
  };

  it('creates a session with its first token, found by the token’s hash', async () => {
    const userId = await aUserId();
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(userId, client, first, now);
    expect(session).toMatchObject({
      userId,
      ip: client.ip,
      userAgent: client.userAgent,
      revokedAt: null,
      expiresAt: first.expiresAt,
    });
    expect(await sessions.findById(session.id)).toEqual(session);
    const found = await sessions.findByTokenHash(first.tokenHash);
    expect(found?.session).toEqual(session);
    expect(found?.token).toMatchObject({ sessionId: session.id, usedAt: null });
    expect(await sessions.findByTokenHash('unknown')).toBeUndefined();
  });

  it('rotates once: the token is spent, its successor belongs to the same session', async () => {
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(await aUserId(), client, first, now);
    const { token } = (await sessions.findByTokenHash(first.tokenHash))!;

    const later = new Date(now.getTime() + 1000);
    const next = aToken(later, 2 * DAY);
    const newClient = { ip: '198.51.100.1', userAgent: 'Contract/2.0', requestId: 'req-2' };
    expect(await sessions.rotate(token.id, next, newClient, later)).toBe('rotated');
    expect((await sessions.findByTokenHash(first.tokenHash))?.token.usedAt).toEqual(later);
    const successor = await sessions.findByTokenHash(next.tokenHash);
    expect(successor?.session.id).toBe(session.id);
    expect(successor?.session).toMatchObject({
      lastUsedAt: later,
      expiresAt: next.expiresAt,
      ip: newClient.ip,
      userAgent: newClient.userAgent,
    });

    // Spent: a second rotation is reuse, and adds nothing.
    const again = aToken(later);
    expect(await sessions.rotate(token.id, again, client, later)).toBe('reused');
    expect(await sessions.findByTokenHash(again.tokenHash)).toBeUndefined();
  });

  it('answers the session’s current token: the first, then each successor, never a spent one', async () => {
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(await aUserId(), client, first, now);
    const other = await sessions.create(await aUserId(), client, aToken(now), now);
    expect(await sessions.currentToken(session.id)).toMatchObject({
      sessionId: session.id,
      tokenHash: first.tokenHash,
      expiresAt: first.expiresAt,
      usedAt: null,
    });
    const { token } = (await sessions.findByTokenHash(first.tokenHash))!;
    const next = aToken(now, 2 * DAY);
    await sessions.rotate(token.id, next, client, now);
    expect(await sessions.currentToken(session.id)).toMatchObject({
      tokenHash: next.tokenHash,
      expiresAt: next.expiresAt,
      usedAt: null,
    });
    expect((await sessions.currentToken(other.id))?.sessionId).toBe(other.id);
    expect(await sessions.currentToken('no-such-session')).toBeUndefined();
  });

  it('lets exactly one of many concurrent rotations of a token succeed, its successor current', async () => {
    const now = new Date();
    const first = aToken(now);
    await sessions.create(await aUserId(), client, first, now);
    const { token } = (await sessions.findByTokenHash(first.tokenHash))!;
    const successors = Array.from({ length: 10 }, () => aToken(now));
    const outcomes = await Promise.all(
      successors.map((successor) => sessions.rotate(token.id, successor, client, now)),
    );
    expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
    // Once a loser hears `reused`, the winner's successor is there to be read.
    const winner = successors[outcomes.indexOf('rotated')]!;
    expect((await sessions.currentToken(token.sessionId))?.tokenHash).toBe(winner.tokenHash);
  });

  it('lists live sessions newest first, without revoked or expired ones', async () => {
    const userId = await aUserId();
    const t0 = new Date(Date.now() - 10_000);
    const older = await sessions.create(userId, client, aToken(t0), t0);
    const t1 = new Date(t0.getTime() + 1000);
    const newer = await sessions.create(userId, client, aToken(t1), t1);
    const revoked = await sessions.create(userId, client, aToken(t1), t1);
    await sessions.revoke([revoked.id], t1);
    await sessions.create(userId, client, aToken(t0, 1000), t0); // already expired
    await sessions.create(await aUserId(), client, aToken(t1), t1); // someone else's

    const live = await sessions.listLive(userId, new Date());
    expect(live.map((s) => s.id)).toEqual([newer.id, older.id]);
  });

  it('revokes only what is not revoked yet, and answers what it revoked', async () => {
    const userId = await aUserId();
    const now = new Date();
    const a = await sessions.create(userId, client, aToken(now), now);
    const b = await sessions.create(userId, client, aToken(now), now);
    expect(await sessions.revoke([a.id], now)).toEqual([a.id]);
    expect((await sessions.revoke([a.id, b.id], now)).sort()).toEqual([b.id]);
    expect((await sessions.findById(a.id))?.revokedAt).toEqual(now);
    expect(await sessions.revoke([], now)).toEqual([]);
  });

  it('revokes all of a user’s sessions, optionally but one', async () => {
    const userId = await aUserId();
    const now = new Date();
    const keep = await sessions.create(userId, client, aToken(now), now);
    const others = await Promise.all(
      [1, 2].map(() => sessions.create(userId, client, aToken(now), now)),
    );
    const bystander = await sessions.create(await aUserId(), client, aToken(now), now);

    const revoked = await sessions.revokeAllOfUser(userId, now, keep.id);
    expect(revoked.sort()).toEqual(others.map((s) => s.id).sort());
    expect((await sessions.findById(keep.id))?.revokedAt).toBeNull();
    expect((await sessions.findById(bystander.id))?.revokedAt).toBeNull();
    expect(await sessions.revokeAllOfUser(userId, now)).toEqual([keep.id]);
  });

  it('answers the sessions revoked since a time', async () => {
    const now = new Date();
    const userId = await aUserId();
    const before = await sessions.create(userId, client, aToken(now), now);
    await sessions.revoke([before.id], new Date(now.getTime() - 60_000));
    const after = await sessions.create(userId, client, aToken(now), now);
    const revokedAt = new Date(now.getTime() + 1);
    await sessions.revoke([after.id], revokedAt);

    const recent = await sessions.revokedSince(now);
    expect(recent).toContainEqual({ id: after.id, revokedAt });
    expect(recent.map((r) => r.id)).not.toContain(before.id);
  });

  it('still answers the revocations of a deleted user’s sessions, its live ones included', async () => {
    const now = new Date();
    const userId = await aUserId();
    const longAgo = await sessions.create(userId, client, aToken(now), now);
    await sessions.revoke([longAgo.id], new Date(now.getTime() - 3_600_000));
    const loggedOut = await sessions.create(userId, client, aToken(now), now);
    const loggedOutAt = new Date(now.getTime() - 1_000);
    await sessions.revoke([loggedOut.id], loggedOutAt);
    const live = await sessions.create(userId, client, aToken(now), now);

    const deletedAt = new Date(now.getTime() + 1);
    const deletion = await users.delete(userId, deletedAt, new Date(now.getTime() - 60_000));
    expect(deletion.outcome).toBe('done');
    // What the deletion's caller does next: SQL stores revoked the live session with the user (its
    // row is gone now); the in-memory one keeps session rows, and revokes it here.
    const revokedAfter = await sessions.revokeAllOfUser(userId, deletedAt);
    expect([...deletion.revokedSessionIds, ...revokedAfter]).toEqual([live.id]);

    const recent = await sessions.revokedSince(new Date(now.getTime() - 60_000));
    expect(recent).toContainEqual({ id: loggedOut.id, revokedAt: loggedOutAt });
    expect(recent).toContainEqual({ id: live.id, revokedAt: deletedAt });
    expect(recent.map((r) => r.id)).not.toContain(longAgo.id);
  });
});
