import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IdentitiesRepository } from '../identities.repository.js';
import { byAge, IdentityConflictError, type Identity, type NewIdentity } from '../identity.js';

/** For DATABASE_URL=memory: one process, so a map checked and written in one turn is atomic. */
@Injectable()
export class InMemoryIdentitiesRepository extends IdentitiesRepository {
  private readonly byId = new Map<string, Identity>();
  /** (issuer, subject) → id: the unique key. */
  private readonly idByKey = new Map<string, string>();

  findByIssuerSubject(issuer: string, subject: string): Promise<Identity | undefined> {
    const id = this.idByKey.get(key(issuer, subject));
    return Promise.resolve(id === undefined ? undefined : this.byId.get(id));
  }

  listForUser(userId: string): Promise<Identity[]> {
    return Promise.resolve(this.ofUser(userId).sort(byAge));
  }

  link(identity: NewIdentity): Promise<Identity> {
    const unique = key(identity.issuer, identity.subject);
    if (this.idByKey.has(unique)) return Promise.reject(new IdentityConflictError());
    const linked: Identity = { ...identity, id: randomUUID(), lastUsedAt: null };
    this.byId.set(linked.id, linked);
    this.idByKey.set(unique, linked.id);
    return Promise.resolve(linked);
  }

  unlink(userId: string, id: string): Promise<boolean> {
    const identity = this.byId.get(id);
    if (identity?.userId !== userId) return Promise.resolve(false);
    this.remove(identity);
    return Promise.resolve(true);
  }

  unlinkAllForUser(userId: string): Promise<Identity[]> {
    const removed = this.ofUser(userId).sort(byAge);
    for (const identity of removed) this.remove(identity);
    return Promise.resolve(removed);
  }

  touchLastUsed(id: string, at: Date): Promise<void> {
    const identity = this.byId.get(id);
    if (identity) this.byId.set(id, { ...identity, lastUsedAt: at });
    return Promise.resolve();
  }

  private ofUser(userId: string): Identity[] {
    return [...this.byId.values()].filter((identity) => identity.userId === userId);
  }

  private remove(identity: Identity): void {
    this.byId.delete(identity.id);
    this.idByKey.delete(key(identity.issuer, identity.subject));
  }
}

const key = (issuer: string, subject: string): string => JSON.stringify([issuer, subject]);
