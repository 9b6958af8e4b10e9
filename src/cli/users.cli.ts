import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { UserAdminService } from '../admin/user-admin.service.js';
import type { Actor } from '../audit/actor.js';
import { SignupDto } from '../auth/dto/signup.dto.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config.error.js';
import { loadDotEnvFile, processEnv } from '../config/dotenv.js';
import type { User } from '../users/user.js';
import { UserConflictError } from '../users/user-conflict.error.js';
import { UsersService } from '../users/users.service.js';
import { CliLogger } from './cli-logger.js';
import { readPassword } from './password-input.js';
import { UsersCliModule } from './users-cli.module.js';

const USAGE = `Usage: npm run users -- <command>

  create --username NAME --email ADDRESS [--role ROLE]…
      Creates an account. The password is read from standard input (one line), or asked for
      twice without echo at a terminal; it is never taken from the command line. The signup
      rules apply. --role admin makes the account an admin.
  set-role NAME ROLE[,ROLE…]
      Sets the account's roles (user, admin, or a name from ROLES; user is everyone's), and ends
      its sessions so no token keeps a role it lost.
  disable NAME [--reason TEXT]
      Refuses its logins and refreshes, and ends its sessions.
  enable NAME
      Lets it log in again.

Uses the database the service uses (DATABASE_URL, or SQLite in DATA_DIR; .env is read), bringing
its schema up to date first. Running instances refuse ended sessions' tokens within a second.`;

/** A mistake in how the tool was called: the usage is printed, the exit code is 2. */
class UsageError extends Error {}

/** The command line acts as nobody in particular: audit events record no actor. */
const COMMAND_LINE: Actor = { id: null, client: { ip: null, userAgent: null, requestId: null } };

interface Tools {
  readonly users: UsersService;
  readonly admin: UserAdminService;
  readonly policy: PasswordPolicyService;
  readonly hasher: PasswordHasher;
}

/**
 * `npm run users -- …`: the first admin, and the account changes an operator needs before there
 * is an admin API to call (or when it cannot be reached). Runs on a Nest application context
 * (UsersCliModule) holding the services the admin API uses over the configured database, so the
 * rules are the same; no HTTP, no job.
 */
async function main(argv: readonly string[]): Promise<void> {
  if (argv.some((arg) => /^--?password(=|$)/.test(arg))) {
    throw new UsageError(
      'The password is never taken from the command line (it would stay in shell history and show in ps): pipe it on standard input, or type it at the prompt.',
    );
  }
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`Unknown command "${command}".`);
  loadDotEnvFile();
  const config = AppConfig.fromEnv(processEnv());
  if (config.database.kind === 'memory') {
    throw new Error(
      'DATABASE_URL=memory: keeps accounts inside the running service; the command line cannot reach them.',
    );
  }
  const context = await NestFactory.createApplicationContext(UsersCliModule.register(config), {
    logger: new CliLogger(),
    abortOnError: false,
  });
  try {
    await run(rest, {
      users: context.get(UsersService),
      admin: context.get(UserAdminService),
      policy: context.get(PasswordPolicyService),
      hasher: context.get(PasswordHasher),
    });
  } finally {
    await context.close();
  }
}

const COMMANDS: Record<string, (args: string[], tools: Tools) => Promise<void>> = {
  async create(args, { admin, policy, hasher }) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string', multiple: true },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0 || !values.username || !values.email) {
      throw new UsageError('create needs --username NAME and --email ADDRESS.');
    }
    const password = await readPassword();
    const signup = plainToInstance(SignupDto, {
      username: values.username,
      email: values.email,
      password,
    });
    const errors = await validate(signup);
    if (errors.length > 0) {
      throw new Error(errors.flatMap((error) => Object.values(error.constraints ?? {})).join(' '));
    }
    policy.assertAcceptable(password, signup);
    let user: User;
    try {
      user = await admin.create(
        {
          username: signup.username,
          email: signup.email,
          passwordHash: await hasher.hash(password),
          roles: values.role ?? [],
        },
        COMMAND_LINE,
      );
    } catch (error) {
      if (!(error instanceof UserConflictError)) throw error;
      throw new Error(
        error.field === 'username' ? 'Username already taken.' : 'Email already registered.',
        { cause: error },
      );
    }
    console.log(`Created ${user.username} (${user.id}) with roles ${user.roles.join(', ')}.`);
  },

  async 'set-role'(args, { users, admin }) {
    const [name, roles, ...extra] = args;
    if (!name || !roles || extra.length > 0) {
      throw new UsageError('set-role needs a username and ROLE[,ROLE…].');
    }
    const user = await existing(users, name);
    const list = roles.split(',').map((role) => role.trim());
    const updated = await admin.setRoles(user.id, list, COMMAND_LINE);
    console.log(`${updated.username} has roles ${updated.roles.join(', ')}.`);
  },

  async disable(args, { users, admin }) {
    const { values, positionals } = parseArgs({
      args,
      options: { reason: { type: 'string' } },
      allowPositionals: true,
    });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('disable needs a username.');
    const user = await existing(users, name);
    await admin.disable(user.id, values.reason ?? null, COMMAND_LINE);
    console.log(`Disabled ${user.username}; its sessions have ended.`);
  },

  async enable(args, { users, admin }) {
    const [name, ...extra] = args;
    if (!name || extra.length > 0) throw new UsageError('enable needs a username.');
    const user = await existing(users, name);
    await admin.enable(user.id, COMMAND_LINE);
    console.log(`Enabled ${user.username}.`);
  },
};

async function existing(users: UsersService, name: string): Promise<User> {
  const user = await users.findByUsername(name);
  if (!user) throw new Error(`There is no user named "${name}".`);
  return user;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // A problem the service would answer (last admin, unknown role, signup rules): its words.
  const message =
    error instanceof ProblemException
      ? error.problem.detail
      : error instanceof ConfigError
        ? `Invalid configuration: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
  console.error(message);
  process.exit(1);
});
