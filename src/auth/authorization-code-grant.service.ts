import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { hashOpaqueToken } from '../common/security/opaque-token.js';
import { FederatedFlowsRepository } from '../identities/federated-flows.repository.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import type { CodeResult } from '../identities/federated-flow.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MfaService, mfaRequired } from '../mfa/mfa.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import { AuthService, invalidCredentials } from './auth.service.js';
import type { AuthorizationCodeDto } from './dto/authorization-code.dto.js';
import type { IssuedTokens } from './dto/token-response.dto.js';
import { verifierMatches } from './pkce.js';

/**
 * The authorization code grant at the token endpoint (issue 25, "The flow" 4): our code from a
 * provider's sign-in, with the app's PKCE verifier and redirect URI, for the usual token response,
 * or `403 mfa_required` when the account has two-factor login on. Every presentation spends the
 * code; a later one also ends what the first produced (RFC 6749 §4.1.2).
 */
@Injectable()
export class AuthorizationCodeGrantService {
  constructor(
    private readonly flows: FederatedFlowsRepository,
    private readonly identities: IdentitiesRepository,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async exchange(
    dto: AuthorizationCodeDto,
    client: ClientInfo,
  ): Promise<{ user: User; tokens: IssuedTokens }> {
    const codeHash = hashOpaqueToken(dto.code);
    const redemption = await this.flows.redeemCode(codeHash, new Date());
    if (!redemption) throw invalidGrant();
    if (redemption.reused) {
      if (redemption.firstResult) await this.end(redemption.firstResult);
      throw invalidGrant();
    }
    const code = redemption.code;
    // A link code is redeemed by its signed-in user at /me/identities, never here.
    if (
      code.purpose !== 'login' ||
      code.redirectUri !== dto.redirect_uri ||
      !verifierMatches(dto.code_verifier, code.codeChallenge)
    ) {
      throw invalidGrant();
    }
    // The identity may have been unlinked in the 60 s since the callback (by the owner, an admin,
    // or a password reset proving the address from outside): its code then signs nobody in.
    const identity = await this.identities.findByIssuerSubject(code.issuer, code.subject);
    if (!identity || identity.userId !== code.userId) throw invalidGrant();
    const user = await this.users.findById(code.userId);
    if (!user || user.disabledAt) {
      // As /login answers a disabled account.
      this.metrics.login('account_disabled');
      await this.audit.record('login_failed', client, {
        userId: user?.id,
        username: user ? usernameKey(user.username) : undefined,
        reason: 'account_disabled',
        method: 'fed',
        idp: code.provider,
      });
      throw invalidCredentials();
    }
    if (await this.mfa.isEnabled(user.id)) {
      this.metrics.login('mfa_required');
      const mfaToken = await this.mfa.challenge(user.id, {
        firstFactor: 'fed',
        idp: code.provider,
      });
      await this.record(codeHash, { kind: 'mfa_challenge', id: hashOpaqueToken(mfaToken) });
      throw mfaRequired(mfaToken);
    }
    await this.auth.assertEmailVerified(user, client);
    // auth_time: the provider sign-in that produced the code (the callback), never a refresh.
    const { tokens, sessionId } = await this.auth.startSession(user, client, code.amr, {
      authTime: code.authTime,
      idp: code.provider,
    });
    await this.record(codeHash, { kind: 'session', id: sessionId });
    return { user, tokens };
  }

  /** Records what the first presentation produced; a replay that came in between ends it now. */
  private async record(codeHash: string, result: CodeResult): Promise<void> {
    if ((await this.flows.recordCodeResult(codeHash, result)) === 'reused') {
      await this.end(result);
      throw invalidGrant();
    }
  }

  private async end(result: CodeResult): Promise<void> {
    if (result.kind === 'session') await this.sessions.end([result.id]);
    else await this.mfa.endChallenge(result.id);
  }
}

/** RFC 6749 §5.2: a wrong verifier, an unknown, used or expired code, another redirect_uri. */
export function invalidGrant(): ProblemException {
  return new ProblemException(
    'invalidAuthorizationCode',
    'The authorization code is invalid, expired or used, or the code_verifier or redirect_uri does not match.',
    { extensions: { error: 'invalid_grant' } },
  );
}
