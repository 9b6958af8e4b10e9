import { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/**
 * The SQL connection (a Kysely instance) and its injection token. Present only when the store is
 * SQL (SQLite or PostgreSQL); with DATABASE_URL=memory: nothing provides it.
 */
export class Database extends Kysely<DatabaseSchema> {}
