import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { hashOpaqueToken } from '../common/security/opaque-token.js';
import { FederatedFlowsRepository } from '../identities/federated-flows.repository.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import { IdentityConflictError, type Identity } from '../identities/identity.js';
import { MailQueueService } from '../mail/mail-queue.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { FederatedFlowService, type FlowStart } from './federated-flow.service.js';
import { verifierMatches } from './pkce.js';
import { ReauthenticationService, type Reauthentication } from './reauthentication.service.js';

/** What an app sends to start linking: where the browser comes back, and its PKCE challenge. */
export interface LinkRequest {
  readonly redirectUri: string;
  readonly codeChallenge: string;
}

/** What an app sends to finish: the code from its redirect URI, and the PKCE verifier. */
export interface LinkCompletion {
  readonly code: string;
  readonly codeVerifier: string;
}

/**
 * Linking a provider from the account (issue 25, "Signed in"): the signed-in user, re-authenticated,
 * starts a flow to the provider; its callback only issues a link code, and nothing is linked
 * until the same user redeems that code with the PKCE verifier. A leaked or planted
 * authorization URL or code therefore links nobody: the code names the user who started it.
 */
@Injectable()
export class IdentityLinkService {
  constructor(
    private readonly flows: FederatedFlowService,
    private readonly codes: FederatedFlowsRepository,
    private readonly identities: IdentitiesRepository,
    private readonly reauthentication: ReauthenticationService,
    private readonly audit: AuditService,
    private readonly mail: MailQueueService,
  ) {}

  /**
   * POST /me/identities/<provider>: the request's target is checked first (400s that need no
   * password), then the caller proves it is them as for other account changes, then the flow.
   */
  async begin(
    user: User,
    providerId: string,
    request: LinkRequest,
    proof: Reauthentication,
    client: ClientInfo,
    sessionId: string,
  ): Promise<FlowStart> {
    this.flows.assertAppTarget(providerId, request.redirectUri);
    await this.reauthentication.confirm(user, proof, 'when-enabled', client, sessionId);
    return this.flows.beginLink(user.id, { provider: providerId, ...request });
  }

  /**
   * POST /me/identities/<provider>/complete. The code is spent by any presentation (single use,
   * taken atomically as at the token endpoint); every way it can be wrong answers the same 400.
   */
  async complete(
    user: User,
    providerId: string,
    completion: LinkCompletion,
    client: ClientInfo,
    sessionId: string | undefined,
  ): Promise<Identity> {
    // A provider removed from OIDC_PROVIDERS since the flow began links nothing: as at the start.
    this.flows.assertProvider(providerId);
    const redemption = await this.codes.redeemCode(hashOpaqueToken(completion.code), new Date());
    if (!redemption || redemption.reused) throw invalidLinkCode();
    const code = redemption.code;
    if (
      code.purpose !== 'link' ||
      code.provider !== providerId ||
      code.userId !== user.id ||
      !verifierMatches(completion.codeVerifier, code.codeChallenge)
    ) {
      throw invalidLinkCode();
    }
    const known = await this.identities.findByIssuerSubject(code.issuer, code.subject);
    if (known) throw alreadyLinked(known, user);
    let identity: Identity;
    try {
      // The identity's address is only shown to the owner: the account's address and its
      // verification stay as they are (an address from a provider proves nothing to us).
      identity = await this.identities.link({
        userId: user.id,
        provider: providerId,
        issuer: code.issuer,
        subject: code.subject,
        email: code.email,
        createdAt: new Date(),
      });
    } catch (error) {
      if (!(error instanceof IdentityConflictError)) throw error;
      // Another request linked it in between: answer as if it had come first.
      const winner = await this.identities.findByIssuerSubject(code.issuer, code.subject);
      throw winner ? alreadyLinked(winner, user) : error;
    }
    await this.audit.record('identity_linked', client, {
      userId: user.id,
      username: usernameKey(user.username),
      sessionId: sessionId ?? null,
      idp: providerId,
    });
    await this.mail.notifyIdentityLinked(user);
    return identity;
  }
}

export function invalidLinkCode(): ProblemException {
  return new ProblemException(
    'invalidLinkCode',
    'The link code is invalid, expired or used, or was not issued to this account, this provider or this code_verifier: start linking again.',
  );
}

/**
 * Two kinds, not one: the caller has just signed in to that provider account, so saying it
 * belongs to another of our accounts tells them only about an account they control, and the
 * remedies differ (nothing to do, or sign in with it and unlink it there). It is never moved.
 */
function alreadyLinked(identity: Identity, user: User): ProblemException {
  return identity.userId === user.id
    ? new ProblemException(
        'identityAlreadyLinked',
        'This identity at the provider is already linked to your account.',
      )
    : new ProblemException(
        'identityLinkedElsewhere',
        'This identity at the provider is linked to another account: sign in with it and unlink it there first.',
      );
}
