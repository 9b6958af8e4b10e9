import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  byAge,
  PasskeyConflictError,
  type NewPasskey,
  type Passkey,
  type PasskeyUse,
} from '../passkey.js';
import { PasskeysRepository } from '../passkeys.repository.js';

/** For DATABASE_URL=memory: one process, so a map checked and written in one turn is atomic. */
@Injectable()
export class InMemoryPasskeysRepository extends PasskeysRepository {
  private readonly byId = new Map<string, Passkey>();
  /** credential id → id: the unique key. */
  private readonly idByCredential = new Map<string, string>();
  private readonly handles = new Map<string, string>();

  findByCredentialId(credentialId: string): Promise<Passkey | undefined> {
    const id = this.idByCredential.get(credentialId);
    return Promise.resolve(id === undefined ? undefined : this.byId.get(id));
  }

  listForUser(userId: string): Promise<Passkey[]> {
    return Promise.resolve(this.ofUser(userId).sort(byAge));
  }

  add(passkey: NewPasskey): Promise<Passkey> {
    if (this.idByCredential.has(passkey.credentialId)) {
      return Promise.reject(new PasskeyConflictError());
    }
    const added: Passkey = { ...passkey, id: randomUUID(), lastUsedAt: null };
    this.byId.set(added.id, added);
    this.idByCredential.set(added.credentialId, added.id);
    return Promise.resolve(added);
  }

  rename(userId: string, id: string, name: string): Promise<Passkey | undefined> {
    const passkey = this.byId.get(id);
    if (passkey?.userId !== userId) return Promise.resolve(undefined);
    const renamed = { ...passkey, name };
    this.byId.set(id, renamed);
    return Promise.resolve(renamed);
  }

  remove(userId: string, id: string): Promise<boolean> {
    const passkey = this.byId.get(id);
    if (passkey?.userId !== userId) return Promise.resolve(false);
    this.drop(passkey);
    return Promise.resolve(true);
  }

  removeAllForUser(userId: string): Promise<Passkey[]> {
    const removed = this.ofUser(userId).sort(byAge);
    for (const passkey of removed) this.drop(passkey);
    this.handles.delete(userId);
    return Promise.resolve(removed);
  }

  recordUse(id: string, use: PasskeyUse): Promise<void> {
    const passkey = this.byId.get(id);
    if (passkey) {
      this.byId.set(id, {
        ...passkey,
        signCount: use.signCount,
        backedUp: use.backedUp,
        lastUsedAt: use.at,
      });
    }
    return Promise.resolve();
  }

  ensureUserHandle(userId: string, candidate: string): Promise<string> {
    const stored = this.handles.get(userId);
    if (stored !== undefined) return Promise.resolve(stored);
    this.handles.set(userId, candidate);
    return Promise.resolve(candidate);
  }

  findUserHandle(userId: string): Promise<string | undefined> {
    return Promise.resolve(this.handles.get(userId));
  }

  private ofUser(userId: string): Passkey[] {
    return [...this.byId.values()].filter((passkey) => passkey.userId === userId);
  }

  private drop(passkey: Passkey): void {
    this.byId.delete(passkey.id);
    this.idByCredential.delete(passkey.credentialId);
  }
}
