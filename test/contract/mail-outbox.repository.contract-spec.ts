import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EmailLinkPurpose } from '../../src/mail/outbox/email-link.js';
import type { MailOutboxRepository } from '../../src/mail/outbox/mail-outbox.repository.js';
import { InMemoryMailOutboxRepository } from '../../src/mail/outbox/repositories/in-memory.mail-outbox.repository.js';
import { SqlMailOutboxRepository } from '../../src/mail/outbox/repositories/sql.mail-outbox.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const HOUR = 3_600_000;

describe.each(STORES)('MailOutboxRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let outbox: MailOutboxRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    outbox = store.db ? new SqlMailOutboxRepository(store.db) : new InMemoryMailOutboxRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  const aUserId = async (): Promise<{ id: string; email: string }> => {
    const { username, email } = aUser();
    return users.create({ username, email, passwordHash: '$2b$04$x' });
  };
  const linkFor = (
    userId: string,
    purpose: EmailLinkPurpose = 'email_verification',
    ttl = HOUR,
  ) => ({
    userId,
    purpose,
    email: 'someone@example.com',
    expiresAt: new Date(Date.now() + ttl),
  });

  it('queues a mail with its link in one step, due at once, with a stable Message-ID', async () => {
    const user = await aUserId();
    const now = new Date();
    const mail = await outbox.enqueue(
      { kind: 'email_verification', recipient: user.email.toUpperCase(), userId: user.id, now },
      linkFor(user.id),
    );
    expect(mail).toMatchObject({
      kind: 'email_verification',
      recipientKey: user.email.toLowerCase(),
      attempts: 0,
      nextAttemptAt: now,
      sentAt: null,
      messageId: expect.stringMatching(/^<[0-9a-f-]{36}@[\w.-]+>$/),
    });
    const link = await outbox.findLink(mail.linkId!);
    expect(link).toMatchObject({ userId: user.id, tokenHash: null, usedAt: null, revokedAt: null });
    expect(await outbox.queuedSince(mail.recipientKey, ['email_verification'], now)).toBe(true);
    expect(await outbox.queuedSince(mail.recipientKey, ['password_reset'], now)).toBe(false);
    expect(
      await outbox.queuedSince(
        mail.recipientKey,
        ['email_verification'],
        new Date(now.getTime() + 1),
      ),
    ).toBe(false);
  });

  it('lets a new link supersede the user’s older links of the same purpose only', async () => {
    const user = await aUserId();
    const now = new Date();
    const first = await outbox.enqueue(
      { kind: 'email_verification', recipient: user.email, userId: user.id, now },
      linkFor(user.id),
    );
    const reset = await outbox.enqueue(
      { kind: 'password_reset', recipient: user.email, userId: user.id, now },
      linkFor(user.id, 'password_reset'),
    );
    await outbox.enqueue(
      { kind: 'email_verification', recipient: user.email, userId: user.id, now },
      linkFor(user.id),
    );
    expect((await outbox.findLink(first.linkId!))?.revokedAt).toEqual(expect.any(Date));
    expect((await outbox.findLink(reset.linkId!))?.revokedAt).toBeNull();
  });

  it('never lets a later link supersede an undo link: only an undo cancels the undo links after it', async () => {
    const user = await aUserId();
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const undo = (ms: number) =>
      outbox.enqueue(
        { kind: 'email_changed', recipient: user.email, userId: user.id, now: at(ms) },
        linkFor(user.id, 'email_revert', 24 * HOUR),
      );
    // A → B → C: the owner's undo link (to A), then the intruder's (to B).
    const toA = await undo(0);
    const toB = await undo(1_000);
    expect((await outbox.findLink(toA.linkId!))?.revokedAt).toBeNull();
    // A password or address change cancels the other kinds, never an undo link.
    await outbox.revokeLinks(
      user.id,
      ['password_reset', 'email_verification', 'email_change'],
      at(2_000),
    );
    expect((await outbox.findLink(toA.linkId!))?.revokedAt).toBeNull();
    expect((await outbox.findLink(toB.linkId!))?.revokedAt).toBeNull();

    // Following the undo link to A cancels the undo links made after it, not the earlier ones.
    const toC = await undo(3_000);
    const older = await outbox.enqueue(
      { kind: 'email_changed', recipient: user.email, userId: user.id, now: at(-1_000) },
      linkFor(user.id, 'email_revert', 24 * HOUR),
    );
    await outbox.revokeLinks(user.id, ['email_revert'], at(4_000), at(0));
    expect((await outbox.findLink(toB.linkId!))?.revokedAt).toEqual(at(4_000));
    expect((await outbox.findLink(toC.linkId!))?.revokedAt).toEqual(at(4_000));
    expect((await outbox.findLink(older.linkId!))?.revokedAt).toBeNull();
  });

  it('spends a live link once; an expired, revoked or unknown one never', async () => {
    const user = await aUserId();
    const now = new Date();
    const mail = await outbox.enqueue(
      { kind: 'password_reset', recipient: user.email, userId: user.id, now },
      linkFor(user.id, 'password_reset'),
    );
    await outbox.setLinkHash(mail.linkId!, 'hash-live');
    expect(await outbox.consumeLink('hash-live', ['email_verification'], now)).toBeUndefined();
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => outbox.consumeLink('hash-live', ['password_reset'], now)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await outbox.findLinkByHash('hash-live', ['password_reset'])).toMatchObject({
      usedAt: now,
    });

    const expired = await outbox.enqueue(
      { kind: 'email_verification', recipient: user.email, userId: user.id, now },
      linkFor(user.id, 'email_verification', 1_000),
    );
    await outbox.setLinkHash(expired.linkId!, 'hash-expired');
    expect(
      await outbox.consumeLink(
        'hash-expired',
        ['email_verification'],
        new Date(now.getTime() + 2_000),
      ),
    ).toBeUndefined();

    const revoked = await outbox.enqueue(
      { kind: 'email_change', recipient: user.email, userId: user.id, now },
      linkFor(user.id, 'email_change'),
    );
    await outbox.setLinkHash(revoked.linkId!, 'hash-revoked');
    await outbox.revokeLinks(user.id, ['email_change'], now);
    expect(await outbox.consumeLink('hash-revoked', ['email_change'], now)).toBeUndefined();
    expect(await outbox.consumeLink('hash-unknown', ['email_change'], now)).toBeUndefined();
  });

  it('gives each due mail to one claimer at a time, until the claim ends', async () => {
    const now = new Date(Date.now() + 10 * HOUR);
    const queued = await outbox.enqueue({
      kind: 'password_reset',
      recipient: `claim-${Date.now()}@example.com`,
      userId: null,
      now,
    });
    const later = new Date(now.getTime() + 60_000);
    const claims = await Promise.all(
      ['a', 'b', 'c'].map((owner) => outbox.claimDue(owner, now, later, 100)),
    );
    const winners = claims.filter((claimed) => claimed.some((m) => m.id === queued.id));
    expect(winners).toHaveLength(1);
    // Claimed: nobody else gets it before the claim ends; after, someone may.
    expect(
      (await outbox.claimDue('d', new Date(now.getTime() + 1_000), later, 100)).map((m) => m.id),
    ).not.toContain(queued.id);
    expect(
      (
        await outbox.claimDue(
          'e',
          new Date(later.getTime() + 1),
          new Date(later.getTime() + 60_000),
          100,
        )
      ).map((m) => m.id),
    ).toContain(queued.id);

    // A retry is not due before its time; a sent mail never again.
    await outbox.markRetry(queued.id, 1, new Date(later.getTime() + 30_000));
    expect(
      (await outbox.claimDue('f', new Date(later.getTime() + 1_000), later, 100)).map((m) => m.id),
    ).not.toContain(queued.id);
    const retried = await outbox.claimDue(
      'g',
      new Date(later.getTime() + 31_000),
      new Date(later.getTime() + 90_000),
      100,
    );
    expect(retried.find((m) => m.id === queued.id)).toMatchObject({ attempts: 1, claimedBy: 'g' });
    await outbox.markSent(queued.id, later);
    expect(
      (await outbox.claimDue('h', new Date(later.getTime() + 10 * HOUR), later, 100)).map(
        (m) => m.id,
      ),
    ).not.toContain(queued.id);
  });

  it('ties a resolved reset request to its user and a new link, superseding older reset links', async () => {
    const user = await aUserId();
    const now = new Date();
    const old = await outbox.enqueue(
      { kind: 'password_reset', recipient: user.email, userId: user.id, now },
      linkFor(user.id, 'password_reset'),
    );
    const request = await outbox.enqueue({
      kind: 'password_reset',
      recipient: user.email.toUpperCase(),
      userId: null,
      now: new Date(now.getTime() + 1),
    });
    expect(await outbox.newerQueued(old)).toBe(true);
    expect(await outbox.newerQueued(request)).toBe(false);
    const link = await outbox.attachLink(
      request.id,
      user.email,
      linkFor(user.id, 'password_reset'),
    );
    expect(link).toMatchObject({ userId: user.id, purpose: 'password_reset', tokenHash: null });
    expect((await outbox.findLink(old.linkId!))?.revokedAt).toEqual(expect.any(Date));
    // The request goes to the address stored on the account, not as typed.
    const later = new Date(now.getTime() + 20 * HOUR);
    const claimed = await outbox.claimDue('resolver', later, later, 1_000);
    expect(claimed.find((m) => m.id === request.id)).toMatchObject({
      recipient: user.email,
      userId: user.id,
      linkId: link.id,
    });
  });

  it('counts what was sent to an address, what waits, and deletes what finished long ago', async () => {
    const recipient = `count-${Date.now()}@example.com`;
    const now = new Date();
    const before = await outbox.pendingCount();
    const a = await outbox.enqueue({ kind: 'password_changed', recipient, userId: null, now });
    const b = await outbox.enqueue({ kind: 'password_changed', recipient, userId: null, now });
    const c = await outbox.enqueue({ kind: 'password_changed', recipient, userId: null, now });
    expect(await outbox.pendingCount()).toBe(before + 3);
    await outbox.markSent(a.id, new Date(now.getTime() - 3 * 24 * HOUR));
    await outbox.markSent(b.id, now);
    await outbox.markFailed(c.id, 'daily_limit', now);
    expect(await outbox.pendingCount()).toBe(before);
    expect(await outbox.sentSince(recipient, new Date(now.getTime() - 24 * HOUR))).toBe(1);
    expect(
      await outbox.deleteFinishedBefore(new Date(now.getTime() - 24 * HOUR)),
    ).toBeGreaterThanOrEqual(1);
    expect(await outbox.sentSince(recipient, new Date(0))).toBe(1);
  });

  it('deletes a backlog of finished mails, sent or given up, in batches until none is left', async () => {
    const recipient = `backlog-${Date.now()}@example.com`;
    // Far enough back that no other test's mail finished before it.
    const cutoff = new Date(Date.now() - 30 * 24 * HOUR);
    const at = (offsetMs: number) => new Date(cutoff.getTime() + offsetMs);
    for (const n of [1, 2, 3, 4, 5]) {
      const mail = await outbox.enqueue({
        kind: 'password_changed',
        recipient,
        userId: null,
        now: at(-HOUR),
      });
      if (n % 2) await outbox.markSent(mail.id, at(-n));
      else await outbox.markFailed(mail.id, 'gave_up', at(-n));
    }
    const kept = await outbox.enqueue({
      kind: 'password_changed',
      recipient,
      userId: null,
      now: at(-HOUR),
    });
    await outbox.markSent(kept.id, at(1));
    expect(await outbox.deleteFinishedBefore(cutoff, 2)).toBe(5);
    expect(await outbox.sentSince(recipient, new Date(0))).toBe(1);
    expect(await outbox.deleteFinishedBefore(cutoff, 2)).toBe(0);
  });
});
