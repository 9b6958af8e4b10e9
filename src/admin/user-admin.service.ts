import { Optional, Injectable } from '@nestjs/common';
import type { AuditEventType } from '../audit/audit-event.js';
import { MailQueueService } from '../mail/mail-queue.service.js';
import { AuditService } from '../audit/audit.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Actor } from '../audit/actor.js';
import { AccountDeletionService } from '../auth/account-deletion.service.js';
import { SignOutEverywhereService } from '../auth/sign-out-everywhere.service.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { AppConfig } from '../config/app-config.js';
import { usernameKey } from '../users/identity.normalization.js';
import { normalizeRoles } from '../config/roles.js';
import type { NewUser, User, UserSearch } from '../users/user.js';
import { expectDone, noSuchUser } from '../users/user-change.problems.js';
import { UsersService } from '../users/users.service.js';

/**
 * What an admin (or an operator at the command line) does to an account. Every change that takes
 * something away — roles, the account itself — ends the account's sessions on every instance, as a
 * logout does, so no access token outlives what it says; each action is an audit event naming
 * the actor and the target.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly signOut: SignOutEverywhereService,
    private readonly deletion: AccountDeletionService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    // Absent in the command line, which sends no mail.
    @Optional() private readonly mail?: MailQueueService,
  ) {}

  search(search: UserSearch, limit: number): Promise<User[]> {
    if (search.role !== undefined) this.assertKnownRoles([search.role], 'role');
    return this.users.search(search, limit);
  }

  /**
   * Creates an account with its roles (the command line's `create`; the caller has applied the
   * signup rules). Rejects with UserConflictError when the username or email is taken.
   */
  async create(newUser: NewUser, actor: Actor): Promise<User> {
    this.assertKnownRoles(newUser.roles ?? [], 'roles');
    const user = await this.users.create(newUser);
    await this.record('user_created', user, actor);
    return user;
  }

  async get(id: string): Promise<{ user: User; activeSessions: number }> {
    const user = await this.existing(id);
    return { user, activeSessions: (await this.sessions.listLive(id)).length };
  }

  /** Sets the roles (`user` is implied) and ends the account's sessions if they changed. */
  async setRoles(id: string, roles: readonly string[], actor: Actor): Promise<User> {
    this.assertKnownRoles(roles, 'roles');
    const before = await this.existing(id);
    const next = normalizeRoles(roles);
    if (next.join() === before.roles.join()) return before;
    expectDone(await this.users.setRoles(id, next));
    // After the write: a login reading the old roles has started its session by now (see
    // AuthService.login), so ending every session here leaves no token with the old roles.
    await this.sessions.endAllOf(id);
    await this.record('roles_changed', before, actor);
    return this.existing(id);
  }

  /** Logins and refreshes are refused from now on; every session ends at once. */
  async disable(id: string, reason: string | null, actor: Actor): Promise<void> {
    const user = await this.existing(id);
    expectDone(await this.users.disable(id, new Date(), reason));
    await this.signOut.endEverywhere(id);
    await this.record('account_disabled', user, actor);
  }

  async enable(id: string, actor: Actor): Promise<void> {
    const user = await this.existing(id);
    expectDone(await this.users.enable(id));
    await this.record('account_enabled', user, actor);
  }

  /** Logs the account out everywhere. */
  async endSessions(id: string, actor: Actor): Promise<void> {
    const user = await this.existing(id);
    await this.signOut.endEverywhere(id);
    await this.record('all_sessions_revoked', user, actor);
  }

  /** Deletes the account (see AccountDeletionService). */
  delete(id: string, actor: Actor): Promise<void> {
    return this.deletion.delete(id, actor);
  }

  /**
   * Queues a reset link to the account's address (throttled like a user's own request: one a
   * minute); 503 when this server cannot send mail.
   */
  async requestPasswordReset(id: string, actor: Actor): Promise<void> {
    const user = await this.existing(id);
    if (!this.mail) throw new ProblemException('mailNotConfigured', 'Mail is not configured.');
    this.mail.assertConfigured();
    await this.mail.sendPasswordReset(user, { throttled: true });
    await this.record('password_reset_requested', user, actor);
  }

  private async existing(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw noSuchUser();
    return user;
  }

  private assertKnownRoles(roles: readonly string[], field: string): void {
    const unknown = roles.filter((role) => !this.config.roles.includes(role));
    if (unknown.length === 0) return;
    throw validationProblem([
      {
        field,
        pointer: `#/${field}`,
        detail: `${field} may only name ${this.config.roles.join(', ')} (not ${unknown.join(', ')}).`,
      },
    ]);
  }

  private record(type: AuditEventType, target: User, actor: Actor): Promise<void> {
    return this.audit.record(type, actor.client, {
      userId: target.id,
      username: usernameKey(target.username),
      actorId: actor.id,
    });
  }
}
