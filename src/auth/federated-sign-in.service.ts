import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import type { OidcProviderConfig } from '../config/oidc-config.js';
import { ADMIN_ROLE } from '../config/roles.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import { IdentityConflictError, type Identity } from '../identities/identity.js';
import { MailQueueService } from '../mail/mail-queue.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { UserConflictError } from '../users/user-conflict.error.js';
import { UsersService } from '../users/users.service.js';
import type { OidcIdentityClaims } from './oidc/oidc-identity.js';
import { USERNAME_PATTERN } from './dto/signup.dto.js';

/** Why a provider's identity signs in no account, as the callback answers the app (RFC 6749 §4.1.2.1). */
export type FederatedRefusal = 'access_denied' | 'account_exists';

export type FederatedResolution =
  | { readonly kind: 'signed_in'; readonly user: User; readonly identity: Identity }
  | { readonly kind: 'refused'; readonly error: FederatedRefusal; readonly description: string };

/** Username candidates tried with a numeric suffix before falling back to `user-<random>`. */
const USERNAME_SUFFIX_TRIES = 20;
const USERNAME_MAX = 32;

/**
 * Whose account a provider's identity signs in (issue 25, "Whose account is it"). The identity is
 * the provider's (issuer, subject), never the address: an address links an unknown identity to an
 * account only when the provider is trusted with addresses (OIDC_<ID>_TRUST_EMAIL=on) and says it
 * verified it, the account verified it too, and the account holds no admin role. Anything else
 * whose address is taken links nothing (account pre-hijacking).
 */
@Injectable()
export class FederatedSignInService {
  constructor(
    private readonly users: UsersService,
    private readonly identities: IdentitiesRepository,
    private readonly audit: AuditService,
    private readonly mail: MailQueueService,
  ) {}

  async resolve(
    provider: OidcProviderConfig,
    claims: OidcIdentityClaims,
    client: ClientInfo,
  ): Promise<FederatedResolution> {
    const known = await this.identities.findByIssuerSubject(claims.iss, claims.sub);
    if (known) return this.signInKnown(known);
    if (claims.email === undefined) {
      return refused('access_denied', 'The provider gave no email address for this account.');
    }
    const email = claims.email;
    const trusted = provider.trustEmail && claims.email_verified;
    const found = await this.users.findByEmail(email);
    // By id: the SQL store's findByEmail does not read roles, and the admin check needs them.
    const holder = found && (await this.users.findById(found.id));
    if (found) {
      if (!holder) return accountExists();
      if (!trusted || holder.emailVerifiedAt === null || holder.roles.includes(ADMIN_ROLE)) {
        return accountExists();
      }
      return this.linkByAddress(provider, claims, email, holder, client);
    }
    if (!provider.signup) {
      return refused('access_denied', 'Signing up through this provider is turned off.');
    }
    return this.signUp(provider, claims, email, trusted, client);
  }

  private async signInKnown(identity: Identity): Promise<FederatedResolution> {
    const user = await this.users.findById(identity.userId);
    if (!user || user.disabledAt) return refused('access_denied', 'This account is disabled.');
    await this.identities.touchLastUsed(identity.id, new Date());
    return { kind: 'signed_in', user, identity };
  }

  private async linkByAddress(
    provider: OidcProviderConfig,
    claims: OidcIdentityClaims,
    email: string,
    holder: User,
    client: ClientInfo,
  ): Promise<FederatedResolution> {
    if (holder.disabledAt) return refused('access_denied', 'This account is disabled.');
    const identity = await this.link(provider, claims, email, holder.id);
    if (!identity) return this.resolveLinkedMeanwhile(claims);
    await this.audit.record('identity_linked', client, {
      userId: holder.id,
      username: usernameKey(holder.username),
      idp: provider.id,
    });
    await this.mail.notifyIdentityLinked(holder);
    await this.identities.touchLastUsed(identity.id, new Date());
    return { kind: 'signed_in', user: holder, identity };
  }

  private async signUp(
    provider: OidcProviderConfig,
    claims: OidcIdentityClaims,
    email: string,
    verified: boolean,
    client: ClientInfo,
  ): Promise<FederatedResolution> {
    let user: User | undefined;
    for (const username of usernameCandidates(claims, email)) {
      try {
        user = await this.users.create({ username, email, passwordHash: null });
        break;
      } catch (error) {
        if (!(error instanceof UserConflictError)) throw error;
        // The address was taken between the look-up and now: as if it had been there before.
        if (error.field === 'email') return accountExists();
      }
    }
    if (!user) throw new Error('no free username for a new account');
    if (verified) {
      await this.users.markEmailVerified(user.id, email, new Date());
      user = (await this.users.findById(user.id)) ?? user;
    }
    await this.audit.record('signup', client, {
      userId: user.id,
      username: usernameKey(user.username),
      method: 'fed',
      idp: provider.id,
    });
    const identity = await this.link(provider, claims, email, user.id);
    if (!identity) return this.resolveLinkedMeanwhile(claims);
    await this.identities.touchLastUsed(identity.id, new Date());
    return { kind: 'signed_in', user, identity };
  }

  /** Undefined when a concurrent callback linked the same identity first. */
  private async link(
    provider: OidcProviderConfig,
    claims: OidcIdentityClaims,
    email: string,
    userId: string,
  ): Promise<Identity | undefined> {
    try {
      return await this.identities.link({
        userId,
        provider: provider.id,
        issuer: claims.iss,
        subject: claims.sub,
        email,
        createdAt: new Date(),
      });
    } catch (error) {
      if (error instanceof IdentityConflictError) return undefined;
      throw error;
    }
  }

  /** Two callbacks of one identity raced: the one that linked it decides the account. */
  private async resolveLinkedMeanwhile(claims: OidcIdentityClaims): Promise<FederatedResolution> {
    const known = await this.identities.findByIssuerSubject(claims.iss, claims.sub);
    return known ? this.signInKnown(known) : accountExists();
  }
}

function refused(error: FederatedRefusal, description: string): FederatedResolution {
  return { kind: 'refused', error, description };
}

function accountExists(): FederatedResolution {
  return refused(
    'account_exists',
    'An account with this email address already exists: sign in with your password, then link this provider from your account.',
  );
}

/**
 * The new account's username: `preferred_username`, else the address's local part, when it passes
 * the signup rules (after NFKC, as signup does); then with `-2`, `-3`… while taken; else
 * `user-<random>`.
 */
export function* usernameCandidates(
  claims: Pick<OidcIdentityClaims, 'preferred_username'>,
  email: string,
): Generator<string> {
  const bases = [claims.preferred_username, email.slice(0, email.lastIndexOf('@'))]
    .filter((base): base is string => base !== undefined)
    .map((base) => base.normalize('NFKC'))
    .filter((base) => USERNAME_PATTERN.test(base));
  const base = bases[0];
  if (base !== undefined) {
    yield base;
    for (let suffix = 2; suffix < USERNAME_SUFFIX_TRIES + 2; suffix++) {
      const tail = `-${suffix}`;
      yield base.slice(0, USERNAME_MAX - tail.length) + tail;
    }
  }
  for (let tries = 0; tries < 5; tries++) yield `user-${randomBytes(6).toString('hex')}`;
  yield `user-${randomUUID().replaceAll('-', '').slice(0, 26)}`;
}
