import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySessionsRepository } from '../../src/sessions/repositories/in-memory.sessions.repository.js';
import { SqlSessionsRepository } from '../../src/sessions/repositories/sql.sessions.repository.js';
import type { SessionsRepository } from '../../src/sessions/sessions.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const DAY = 86_400_000;
const client = { ip: '203.0.113.7', userAgent: 'Contract/1.0', requestId: 'req-1' };
const aHash = () => randomBytes(32).toString('base64url');
const aToken = (now: Date, ttl = DAY) => ({
  sessionId: randomUUID(),
  tokenHash: aHash(),
  expiresAt: new Date(now.getTime() + ttl),
});

describe.each(STORES)('SessionsRepository contract: %s', (storeName, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let sessions: SessionsRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
    sessions = store.db
      ? new SqlSessionsRepository(store.db)
      : new InMemorySessionsRepository(users);
  });
  afterAll(() => store.close());

  /** A first read: the revocations at or after `since`. */
  const revokedSince = async (since: Date) =>
    (await sessions.revocationsAfter(null, since)).revoked;

  const aUserId = async () => {
    const { username, email } = aUser();
    return (await users.create({ username, email, passwordHash: 'x' })).id;
  };

  it('creates a session with its first token, found by its id', async () => {
    const userId = await aUserId();
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(userId, client, first, now);
    expect(session).toMatchObject({
      id: first.sessionId,
      userId,
      ip: client.ip,
      userAgent: client.userAgent,
      revokedAt: null,
      expiresAt: first.expiresAt,
      generation: 0,
      tokenHash: first.tokenHash,
      reuseWindow: null,
    });
    expect(await sessions.findById(session.id)).toEqual(session);
    expect(await sessions.findById(randomUUID())).toBeUndefined();
    expect(await sessions.findLegacyToken(first.tokenHash)).toBeUndefined();
  });

  it('rotates the current token in one statement, the reuse window computed from the row, the holder read with it', async () => {
    const t0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const cutoff = (seconds: number) => at(seconds - 10); // a 10 s REFRESH_REUSE_INTERVAL
    const first = aToken(t0, 10 * DAY);
    const userId = await aUserId();
    const session = await sessions.create(userId, client, first, t0);
    const next = () => ({ tokenHash: aHash(), expiresAt: at(DAY / 1000) });

    // First rotation at 2 s: no window yet, generation 0 was never spent before: (0, now).
    const one = next();
    const result = await sessions.rotate(
      session.id,
      { generation: 0, tokenHash: first.tokenHash },
      one,
      cutoff(2),
      client,
      at(2),
    );
    const holder = await users.findById(userId);
    expect(result?.holder).toMatchObject({
      id: userId,
      username: holder!.username,
      emailVerifiedAt: null,
      disabledAt: null,
      roles: ['user'],
    });
    const rotated = result?.session;
    expect(rotated).toEqual({
      ...session,
      generation: 1,
      tokenHash: one.tokenHash,
      reuseWindow: { generation: 0, startedAt: at(2) },
      lastUsedAt: at(2),
      expiresAt: one.expiresAt,
    });
    expect(await sessions.findById(session.id)).toEqual(rotated);

    // At 6 s the window (started at 2 s) is within the interval: kept.
    const two = next();
    const again = await sessions.rotate(
      session.id,
      { generation: 1, tokenHash: one.tokenHash },
      two,
      cutoff(6),
      client,
      at(6),
    );
    expect(again?.session.reuseWindow).toEqual({ generation: 0, startedAt: at(2) });

    // At 14 s it is not; the previous rotation (6 s) is: the window moves to generation 1 at 6 s.
    const three = next();
    const third = await sessions.rotate(
      session.id,
      { generation: 2, tokenHash: two.tokenHash },
      three,
      cutoff(14),
      client,
      at(14),
    );
    expect(third?.session.reuseWindow).toEqual({ generation: 1, startedAt: at(6) });

    // At 40 s neither is: the window starts with this rotation.
    const four = next();
    const fourth = await sessions.rotate(
      session.id,
      { generation: 3, tokenHash: three.tokenHash },
      four,
      cutoff(40),
      client,
      at(40),
    );
    expect(fourth?.session).toMatchObject({
      generation: 4,
      reuseWindow: { generation: 3, startedAt: at(40) },
    });

    // A spent token, a wrong hash, an ended session: nothing changes.
    const stale = { generation: 3, tokenHash: three.tokenHash };
    expect(
      await sessions.rotate(session.id, stale, next(), cutoff(41), client, at(41)),
    ).toBeUndefined();
    const wrong = { generation: 4, tokenHash: aHash() };
    expect(
      await sessions.rotate(session.id, wrong, next(), cutoff(41), client, at(41)),
    ).toBeUndefined();
    const current = { generation: 4, tokenHash: four.tokenHash };
    expect(
      await sessions.rotate(
        session.id,
        current,
        next(),
        cutoff(41),
        client,
        at((10 * DAY) / 1000 + 1),
      ),
    ).toBeUndefined(); // expired by then
    await sessions.revoke([session.id], at(42));
    expect(
      await sessions.rotate(session.id, current, next(), cutoff(43), client, at(43)),
    ).toBeUndefined();
    expect(await sessions.findById(session.id)).toMatchObject({
      generation: 4,
      tokenHash: four.tokenHash,
    });
  });

  const cutoffOf = (now: Date) => new Date(now.getTime() - 10_000);
  const aNext = (now: Date, ttl = DAY) => ({
    tokenHash: aHash(),
    expiresAt: new Date(now.getTime() + ttl),
  });

  it('rotates once: the next generation, its hash, expiry and client are the row’s', async () => {
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(await aUserId(), client, first, now);

    const later = new Date(now.getTime() + 1000);
    const next = aNext(later, 2 * DAY);
    const newClient = { ip: '198.51.100.1', userAgent: 'Contract/2.0', requestId: 'req-2' };
    const spent = { generation: 0, tokenHash: first.tokenHash };
    const rotated = await sessions.rotate(
      session.id,
      spent,
      next,
      cutoffOf(later),
      newClient,
      later,
    );
    const expected = {
      ...session,
      generation: 1,
      tokenHash: next.tokenHash,
      reuseWindow: { generation: 0, startedAt: later },
      lastUsedAt: later,
      expiresAt: next.expiresAt,
      ip: newClient.ip,
      userAgent: newClient.userAgent,
    };
    expect(rotated?.session).toEqual(expected);
    expect(await sessions.findById(session.id)).toEqual(expected);

    // Spent: rotating it again changes nothing.
    expect(
      await sessions.rotate(session.id, spent, aNext(later), cutoffOf(later), client, later),
    ).toBeUndefined();
    expect((await sessions.findById(session.id))?.tokenHash).toBe(next.tokenHash);
    // Nor does a right generation with a wrong hash, or an unknown session.
    const wrongHash = { generation: 1, tokenHash: aHash() };
    expect(
      await sessions.rotate(session.id, wrongHash, aNext(later), cutoffOf(later), client, later),
    ).toBeUndefined();
    const current = { generation: 1, tokenHash: next.tokenHash };
    expect(
      await sessions.rotate(randomUUID(), current, aNext(later), cutoffOf(later), client, later),
    ).toBeUndefined();
  });

  it('answers a disabled holder as disabled, with the roles it has', async () => {
    const userId = await aUserId();
    expect(await users.setRoles(userId, ['auditor'])).toBe('done');
    const disabledAt = new Date(Date.now() - 1000);
    expect(await users.disable(userId, disabledAt, 'contract')).toBe('done');
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(userId, client, first, now);
    const spent = { generation: 0, tokenHash: first.tokenHash };
    const rotated = await sessions.rotate(
      session.id,
      spent,
      aNext(now),
      cutoffOf(now),
      client,
      now,
    );
    expect(rotated?.holder).toMatchObject({ id: userId, disabledAt, roles: ['user', 'auditor'] });
  });

  it('never rotates a revoked session', async () => {
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(await aUserId(), client, first, now);
    await sessions.revoke([session.id], now);
    const spent = { generation: 0, tokenHash: first.tokenHash };
    expect(
      await sessions.rotate(session.id, spent, aNext(now), cutoffOf(now), client, now),
    ).toBeUndefined();
    expect((await sessions.findById(session.id))?.generation).toBe(0);
  });

  it('lets exactly one of many concurrent rotations of a token succeed, its successor current', async () => {
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(await aUserId(), client, first, now);
    const successors = Array.from({ length: 10 }, () => aNext(now));
    const spent = { generation: 0, tokenHash: first.tokenHash };
    const outcomes = await Promise.all(
      successors.map((successor) =>
        sessions.rotate(session.id, spent, successor, cutoffOf(now), client, now),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = successors[outcomes.findIndex(Boolean)]!;
    expect(await sessions.findById(session.id)).toMatchObject({
      generation: 1,
      tokenHash: winner.tokenHash,
    });
  });

  // Every rotation is the same one-row UPDATE; PostgreSQL's network round trips make 10,000 take
  // ~20 s on a busy machine, so it proves the same bound with 2,000.
  const rotations = storeName === 'PostgreSQL' ? 2_000 : 10_000;
  it(`keeps one row per session however often it rotates: ${rotations} rotations, 1 session row, 0 token rows`, async () => {
    const userId = await aUserId();
    const now = new Date();
    const first = aToken(now);
    const session = await sessions.create(userId, client, first, now);
    let current = { generation: 0, tokenHash: first.tokenHash };
    for (let generation = 0; generation < rotations; generation++) {
      const successor = aNext(now);
      expect(
        await sessions.rotate(session.id, current, successor, cutoffOf(now), client, now),
      ).toBeDefined();
      current = { generation: generation + 1, tokenHash: successor.tokenHash };
    }
    expect(await sessions.findById(session.id)).toMatchObject(current);
    expect(await sessions.listLive(userId, now)).toHaveLength(1);
    if (store.db) {
      const count = async (table: 'sessions' | 'refresh_tokens', column: 'id' | 'session_id') =>
        Number(
          (
            await store
              .db!.selectFrom(table)
              .select((eb) => eb.fn.countAll<number | string>().as('n'))
              .where(column, '=', session.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count('sessions', 'id')).toBe(1);
      expect(await count('refresh_tokens', 'session_id')).toBe(0);
    }
  }, 60_000);

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

    const recent = await revokedSince(now);
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

    const recent = await revokedSince(new Date(now.getTime() - 60_000));
    expect(recent).toContainEqual({ id: loggedOut.id, revokedAt: loggedOutAt });
    expect(recent).toContainEqual({ id: live.id, revokedAt: deletedAt });
    expect(recent.map((r) => r.id)).not.toContain(longAgo.id);
  });

  describe('read by cursor', () => {
    it('answers, after a read, a revocation written since with a timestamp 30 s in the past', async () => {
      const now = new Date();
      const session = await sessions.create(await aUserId(), client, aToken(now), now);
      const first = await sessions.revocationsAfter(null, now);
      // A writer whose clock is 30 s behind, or whose write committed 30 s after its timestamp.
      const stamped = new Date(Date.now() - 30_000);
      await sessions.revoke([session.id], stamped);

      const next = await sessions.revocationsAfter(first.cursor, new Date());
      expect(next.revoked).toContainEqual({ id: session.id, revokedAt: stamped });
      const after = await sessions.revocationsAfter(next.cursor, new Date());
      // Later reads may repeat a revocation (see commit-order.ts), never lose one written since.
      const other = await sessions.create(await aUserId(), client, aToken(now), now);
      await sessions.revokeAllOfUser(other.userId, stamped);
      expect((await sessions.revocationsAfter(after.cursor, new Date())).revoked).toContainEqual({
        id: other.id,
        revokedAt: stamped,
      });
    });

    it('answers a deleted user’s revocations written after the read', async () => {
      if (!store.db) return; // The memory store keeps a deleted account's sessions instead.
      const now = new Date();
      const userId = await aUserId();
      const live = await sessions.create(userId, client, aToken(now), now);
      const first = await sessions.revocationsAfter(null, now);
      const deletedAt = new Date(now.getTime() - 30_000);
      await users.delete(userId, deletedAt, new Date(now.getTime() - 60_000));
      const next = await sessions.revocationsAfter(first.cursor, new Date());
      expect(next.revoked).toContainEqual({ id: live.id, revokedAt: deletedAt });
    });

    it('answers a revocation whose transaction began before a read and committed after it', async () => {
      // PostgreSQL only: SQLite has one writer, and this service one connection to it.
      if (!store.db || store.db.getExecutor().adapter.constructor.name !== 'PostgresAdapter')
        return;
      const db = store.db;
      const now = new Date();
      const session = await sessions.create(await aUserId(), client, aToken(now), now);
      let read: Awaited<ReturnType<SessionsRepository['revocationsAfter']>> | undefined;
      await db.transaction().execute(async (trx) => {
        // Its order is taken here, inside a transaction that commits only after the read below.
        await new SqlSessionsRepository(trx).revoke([session.id], now);
        const before = await sessions.revocationsAfter(null, new Date(0));
        expect(before.revoked.map((r) => r.id)).not.toContain(session.id);
        // Other revocations commit meanwhile, and are read: the cursor moves past them.
        const meanwhile = await sessions.create(await aUserId(), client, aToken(now), now);
        await sessions.revoke([meanwhile.id], now);
        read = await sessions.revocationsAfter(before.cursor, new Date());
        expect(read.revoked.map((r) => r.id)).toContain(meanwhile.id);
      });
      const next = await sessions.revocationsAfter(read!.cursor, new Date());
      expect(next.revoked.map((r) => r.id)).toContain(session.id);
    });
  });

  describe('purge', () => {
    // Far enough back that no other test's session ended before it.
    const cutoff = new Date(Date.now() - 30 * DAY);
    const at = (offsetMs: number) => new Date(cutoff.getTime() + offsetMs);
    const aSessionEnding = async (end: { revokedAt?: Date; expiresAt: Date }) => {
      const created = at(-2 * DAY);
      const first = { ...aToken(created), expiresAt: end.expiresAt };
      const session = await sessions.create(await aUserId(), client, first, created);
      if (end.revokedAt) await sessions.revoke([session.id], end.revokedAt);
      return session.id;
    };

    it('deletes the sessions that ended before the cutoff, revoked or expired, and keeps the others', async () => {
      const revokedBefore = await aSessionEnding({ revokedAt: at(-1), expiresAt: at(DAY) });
      const expiredBefore = await aSessionEnding({ expiresAt: at(-1) });
      const revokedAfter = await aSessionEnding({ revokedAt: at(1), expiresAt: at(DAY) });
      const expiredAfter = await aSessionEnding({ expiresAt: at(1) });
      const now = new Date();
      const live = (await sessions.create(await aUserId(), client, aToken(now), now)).id;

      expect(await sessions.deleteEndedBefore(cutoff)).toBe(2);
      expect(await sessions.findById(revokedBefore)).toBeUndefined();
      expect(await sessions.findById(expiredBefore)).toBeUndefined();
      for (const kept of [revokedAfter, expiredAfter, live]) {
        expect((await sessions.findById(kept))?.id).toBe(kept);
      }
      expect((await revokedSince(at(0))).map((r) => r.id)).toContain(revokedAfter);
      expect(await sessions.deleteEndedBefore(cutoff)).toBe(0);
    });

    it('deletes a backlog in batches until none is left', async () => {
      const ended = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          aSessionEnding(n % 2 ? { revokedAt: at(-n), expiresAt: at(DAY) } : { expiresAt: at(-n) }),
        ),
      );
      expect(await sessions.deleteEndedBefore(cutoff, 2)).toBe(5);
      for (const id of ended) expect(await sessions.findById(id)).toBeUndefined();
    });

    it('deletes the revocations kept after deleted accounts once they are older than the cutoff', async () => {
      if (!store.db) return; // The memory store keeps a deleted account's sessions instead.
      const old = randomUUID();
      const recent = randomUUID();
      await store.db
        .insertInto('session_revocations')
        .values([
          { session_id: old, revoked_at: at(-1).toISOString() },
          { session_id: recent, revoked_at: at(1).toISOString() },
        ])
        .execute();
      await sessions.deleteEndedBefore(cutoff, 1);
      const ids = (await revokedSince(at(-DAY))).map((r) => r.id);
      expect(ids).toContain(recent);
      expect(ids).not.toContain(old);
    });

    it('deletes pre-0010 refresh tokens once expired, and with their ended session', async () => {
      if (!store.db) return; // Nothing predates the memory store.
      const db = store.db;
      const now = new Date();
      const live = await sessions.create(await aUserId(), client, aToken(now), now);
      const ended = await aSessionEnding({ revokedAt: at(-1), expiresAt: at(DAY) });
      const legacy = (sessionId: string, expiresAt: Date) => ({
        id: randomUUID(),
        session_id: sessionId,
        token_hash: aHash(),
        created_at: at(-2 * DAY).toISOString(),
        expires_at: expiresAt.toISOString(),
        used_at: at(-DAY).toISOString(),
      });
      const expired = legacy(live.id, at(-1));
      const unexpired = legacy(live.id, at(1));
      const ofEnded = legacy(ended, at(DAY));
      await db.insertInto('refresh_tokens').values([expired, unexpired, ofEnded]).execute();
      expect(await sessions.findLegacyToken(unexpired.token_hash)).toMatchObject({
        session: { id: live.id },
        expiresAt: at(1),
        usedAt: at(-DAY),
      });

      await sessions.deleteEndedBefore(cutoff);
      expect(await sessions.findLegacyToken(expired.token_hash)).toBeUndefined();
      expect(await sessions.findLegacyToken(ofEnded.token_hash)).toBeUndefined();
      expect((await sessions.findLegacyToken(unexpired.token_hash))?.session.id).toBe(live.id);
    });
  });
});
