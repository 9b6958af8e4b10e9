import type { AppConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { FileKeyRingStore } from './key-ring.file.js';
import type { KeyRingStore } from './key-ring.store.js';
import { SqlKeyRingStore } from './key-ring.sql.js';

/** Generated keys live in the database when there is one (shared by instances), else in DATA_DIR. */
export function keyRingStore(config: AppConfig, db: Database | undefined): KeyRingStore {
  return db ? new SqlKeyRingStore(db) : new FileKeyRingStore(config.dataDir);
}
