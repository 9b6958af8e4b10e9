import { Injectable } from '@nestjs/common';
import type { Actor } from '../audit/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { AppConfig } from '../config/app-config.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import { PasskeysRepository } from '../passkeys/passkeys.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import { expectDone, noSuchUser } from '../users/user-change.problems.js';
import { UsersService } from '../users/users.service.js';

/**
 * Deletes an account: the one deletion that an admin's DELETE /admin/users/{id}, the owner's
 * DELETE /me and the command line all go through. (Here, above sessions/ and audit/, which it
 * uses; users/ is below both.)
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly identities: IdentitiesRepository,
    private readonly passkeys: PasskeysRepository,
  ) {}

  /**
   * Its username and email are free at once, its access tokens refused at once on every instance
   * (the revocations are kept until they expire), its audit events stay. The last enabled admin
   * gets 409.
   */
  async delete(id: string, actor: Actor): Promise<void> {
    const user = await this.users.findById(id);
    if (!user) throw noSuchUser();
    const now = new Date();
    const tokensIssuedSince = new Date(
      now.getTime() - this.config.jwt.accessTokenTtlSeconds * 1000,
    );
    const { outcome, revokedSessionIds } = await this.users.delete(id, now, tokensIssuedSince);
    expectDone(outcome);
    // SQL stores revoked the live sessions with the deletion (their rows went with it): tell the
    // revocation list. The in-memory store keeps session rows: end them there.
    await this.sessions.end(revokedSessionIds);
    await this.sessions.endAllOf(id);
    // Its identities go too: SQL stores deleted them with the user (ON DELETE CASCADE); the
    // in-memory store keeps them apart, where each would still hold its (issuer, subject) for an
    // account that is gone, so that person could never sign in or up through the provider again.
    await this.identities.unlinkAllForUser(id);
    // Its passkeys and handle likewise (cascaded in SQL): a credential id held for nobody would
    // refuse the authenticator's registration on any new account.
    await this.passkeys.removeAllForUser(id);
    await this.audit.record('account_deleted', actor.client, {
      userId: user.id,
      username: usernameKey(user.username),
      actorId: actor.id,
    });
  }
}
