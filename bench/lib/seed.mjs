// Bulk seeding of a throwaway benchmark database, and the query plans of the hot login/refresh SQL.
//
// Plain ESM JavaScript (no build step). Writes straight into an already-migrated SQLite file: by
// default DATA_DIR/auth.sqlite (SQLITE_FILE_NAME in src/config/app-config.ts), or the file named by
// DATABASE_URL=sqlite:<path>. Run it while the service is NOT running on that file.
//
//   import { seedSqlite, explainHotQueries } from './lib/seed.mjs';
//   const passwordHash = bcrypt.hashSync('a benchmark password', cost);
//   const { users, sessions, seconds } = seedSqlite(join(dataDir, 'auth.sqlite'), { passwordHash });
//   const plans = explainHotQueries(join(dataDir, 'auth.sqlite'));
//   const scans = plans.filter((plan) => plan.fullScans.length > 0); // expected: []

import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

/** Rows per transaction. */
const BATCH = 50_000;
const DAY_MS = 86_400_000;
/** REFRESH_TOKEN_TTL's default (30d): a seeded session expires that long after it started. */
const REFRESH_TTL_MS = 30 * DAY_MS;

/** Columns the current schema (migrations 0001…0010) has and the seeder fills or leaves null. */
const REQUIRED_COLUMNS = {
  users: [
    'id',
    'username',
    'username_key',
    'email',
    'email_key',
    'password_hash',
    'created_at',
    'disabled_at', // 0002
    'disabled_reason', // 0006
    'last_login_at', // 0006
    'email_verified_at', // 0008
  ],
  sessions: [
    'id',
    'user_id',
    'created_at',
    'last_used_at',
    'expires_at',
    'user_agent',
    'ip',
    'revoked_at',
    'amr', // 0009
    'generation', // 0010
    'token_hash', // 0010
    'reuse_window_generation', // 0010
    'reuse_window_started_at', // 0010
  ],
};

/**
 * Seeds `users` users and `sessions` sessions straight into an already-migrated SQLite database
 * file (the service's DATA_DIR/auth.sqlite or whatever file the service uses — find out from
 * src/config/app-config.ts / database code), with better-sqlite3 prepared statements in large
 * transactions. Resolves/returns { users, sessions, seconds }.
 *
 * Rows look like the service's own (SqlUsersRepository.create, SqlSessionsRepository.create):
 * - users: id a random UUID; username `seed0000001`… (1-based, 7 digits), username_key its
 *   usernameKey() (NFKC + lower case: the same ASCII string); email `seed0000001@example.com`,
 *   email_key likewise; password_hash the given bcrypt hash for every one; created_at an ISO
 *   string within the last 30 days; email_verified_at = created_at (verified, so they can log in
 *   under EMAIL_VERIFICATION=required too); disabled_at, disabled_reason, last_login_at null; no
 *   user_roles rows (`user` is everyone's and is not stored).
 * - sessions: session i belongs to seeded user i % users; id a random UUID; live: created_at and
 *   last_used_at within the last day, expires_at = created_at + 30 days (REFRESH_TOKEN_TTL's
 *   default), revoked_at null; amr '["pwd"]' (what a password login writes); generation 0;
 *   token_hash 43 random base64url characters (the shape of hashRefreshToken's SHA-256 base64url:
 *   no token hashes to it, so these sessions can never be refreshed); reuse_window_* null (never
 *   rotated); user_agent 'seed', ip 10.x.y.z.
 *
 * Foreign keys are not checked while seeding (every user_id is a user inserted here). Usernames
 * start at seed0000001 every time: seeding the same file twice fails on the unique index.
 *
 * ANALYZE is not run by default: the service never runs ANALYZE or PRAGMA optimize, so a
 * long-running production database has no sqlite_stat1 either, and the plans the benchmark sees
 * should be those. (The hot plans are the same with statistics; `analyze: true` adds them.)
 *
 * @param {string} file the SQLite database file, migrated (start the service once, or run
 *   `node dist/cli/migrate.cli.js` with the same DATA_DIR / DATABASE_URL)
 * @param {{ users?: number, sessions?: number, passwordHash: string, now?: Date,
 *   batchSize?: number, analyze?: boolean }} options
 * @returns {{ users: number, sessions: number, seconds: number }}
 */
export function seedSqlite(
  file,
  {
    users = 1_000_000,
    sessions = 1_000_000,
    passwordHash,
    now = new Date(),
    batchSize = BATCH,
    analyze = false,
  } = {},
) {
  if (typeof passwordHash !== 'string' || !passwordHash.startsWith('$2')) {
    throw new TypeError('seedSqlite: passwordHash must be a bcrypt hash string ($2a$/$2b$…)');
  }
  if (!Number.isInteger(users) || users < 0 || !Number.isInteger(sessions) || sessions < 0) {
    throw new TypeError('seedSqlite: users and sessions must be non-negative integers');
  }
  if (sessions > 0 && users === 0) throw new TypeError('seedSqlite: sessions need users');
  const started = process.hrtime.bigint();
  const nowMs = now.getTime();
  // fileMustExist: a typo must not silently create an empty, unmigrated database.
  const db = new Database(file, { fileMustExist: true });
  try {
    assertMigrated(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -262144'); // 256 MiB for this connection: the indexes stay in memory
    db.pragma('temp_store = MEMORY');

    const insertUser = db.prepare(
      `insert into "users" ("id", "username", "username_key", "email", "email_key",
         "password_hash", "created_at", "disabled_at", "disabled_reason", "last_login_at",
         "email_verified_at")
       values (?, ?, ?, ?, ?, ?, ?, null, null, null, ?)`,
    );
    const insertSession = db.prepare(
      `insert into "sessions" ("id", "user_id", "created_at", "last_used_at", "expires_at",
         "user_agent", "ip", "revoked_at", "amr", "generation", "token_hash",
         "reuse_window_generation", "reuse_window_started_at")
       values (?, ?, ?, ?, ?, 'seed', ?, null, '["pwd"]', 0, ?, null, null)`,
    );

    const userIds = new Array(users);
    const digits = Math.max(7, String(users).length);
    const userBatches = Math.max(1, Math.ceil(users / batchSize));
    const insertUsers = db.transaction((from, to, createdAt) => {
      for (let i = from; i < to; i++) {
        const id = randomUUID();
        userIds[i] = id;
        const name = `seed${String(i + 1).padStart(digits, '0')}`;
        const email = `${name}@example.com`;
        // usernameKey/emailKey (NFKC + toLowerCase) of these ASCII lower-case strings are themselves.
        insertUser.run(id, name, name, email, email, passwordHash, createdAt, createdAt);
      }
    });
    for (let b = 0, from = 0; from < users; b++, from += batchSize) {
      // One timestamp per batch, older batches first, spread over the last 30 days.
      const createdAt = new Date(nowMs - 30 * DAY_MS + ((b + 1) * 29 * DAY_MS) / userBatches);
      insertUsers(from, Math.min(users, from + batchSize), createdAt.toISOString());
    }

    const sessionBatches = Math.max(1, Math.ceil(sessions / batchSize));
    const insertSessions = db.transaction((from, to, createdAt, expiresAt) => {
      // 32 random bytes per row, base64url: 43 characters like a real SHA-256 token hash.
      const random = randomBytes(32 * (to - from));
      for (let i = from; i < to; i++) {
        const offset = (i - from) * 32;
        const tokenHash = random.toString('base64url', offset, offset + 32);
        const ip = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
        insertSession.run(
          randomUUID(),
          userIds[i % users],
          createdAt,
          createdAt,
          expiresAt,
          ip,
          tokenHash,
        );
      }
    });
    for (let b = 0, from = 0; from < sessions; b++, from += batchSize) {
      // Started within the last day (older batches first): live for about 29 more days.
      const createdMs = nowMs - DAY_MS + ((b + 1) * (DAY_MS - 60_000)) / sessionBatches;
      insertSessions(
        from,
        Math.min(sessions, from + batchSize),
        new Date(createdMs).toISOString(),
        new Date(createdMs + REFRESH_TTL_MS).toISOString(),
      );
    }

    if (analyze) db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } finally {
    db.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { users, sessions, seconds };
}

function assertMigrated(db) {
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const present = new Set(db.pragma(`table_info("${table}")`).map((column) => column.name));
    const missing = columns.filter((column) => !present.has(column));
    if (missing.length > 0) {
      throw new Error(
        `seedSqlite: ${table} lacks ${missing.join(', ')}: the database is not migrated to the ` +
          'current schema (0010); is dist/ built from the current source?',
      );
    }
  }
}

/**
 * The SQL the service runs on POST /login and POST /refresh, as Kysely 0.x compiles it for SQLite
 * (captured by running the repositories with Kysely's query log: re-capture them when a
 * repository's query changes), in the order a request runs it. Parameters are placeholders of the right type.
 */
const ROLES = `(select group_concat(role, ' ') as "roles" from "user_roles" where "user_roles"."user_id" = "users"."id") as "stored_roles"`;

const HOLDER = ['username', 'email_verified_at', 'disabled_at']
  .map(
    (column) =>
      `(select "users"."${column}" from "users" where "users"."id" = "sessions"."user_id") as "holder_${column}"`,
  )
  .concat(
    `(select group_concat(role, ' ') as "roles" from "user_roles" where "user_roles"."user_id" = "sessions"."user_id") as "holder_roles"`,
  )
  .join(', ');

export const HOT_QUERIES = [
  // POST /login: LoginAttemptsService.begin → KnownAddressesRepository.isKnown
  {
    route: 'login',
    name: 'knownAddresses.isKnown',
    sql: 'select "ip" from "known_login_addresses" where "username_key" = ? and "ip" = ? and "last_login_at" >= ?',
    params: ['seed0000001', '127.0.0.1', '2000-01-01T00:00:00.000Z'],
  },
  // UsersRepository.findByUsername: the user and their stored roles in one statement
  {
    route: 'login',
    name: 'users.findByUsername',
    sql: `select "users".*, ${ROLES} from "users" where "users"."username_key" = ?`,
    params: ['seed0000001'],
  },
  // MfaService.isEnabled → MfaRepository.findFactor
  {
    route: 'login',
    name: 'mfa.findFactor',
    sql: 'select * from "mfa_factors" where "user_id" = ?',
    params: ['00000000-0000-4000-8000-000000000000'],
  },
  // SessionsService.start → SessionsRepository.create
  {
    route: 'login',
    name: 'sessions.create',
    sql: 'insert into "sessions" ("id", "user_id", "created_at", "last_used_at", "expires_at", "user_agent", "ip", "amr", "generation", "token_hash") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    params: ['x', 'x', 'x', 'x', 'x', 'x', 'x', '["pwd"]', 0, 'x'],
  },
  // UsersRepository.recordLogin (update, then findById + rolesOf)
  {
    route: 'login',
    name: 'users.recordLogin',
    sql: 'update "users" set "last_login_at" = ? where "id" = ?',
    params: ['x', '00000000-0000-4000-8000-000000000000'],
  },
  {
    route: 'login',
    name: 'users.findById',
    sql: `select "users".*, ${ROLES} from "users" where "users"."id" = ?`,
    params: ['00000000-0000-4000-8000-000000000000'],
  },
  // LoginAttemptsService.succeeded → KnownAddressesRepository.remember (one transaction)
  {
    route: 'login',
    name: 'knownAddresses.remember (upsert)',
    sql: 'insert into "known_login_addresses" ("username_key", "ip", "user_id", "last_login_at") values (?, ?, ?, ?) on conflict ("username_key", "ip") do update set "user_id" = ?, "last_login_at" = ?',
    params: ['x', 'x', 'x', 'x', 'x', 'x'],
  },
  {
    route: 'login',
    name: 'knownAddresses.remember (prune)',
    sql: 'delete from "known_login_addresses" where "username_key" = ? and "last_login_at" < ?',
    params: ['seed0000001', '2000-01-01T00:00:00.000Z'],
  },
  // AuditService.record → AuditRepository.append (login_succeeded; on /refresh only for a reuse,
  // or with AUDIT_TOKEN_REFRESHES=on)
  {
    route: 'login, refresh',
    name: 'audit.append',
    sql: 'insert into "audit_events" ("id", "type", "at", "user_id", "username", "ip", "user_agent", "request_id", "session_id", "reason", "actor_id") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    params: ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', null, null],
  },
  // POST /refresh: SessionsService.rotate → SessionsRepository.rotate, one statement: the session
  // rotated and its holder read by scalar subqueries of its RETURNING (the user, their roles).
  {
    route: 'refresh',
    name: 'sessions.rotate',
    sql: `update "sessions" set "generation" = ?, "token_hash" = ?, "reuse_window_generation" = case when reuse_window_started_at >= ? then reuse_window_generation when generation > 0 and last_used_at >= ? then generation - 1 else generation end, "reuse_window_started_at" = case when reuse_window_started_at >= ? then reuse_window_started_at when generation > 0 and last_used_at >= ? then last_used_at else ? end, "last_used_at" = ?, "expires_at" = ?, "ip" = ?, "user_agent" = ? where "id" = ? and "generation" = ? and "revoked_at" is null and "expires_at" > ? and "token_hash" = ? returning *, ${HOLDER}`,
    params: [
      1,
      'x',
      'x',
      'x',
      'x',
      'x',
      'x',
      'x',
      'x',
      null,
      null,
      '00000000-0000-4000-8000-000000000000',
      0,
      'x',
      'x',
    ],
  },
  // Only when the rotation did not happen (a spent, forged or ended token; a lost race):
  {
    route: 'refresh (not rotated)',
    name: 'sessions.findById',
    sql: 'select * from "sessions" where "id" = ?',
    params: ['00000000-0000-4000-8000-000000000000'],
  },
  // A tolerated reuse (no rotation): AuthService.refresh → UsersRepository.findById, as on login.
  // Only for a pre-0010 (43-character) refresh token: SessionsRepository.findLegacyToken.
  {
    route: 'refresh (legacy token)',
    name: 'sessions.findLegacyToken',
    sql: 'select "s".*, "t"."expires_at" as "legacy_expires_at", "t"."used_at" as "legacy_used_at" from "refresh_tokens" as "t" inner join "sessions" as "s" on "s"."id" = "t"."session_id" where "t"."token_hash" = ?',
    params: ['x'],
  },
  // A refresh that ends a session (reuse, disabled user): SessionsRepository.revoke.
  {
    route: 'refresh (session ended)',
    name: 'sessions.revoke',
    sql: 'update "sessions" set "revoked_at" = ? where "id" in (?) and "revoked_at" is null returning "id"',
    params: ['x', '00000000-0000-4000-8000-000000000000'],
  },
];

/**
 * Runs EXPLAIN QUERY PLAN for every HOT_QUERIES statement on `file` (read-only) and returns, per
 * statement, its plan lines and the full scans in it: a `SCAN <table>` step that uses no index
 * (SCAN … USING [COVERING] INDEX walks a whole index: counted too). An INSERT has no plan lines
 * (SQLite plans only its conflict/upsert parts), so an empty plan is not a finding.
 *
 * @param {string} file
 * @returns {{ route: string, name: string, sql: string, plan: string[], fullScans: string[] }[]}
 */
export function explainHotQueries(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return HOT_QUERIES.map(({ route, name, sql, params }) => {
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params);
      const depth = new Map([[0, 0]]);
      const plan = rows.map((row) => {
        const level = (depth.get(row.parent) ?? 0) + 1;
        depth.set(row.id, level);
        return `${'  '.repeat(level - 1)}${row.detail}`;
      });
      const fullScans = rows
        .map((row) => row.detail)
        .filter(
          (detail) => /^SCAN /.test(detail) && !/USING (INTEGER )?PRIMARY KEY \(/.test(detail),
        );
      return { route, name, sql, plan, fullScans };
    });
  } finally {
    db.close();
  }
}
