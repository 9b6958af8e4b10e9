import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NewAuditEvent } from '../../src/audit/audit-event.js';
import type { AuditRepository } from '../../src/audit/audit.repository.js';
import { InMemoryAuditRepository } from '../../src/audit/repositories/in-memory.audit.repository.js';
import { SqlAuditRepository } from '../../src/audit/repositories/sql.audit.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';

const event = (
  userId: string | null,
  at: Date,
  overrides: Partial<NewAuditEvent> = {},
): NewAuditEvent => ({
  type: 'login_succeeded',
  at,
  userId,
  username: 'someone',
  ip: '203.0.113.9',
  userAgent: 'Contract/1.0',
  requestId: 'req-1',
  sessionId: null,
  reason: null,
  actorId: null,
  method: null,
  idp: null,
  ...overrides,
});

describe.each(STORES)('AuditRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let audit: AuditRepository;

  beforeAll(async () => {
    store = await open();
    audit = store.db ? new SqlAuditRepository(store.db) : new InMemoryAuditRepository();
  });
  afterAll(() => store.close());

  it('appends events and gives them back whole', async () => {
    const userId = randomUUID();
    const at = new Date();
    const stored = await audit.append(
      event(userId, at, { type: 'login_failed', reason: 'bad_password', sessionId: 's-1' }),
    );
    expect(await audit.listForUser(userId, 10)).toEqual([stored]);
    expect(stored).toMatchObject({ id: expect.any(String), at, reason: 'bad_password' });
    const linked = await audit.append(
      event(userId, new Date(at.getTime() + 1), { type: 'identity_linked', idp: 'acme' }),
    );
    expect((await audit.listForUser(userId, 1))[0]).toEqual(linked);
    expect(linked.idp).toBe('acme');
  });

  it('keeps how a login was made: the method and, for a provider, which one', async () => {
    const userId = randomUUID();
    const byProvider = await audit.append(
      event(userId, new Date(Date.now() - 1), { method: 'fed', idp: 'acme' }),
    );
    const byPassword = await audit.append(event(userId, new Date(), { method: 'pwd' }));
    expect(await audit.listForUser(userId, 10)).toEqual([byPassword, byProvider]);
    expect(byProvider).toMatchObject({ method: 'fed', idp: 'acme' });
    expect(byPassword).toMatchObject({ method: 'pwd', idp: null });
  });

  it('lists one user’s events newest first, ties by id, in pages', async () => {
    const userId = randomUUID();
    const base = Date.now() - 10_000;
    const sameTime = new Date(base + 5_000);
    for (const offset of [0, 1_000, 2_000])
      await audit.append(event(userId, new Date(base + offset)));
    await audit.append(event(userId, sameTime));
    await audit.append(event(userId, sameTime));
    await audit.append(event(randomUUID(), new Date(base + 3_000)));

    const all = await audit.listForUser(userId, 100);
    expect(all).toHaveLength(5);
    const keys = all.map((e) => [e.at.getTime(), e.id] as const);
    const sorted = [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
    expect(keys).toEqual(sorted);

    const first = await audit.listForUser(userId, 2);
    const rest = await audit.listForUser(userId, 10, { at: first[1]!.at, id: first[1]!.id });
    expect([...first, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('lists events recorded in the same millisecond newest first, in the order they were appended', async () => {
    // A signup and its verification mail, or a login and its MFA step, often share a millisecond.
    const userId = randomUUID();
    const at = new Date();
    const appended = [];
    for (let i = 0; i < 20; i++) appended.push((await audit.append(event(userId, at))).id);
    const listed = await audit.listForUser(userId, 100);
    expect(listed.map((e) => e.id)).toEqual([...appended].reverse());
  });

  it('keeps who acted on an account', async () => {
    const userId = randomUUID();
    const actorId = randomUUID();
    const stored = await audit.append(
      event(userId, new Date(), { type: 'roles_changed', actorId }),
    );
    expect(stored.actorId).toBe(actorId);
    expect(await audit.listForUser(userId, 10)).toEqual([stored]);
  });

  it('lists every user’s events, filtered by user and by type, newest first, in pages', async () => {
    const mark = randomUUID();
    const [one, two] = [randomUUID(), randomUUID()];
    // In the future, so the newest page is this test's alone whatever else the store holds.
    const base = Date.now() + 3_600_000 + Math.floor(Math.random() * 1_000_000);
    const appended = [];
    for (const [offset, userId, type] of [
      [0, one, 'account_disabled'],
      [1_000, two, 'account_disabled'],
      [2_000, one, 'account_enabled'],
      [3_000, two, 'account_deleted'],
    ] as const) {
      appended.push(
        await audit.append(event(userId, new Date(base + offset), { type, requestId: mark })),
      );
    }
    const newest = [...appended].reverse().map((e) => e.id);
    expect((await audit.list({}, 4)).map((e) => e.id)).toEqual(newest);
    expect((await audit.list({ userId: one }, 10)).map((e) => e.id)).toEqual([
      appended[2]!.id,
      appended[0]!.id,
    ]);
    const disabled = await audit.list({ type: 'account_disabled' }, 2);
    expect(disabled.map((e) => e.id)).toEqual([appended[1]!.id, appended[0]!.id]);
    expect(
      (await audit.list({ userId: two, type: 'account_deleted' }, 10)).map((e) => e.id),
    ).toEqual([appended[3]!.id]);
    const first = await audit.list({}, 2);
    const next = await audit.list({}, 2, { at: first[1]!.at, id: first[1]!.id });
    expect([...first, ...next].map((e) => e.id)).toEqual(newest);
  });

  it('deletes what is older than a cutoff, and nothing else', async () => {
    const userId = randomUUID();
    const now = Date.now();
    await audit.append(event(userId, new Date(now - 100_000)));
    await audit.append(event(userId, new Date(now - 50_000)));
    await audit.append(event(userId, new Date(now)));
    const deleted = await audit.deleteOlderThan(new Date(now - 60_000));
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((await audit.listForUser(userId, 10)).map((e) => e.at.getTime())).toEqual([
      now,
      now - 50_000,
    ]);
  });

  it('deletes a backlog in batches until none is left', async () => {
    const userId = randomUUID();
    // Far enough back that no other test's event is older.
    const cutoff = new Date(Date.now() - 30 * 24 * 3_600_000);
    for (const n of [1, 2, 3, 4, 5]) {
      await audit.append(event(userId, new Date(cutoff.getTime() - n * 1_000)));
    }
    await audit.append(event(userId, cutoff));
    expect(await audit.deleteOlderThan(cutoff, 2)).toBe(5);
    expect((await audit.listForUser(userId, 10)).map((e) => e.at)).toEqual([cutoff]);
    expect(await audit.deleteOlderThan(cutoff, 2)).toBe(0);
  });
});
