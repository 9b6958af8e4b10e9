import { Injectable } from '@nestjs/common';
import type { LoginFailure } from '../audit/audit-event.js';
import { AuditService } from '../audit/audit.service.js';
import { Metrics } from '../metrics/metrics.service.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import type { User } from '../users/user.js';
import { UserConflictError } from '../users/user-conflict.error.js';
import { UsersService } from '../users/users.service.js';
import type { SignupDto } from './dto/signup.dto.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import { LoginAttempts } from '../rate-limit/login-attempts.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { PasswordPolicy } from './passwords/password-policy.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { SessionsService } from './sessions/sessions.service.js';
import { AccessTokenService } from './tokens/access-token.service.js';

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
    private readonly passwordPolicy: PasswordPolicy,
    private readonly loginAttempts: LoginAttempts,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
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
    });
    return user;
  }

  /**
   * Checks a username and password. Unknown users cost the same bcrypt work as known ones and get
   * the same answer, so neither the status nor the timing says which usernames exist; the
   * per-account failure limit counts unknown names too.
   */
  async authenticate(username: string, password: string, client: ClientInfo): Promise<User> {
    const account = usernameKey(username);
    try {
      await this.loginAttempts.begin(account);
    } catch (error) {
      if (error instanceof ProblemException) {
        this.metrics.login('limited');
        this.metrics.limited('account');
        await this.audit.record('login_limited', client, { username: account, reason: 'account' });
      }
      throw error;
    }
    const user = await this.users.findByUsername(username);
    const valid = await this.hasher.verify(password, user?.passwordHash);
    const failure = loginFailure(user, valid);
    if (!user || failure) {
      this.metrics.login(failure ?? 'unknown_user');
      await this.audit.record('login_failed', client, {
        userId: user?.id,
        username: account,
        reason: failure,
      });
      throw invalidCredentials();
    }
    await this.loginAttempts.succeeded(account);
    if (this.hasher.needsRehash(user.passwordHash)) {
      // BCRYPT_COST went up, or the hash came from elsewhere ($2a$, $2y$): upgrade it now that we
      // hold the password.
      await this.users.updatePasswordHash(user.id, await this.hasher.hash(password));
    }
    return user;
  }

  /** Starts a session: an access token and the first refresh token of a new family. */
  async login(user: Pick<User, 'id' | 'username'>, client: ClientInfo): Promise<TokenResponseDto> {
    const { session, refreshToken } = await this.sessions
      .start(user.id, client)
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
    this.metrics.login('succeeded');
    await this.audit.record('login_succeeded', client, {
      userId: user.id,
      username: usernameKey(user.username),
      sessionId: session.id,
    });
    return this.tokenResponse(current, session.id, refreshToken);
  }

  /** Rotates a refresh token (RFC 6749 §6); every failure is the same 401 invalid_grant. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenResponseDto> {
    const outcome = await this.sessions.rotate(refreshToken, client);
    if (outcome.kind === 'reused') {
      this.metrics.refresh('reused');
      await this.audit.record('refresh_reuse_detected', client, {
        userId: outcome.session.userId,
        sessionId: outcome.session.id,
      });
      throw invalidRefreshToken();
    }
    const user =
      outcome.kind === 'rotated' ? await this.users.findById(outcome.session.userId) : undefined;
    if (outcome.kind !== 'rotated' || !user || user.disabledAt) {
      if (outcome.kind === 'rotated') await this.sessions.end([outcome.session.id]);
      this.metrics.refresh('invalid');
      throw invalidRefreshToken();
    }
    this.metrics.refresh('rotated');
    await this.audit.record('token_refreshed', client, {
      userId: user.id,
      sessionId: outcome.session.id,
    });
    return this.tokenResponse(user, outcome.session.id, outcome.refreshToken);
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
    await this.sessions.endAllOf(userId);
    await this.audit.record('logout_all', client, { userId, sessionId });
  }

  private tokenResponse(
    user: Pick<User, 'id' | 'username' | 'roles'>,
    sessionId: string,
    refreshToken: string,
  ): TokenResponseDto {
    const { token, expiresIn } = this.accessTokens.issue(user, sessionId);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
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
