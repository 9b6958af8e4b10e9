import { Optional, Injectable } from '@nestjs/common';
import type { AuditEventType } from '../audit/audit-event.js';
import { MailQueue } from '../mail/mail-queue.service.js';
import { AuditService } from '../audit/audit.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { AppConfig } from '../config/app-config.js';
import { usernameKey } from '../users/identity.normalization.js';
import { normalizeRoles } from '../config/roles.js';
import type { NewUser, User, UserChange, UserSearch } from '../users/user.js';
import { UsersService } from '../users/users.service.js';

/** Who is acting: an admin's (or the account's own) id, or null for the command line. */
export interface Actor {
  readonly id: string | null;
  readonly client: ClientInfo;
}

const NO_SUCH_USER = 'No such user.';
const LAST_ADMIN =
  'This is the last enabled admin: make another account admin first, so someone can still administer the service.';

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
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    // Absent in the command line, which sends no mail.
    @Optional() private readonly mail?: MailQueue,
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
    await this.sessions.endEverywhere(id);
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
    await this.sessions.endEverywhere(id);
    await this.record('all_sessions_revoked', user, actor);
  }

  /**
   * Deletes the account: its username and email are free at once, its access tokens refused at
   * once on every instance (the revocations are kept until they expire), its audit events stay.
   */
  async delete(id: string, actor: Actor): Promise<void> {
    const user = await this.existing(id);
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
    await this.record('account_deleted', user, actor);
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
    if (!user) throw new ProblemException('notFound', NO_SUCH_USER);
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

function expectDone(outcome: UserChange): void {
  if (outcome === 'not_found') throw new ProblemException('notFound', NO_SUCH_USER);
  if (outcome === 'last_admin') throw new ProblemException('lastAdmin', LAST_ADMIN);
}
