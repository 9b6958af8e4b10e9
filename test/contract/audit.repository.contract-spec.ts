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
});
