import { Injectable } from '@nestjs/common';
import type { LoginFailure, SignInMethod } from '../audit/audit-event.js';
import { AuditService } from '../audit/audit.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import type { User } from '../users/user.js';
import { UserConflictError } from '../users/user-conflict.error.js';
import { UsersService } from '../users/users.service.js';
import type { SignupDto } from './dto/signup.dto.js';
import { REFRESH_TOKEN_EXPIRES_AT, type IssuedTokens } from './dto/token-response.dto.js';
import { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
import { tooManyFailedLogins } from '../rate-limit/too-many-requests.js';
import { usernameKey } from '../users/identity.normalization.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { SignOutEverywhereService } from './sign-out-everywhere.service.js';
import { PASSWORD_ONLY, type Session, type SignInOrigin } from '../sessions/session.js';
import { MfaService, mfaRequired, invalidMfaToken, type SecondFactor } from '../mfa/mfa.service.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { AppConfig } from '../config/app-config.js';
import { MailQueueService } from '../mail/mail-queue.service.js';

/** The tutorial's wording, kept: its clients read `detail`. */
const USERNAME_TAKEN = 'Username already taken';
const EMAIL_TAKEN = 'Email already registered';
const INVALID_CREDENTIALS = 'Invalid username or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionsService,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly mfa: MfaService,
    private readonly mail: MailQueueService,
    private readonly config: AppConfig,
    private readonly signOut: SignOutEverywhereService,
  ) {}

  async signup(dto: SignupDto, client: ClientInfo): Promise<User> {
    this.passwordPolicy.assertAcceptable(dto.password, dto);
    // Cheap early answer for a taken name; the store's unique index stays the real guarantee.
    if (await this.users.findByUsername(dto.username)) throw conflict('username');
    const passwordHash = await this.hasher.hash(dto.password);
    let user: User;
    try {
      user = await this.users.create({ username: dto.username, email: dto.email, passwordHash });
    } catch (error) {
      if (error instanceof UserConflictError) throw conflict(error.field);
      throw error;
    }
    await this.audit.record('signup', client, {
      userId: user.id,
      username: usernameKey(user.username),
      method: 'pwd',
    });
    // Without mail (production, no SMTP_URL) signup still works; /me/email/verification sends it later.
    if (await this.mail.sendVerification(user, { throttled: false })) {
      await this.audit.record('email_verification_sent', client, { userId: user.id });
    }
    return user;
  }

  /**
   * Checks a username and password. Unknown users cost the same bcrypt work as known ones and get
   * the same answer, so neither the status nor the timing says which usernames exist; the
   * failed-login counters count unknown names too. A right password does not reset them: only a
   * login that passed every factor does (login()).
   */
  async authenticate(username: string, password: string, client: ClientInfo): Promise<User> {
    const account = usernameKey(username);
    // Read first: a device cookie counts for the account's user id and generation. The same read
    // happens for unknown names, so it reveals nothing.
    const user = await this.users.findByUsername(username);
    const limited = await this.loginAttempts.begin(account, user?.id, client);
    if (limited) {
      this.metrics.login('limited');
      this.metrics.limited(limited.limit);
      await this.audit.record('login_limited', client, {
        username: account,
        reason: limited.limit,
      });
      throw tooManyFailedLogins(limited.retryAfterSeconds);
    }
    // An account without a password (made through a provider) costs and answers as a wrong one.
    const valid = await this.hasher.verify(password, user?.passwordHash);
    const failure = loginFailure(user, valid);
    if (!user || failure) {
      this.metrics.login(failure ?? 'unknown_user');
      await this.audit.record('login_failed', client, {
        userId: user?.id,
        username: account,
        reason: failure,
        method: 'pwd',
      });
      throw invalidCredentials();
    }
    if (user.passwordHash !== null && this.hasher.needsRehash(user.passwordHash)) {
      // BCRYPT_COST went up, or the hash came from elsewhere ($2a$, $2y$): upgrade it now that we
      // hold the password.
      await this.users.updatePasswordHash(user.id, await this.hasher.hash(password));
    }
    // Only after the right password: the second step reveals nothing to someone without it. A
    // right password alone is not a successful login: no counter reset, no device cookie.
    if (await this.mfa.isEnabled(user.id)) {
      this.metrics.login('mfa_required');
      throw mfaRequired(await this.mfa.challenge(user.id));
    }
    // After the second factor when there is one (mfa_required comes first).
    await this.assertEmailVerified(user, client);
    return user;
  }

  /**
   * The second step of a login (POST /login/mfa). The token's attempt is taken and the login
   * limiter consulted before the code is checked, so neither parallel requests nor a spent
   * allowance get a code checked; a wrong code thus counts like a wrong password, and a right one
   * completes the login.
   */
  async completeMfaLogin(
    mfaToken: string,
    proof: SecondFactor,
    client: ClientInfo,
  ): Promise<{ user: User; tokens: IssuedTokens }> {
    const userId = await this.mfa.takeChallengeAttempt(mfaToken);
    const user = await this.users.findById(userId);
    if (!user || user.disabledAt) throw invalidMfaToken();
    const account = usernameKey(user.username);
    const limited = await this.loginAttempts.begin(account, user.id, client);
    if (limited) {
      this.metrics.login('limited');
      this.metrics.limited(limited.limit);
      await this.audit.record('login_limited', client, {
        userId: user.id,
        username: account,
        reason: limited.limit,
      });
      throw tooManyFailedLogins(limited.retryAfterSeconds);
    }
    const outcome = await this.mfa.completeChallenge(mfaToken, user.id, proof, client);
    if (outcome.kind === 'wrong') {
      this.metrics.login('bad_mfa_code');
      throw new ProblemException('invalidMfaCode', 'Invalid code', {
        extensions: { error: 'invalid_grant' },
      });
    }
    await this.assertEmailVerified(user, client);
    // The second factor ends the interactive sign-in: auth_time is now; idp is the first factor's.
    return { user, tokens: await this.login(user, client, outcome.amr, { idp: outcome.idp }) };
  }

  /** EMAIL_VERIFICATION=required: an unverified address gets a fresh link (throttled) and a 403. */
  async assertEmailVerified(user: User, client: ClientInfo): Promise<void> {
    if (this.config.mail.emailVerification !== 'required' || user.emailVerifiedAt !== null) return;
    this.metrics.login('email_not_verified');
    await this.audit.record('login_failed', client, {
      userId: user.id,
      username: usernameKey(user.username),
      reason: 'email_not_verified',
    });
    if (await this.mail.sendVerification(user, { throttled: true })) {
      await this.audit.record('email_verification_sent', client, { userId: user.id });
    }
    throw new ProblemException(
      'emailNotVerified',
      'Confirm your email address first: follow the link we sent you (a fresh one is on its way).',
      { extensions: { error: 'email_not_verified' } },
    );
  }

  /** Starts a session: an access token and the first refresh token of a new family. */
  async login(
    user: Pick<User, 'id' | 'username'>,
    client: ClientInfo,
    amr: readonly string[] = PASSWORD_ONLY,
    origin: SignInOrigin = {},
  ): Promise<IssuedTokens> {
    return (await this.startSession(user, client, amr, origin)).tokens;
  }

  /**
   * login(), also answering the session started (the code grant records it against replays).
   * `method` names the sign-in on the audit trail; by default it is read from `amr`.
   */
  async startSession(
    user: Pick<User, 'id' | 'username'>,
    client: ClientInfo,
    amr: readonly string[],
    origin: SignInOrigin = {},
    method: SignInMethod = amr.includes('fed') ? 'fed' : 'pwd',
  ): Promise<{ tokens: IssuedTokens; sessionId: string }> {
    const { session, refreshToken } = await this.sessions
      .start(user.id, client, amr, origin)
      .catch(async (error: unknown) => {
        // Deleted while its password was being checked: the foreign key refused the session.
        if (!(await this.users.findById(user.id))) throw invalidCredentials();
        throw error;
      });
    // Read once the session exists: a role change, disable or deletion committed before this read
    // shows here, and one committed after it ends this session too (every such change ends the
    // account's sessions after writing), so no token carries a role its holder has already lost.
    const current = await this.users.recordLogin(user.id, new Date());
    if (!current || current.disabledAt) {
      await this.sessions.end([session.id]);
      throw invalidCredentials();
    }
    // Only a login that passed every factor resets the client's failures and makes it known. One
    // with a second step took two attempts (the password's and the code's): both are given back.
    // A provider's sign-in (`fed`) took none of ours: only its second step, if any, counted. A
    // passkey's took one from the address's allowance only, which it gave back itself.
    const attempts = method === 'passkey' ? 0 : amr.filter((factor) => factor !== 'fed').length;
    await this.loginAttempts.succeeded(
      usernameKey(user.username),
      user.id,
      client,
      new Date(),
      attempts,
    );
    this.metrics.login('succeeded');
    await this.audit.record('login_succeeded', client, {
      userId: user.id,
      username: usernameKey(user.username),
      sessionId: session.id,
      method,
      idp: session.idp,
    });
    return {
      tokens: this.tokenResponse(current, session, refreshToken, session.expiresAt),
      sessionId: session.id,
    };
  }

  /** Rotates a refresh token (RFC 6749 §6); every failure is the same 401 invalid_grant. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<IssuedTokens> {
    const outcome = await this.sessions.rotate(refreshToken, client);
    if (outcome.kind === 'reused') {
      this.metrics.refresh('reused');
      await this.audit.record('refresh_reuse_detected', client, {
        userId: outcome.session.userId,
        sessionId: outcome.session.id,
      });
      throw invalidRefreshToken();
    }
    // A rotation read the holder in its own statement; a tolerated reuse rotated nothing.
    const user =
      outcome.kind !== 'rotated'
        ? undefined
        : outcome.holder !== undefined
          ? outcome.holder
          : await this.users.findById(outcome.session.userId);
    if (outcome.kind !== 'rotated' || !user || user.disabledAt) {
      if (outcome.kind === 'rotated') await this.sessions.end([outcome.session.id]);
      this.metrics.refresh('invalid');
      throw invalidRefreshToken();
    }
    this.metrics.refresh(outcome.reuseTolerated ? 'reuse_tolerated' : 'rotated');
    // A tolerated reuse is always worth a line; a plain rotation only with AUDIT_TOKEN_REFRESHES=on.
    if (outcome.reuseTolerated || this.config.auditTokenRefreshes) {
      await this.audit.record(
        outcome.reuseTolerated ? 'refresh_reuse_tolerated' : 'token_refreshed',
        client,
        { userId: user.id, sessionId: outcome.session.id },
      );
    }
    // A session that passed the second step keeps its amr: refresh asks for no code again.
    return this.tokenResponse(
      user,
      outcome.session,
      outcome.refreshToken,
      outcome.refreshTokenExpiresAt,
    );
  }

  /**
   * Ends the caller's session, and the session of `refreshToken` too when it is the caller's
   * (another user's token is ignored, not revealed).
   */
  async logout(
    userId: string,
    sessionId: string,
    client: ClientInfo,
    refreshToken?: string,
  ): Promise<void> {
    const other = refreshToken ? await this.sessions.sessionOf(refreshToken) : undefined;
    const ids = other?.userId === userId ? [sessionId, other.id] : [sessionId];
    await this.sessions.end(ids);
    await this.audit.record('logout', client, { userId, sessionId });
  }

  async logoutAll(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    await this.signOut.endEverywhere(userId);
    await this.audit.record('logout_all', client, { userId, sessionId });
  }

  private tokenResponse(
    user: Pick<User, 'id' | 'username' | 'emailVerifiedAt' | 'roles'>,
    session: Pick<Session, 'id' | 'amr' | 'authTime' | 'idp'>,
    refreshToken: string,
    refreshTokenExpiresAt: Date,
  ): IssuedTokens {
    // A session's sign-in time and provider go unchanged into every token it issues.
    const { token, expiresIn } = this.accessTokens.issue(user, session.id, session.amr, session);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
      [REFRESH_TOKEN_EXPIRES_AT]: refreshTokenExpiresAt,
    };
  }
}

/** Why a checked password does not log in: stored for the audit trail, never told the client. */
function loginFailure(user: User | undefined, valid: boolean): LoginFailure | undefined {
  if (!user) return 'unknown_user';
  if (!valid) return 'bad_password';
  return user.disabledAt ? 'account_disabled' : undefined;
}

function conflict(field: 'username' | 'email'): ProblemException {
  return field === 'username'
    ? new ProblemException('usernameTaken', USERNAME_TAKEN)
    : new ProblemException('emailTaken', EMAIL_TAKEN);
}

/** A token endpoint's failure also carries RFC 6749 §5.2's `error` code for OAuth2 clients. */
export function invalidCredentials(): ProblemException {
  return new ProblemException('invalidCredentials', INVALID_CREDENTIALS, {
    extensions: { error: 'invalid_grant' },
  });
}

export function invalidRefreshToken(): ProblemException {
  return new ProblemException('invalidRefreshToken', 'Invalid refresh token', {
    extensions: { error: 'invalid_grant' },
  });
}
