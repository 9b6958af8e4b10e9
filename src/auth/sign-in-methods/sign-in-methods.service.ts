import { Injectable } from '@nestjs/common';
import type { Actor } from '../../audit/actor.js';
import { AuditService } from '../../audit/audit.service.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { AppConfig } from '../../config/app-config.js';
import { IdentitiesRepository } from '../../identities/identities.repository.js';
import type { Identity } from '../../identities/identity.js';
import { MailQueueService } from '../../mail/mail-queue.service.js';
import { PasskeysRepository } from '../../passkeys/passkeys.repository.js';
import { hasPassword, type User } from '../../users/user.js';
import { SignOutEverywhereService } from '../sign-out-everywhere.service.js';
import { oidcMethod, PASSKEY_METHOD, PASSWORD_METHOD } from './sign-in-method-names.js';
import { SignInMethodsStore, type SignsIn } from './sign-in-methods.store.js';

/**
 * The ways into an account (issues 25 and 26): its password, each identity whose provider is still
 * in OIDC_PROVIDERS, and its passkeys while WEBAUTHN_RP_ID is set. Lists them, and takes an
 * identity or a passkey off the account — never the last way in, for its owner and admins alike.
 */
@Injectable()
export class SignInMethodsService {
  constructor(
    private readonly store: SignInMethodsStore,
    private readonly identities: IdentitiesRepository,
    private readonly passkeys: PasskeysRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly mail: MailQueueService,
    private readonly signOut: SignOutEverywhereService,
  ) {}

  /**
   * `password` first when the account has one, then `oidc:<provider>` once per configured
   * provider with an identity on the account, in the order they were linked, then `passkey` when
   * it has one (and passkeys are on).
   */
  async methodsOf(user: User): Promise<string[]> {
    const identities = await this.identities.listForUser(user.id);
    const providers = identities.filter(this.signsIn.identity).map((identity) => identity.provider);
    const passkeys = this.signsIn.passkeys ? await this.passkeys.listForUser(user.id) : [];
    return [
      ...(hasPassword(user) ? [PASSWORD_METHOD] : []),
      ...new Set(providers.map(oidcMethod)),
      ...(passkeys.length > 0 ? [PASSKEY_METHOD] : []),
    ];
  }

  /** Every identity linked to the account, oldest first (those of providers since removed too). */
  identitiesOf(userId: string): Promise<Identity[]> {
    return this.identities.listForUser(userId);
  }

  /**
   * Takes one identity off the account: 404 when the account has none with that id, 409 when it is
   * the last way to sign in. The sessions it may have opened end — every session but
   * `keepSessionId` (the owner's own request) — and the owner is told by mail.
   */
  async unlink(
    user: User,
    identityId: string,
    actor: Actor,
    keepSessionId?: string,
  ): Promise<void> {
    const result = await this.store.unlinkIdentity(user.id, identityId, this.signsIn);
    if (result.outcome === 'not_found') {
      throw new ProblemException('notFound', 'No such identity.');
    }
    if (result.outcome === 'last_method') throw lastSignInMethod();
    await this.signOut.endEverywhere(user.id, keepSessionId);
    await this.audit.record('identity_unlinked', actor.client, {
      userId: user.id,
      sessionId: keepSessionId ?? null,
      actorId: actor.id === user.id ? null : actor.id,
      idp: result.identity.provider,
    });
    await this.mail.notifyIdentityUnlinked(user);
  }

  /**
   * Takes one passkey off the account: 404 when the account has none with that id, 409 when it is
   * the last way to sign in. As for an identity, the sessions it may have opened end — every
   * session but `keepSessionId` (the owner's own request): a passkey is removed because a device
   * was lost or taken — and the owner is told by mail.
   */
  async removePasskey(
    user: User,
    passkeyId: string,
    actor: Actor,
    keepSessionId?: string,
  ): Promise<void> {
    const result = await this.store.removePasskey(user.id, passkeyId, this.signsIn);
    if (result.outcome === 'not_found') {
      throw new ProblemException('notFound', 'No such passkey.');
    }
    if (result.outcome === 'last_method') throw lastSignInMethod(PASSKEY_LAST_METHOD);
    await this.signOut.endEverywhere(user.id, keepSessionId);
    await this.audit.record('passkey_removed', actor.client, {
      userId: user.id,
      sessionId: keepSessionId ?? null,
      actorId: actor.id === user.id ? null : actor.id,
    });
    await this.mail.notifyPasskeyRemoved(user);
  }

  /**
   * A password reset proved the address while the account had it unverified: every identity was
   * linked while it was unverified, so every one goes (whoever controls the mailbox owns the
   * account, not whoever reached it first through a provider). The reset has just set a password,
   * so the account keeps a way in; the caller ends the sessions, then records what went with
   * `recordUnlinkedAfterAddressProven`. Answers those unlinked.
   */
  unlinkAfterAddressProven(userId: string): Promise<Identity[]> {
    return this.identities.unlinkAllForUser(userId);
  }

  /** One audit event per identity unlinked by a reset (reason `address_proven`), and one mail. */
  async recordUnlinkedAfterAddressProven(
    user: User,
    unlinked: readonly Identity[],
    client: ClientInfo,
  ): Promise<void> {
    if (unlinked.length === 0) return;
    for (const identity of unlinked) {
      await this.audit.record('identity_unlinked', client, {
        userId: user.id,
        reason: 'address_proven',
        idp: identity.provider,
      });
    }
    await this.mail.notifyIdentityUnlinked(user);
  }

  /**
   * Which credentials still sign in: an identity whose provider is still configured, passkeys
   * while WEBAUTHN_RP_ID is set.
   */
  private get signsIn(): SignsIn {
    const providers = this.config.oidc.providers;
    return {
      identity: (identity: Identity): boolean =>
        providers.some((provider) => provider.id === identity.provider),
      passkeys: this.config.webauthn !== undefined,
    };
  }
}

export const IDENTITY_LAST_METHOD =
  'This is the account’s last way to sign in: set a password or link another provider first.';
export const PASSKEY_LAST_METHOD =
  'This is the account’s last way to sign in: set a password, link a provider or add another passkey first.';

export function lastSignInMethod(detail = IDENTITY_LAST_METHOD): ProblemException {
  return new ProblemException('lastSignInMethod', detail);
}
