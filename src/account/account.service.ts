import { Injectable } from '@nestjs/common';
import type { AuditCursor, AuditEvent } from '../audit/audit-event.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { invalidToken } from '../tokens/bearer-challenges.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { ReauthenticationService } from '../auth/reauthentication.service.js';
import { AccountDeletionService } from '../auth/account-deletion.service.js';
import { SignOutEverywhereService } from '../auth/sign-out-everywhere.service.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { isLive, type Session } from '../sessions/session.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import type { User } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import {
  LINKS_CANCELLED_BY_PASSWORD_CHANGE,
  MailQueueService,
} from '../mail/mail-queue.service.js';

@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly audit: AuditService,
    private readonly auditEvents: AuditRepository,
    private readonly mail: MailQueueService,
    private readonly deletion: AccountDeletionService,
    private readonly signOut: SignOutEverywhereService,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  /** The caller's account; a token whose user is gone is no longer a valid token. */
  async profile(caller: AuthenticatedUser): Promise<User> {
    const user = await this.users.findById(caller.id);
    if (!user || user.disabledAt) throw invalidToken();
    return user;
  }

  /**
   * Changes the password and ends every other session: their access tokens are refused at once
   * and their refresh tokens answer 401. The caller's own session stays. An account without a
   * password (made through a provider) sets its first one here, on a recent sign-in instead of
   * `current`, with the same consequences: it then signs in, and re-authenticates, by password.
   */
  async changePassword(
    caller: AuthenticatedUser,
    current: string | undefined,
    next: string,
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.profile(caller);
    await this.reauthentication.confirm(
      user,
      { password: current },
      'none',
      client,
      caller.sessionId,
    );
    this.passwordPolicy.assertAcceptable(next, user, 'new_password');
    if (this.reauthentication.hasPassword(user) && next === current) {
      throw validationProblem([
        {
          field: 'new_password',
          pointer: '#/new_password',
          detail: 'new_password must differ from current_password.',
        },
      ]);
    }
    await this.users.updatePasswordHash(user.id, await this.hasher.hash(next));
    await this.signOut.endEverywhere(user.id, caller.sessionId);
    await this.audit.record('password_changed', client, {
      userId: user.id,
      sessionId: caller.sessionId,
    });
    // Pending reset and address-change links die with the old password (a verification link
    // stays: the address did not change); the owner hears of it.
    await this.mail.cancelLinks(user.id, LINKS_CANCELLED_BY_PASSWORD_CHANGE);
    await this.mail.notifyPasswordChanged(user);
  }

  /**
   * The same deletion as an admin's (the last enabled admin gets 409), on the owner's password (or,
   * without one, a recent sign-in).
   */
  async deleteAccount(
    caller: AuthenticatedUser,
    current: string | undefined,
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.profile(caller);
    await this.reauthentication.confirm(
      user,
      { password: current },
      'none',
      client,
      caller.sessionId,
    );
    await this.deletion.delete(user.id, { id: user.id, client });
  }

  listSessions(caller: AuthenticatedUser): Promise<Session[]> {
    return this.sessions.listLive(caller.id);
  }

  /** Ends one of the caller's live sessions; anything else (someone else's, ended) is a 404. */
  async endSession(
    caller: AuthenticatedUser,
    sessionId: string,
    client: ClientInfo,
  ): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session || session.userId !== caller.id || !isLive(session, new Date())) {
      throw new ProblemException('notFound', 'No such session.');
    }
    await this.sessions.end([session.id]);
    await this.audit.record('session_revoked', client, {
      userId: caller.id,
      sessionId: session.id,
    });
  }

  /** The caller's own audit trail, newest first, a page at a time. */
  activity(caller: AuthenticatedUser, limit: number, cursor?: AuditCursor): Promise<AuditEvent[]> {
    return this.auditEvents.listForUser(caller.id, limit, cursor);
  }
}
