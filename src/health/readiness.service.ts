import { Injectable, Optional } from '@nestjs/common';
import { sql } from 'kysely';
import { ProblemException } from '../common/problems/problem.exception.js';
import { Database } from '../database/database.js';

export type CheckState = 'ok' | 'unavailable';
const CHECK_TIMEOUT_MS = 2_000;

/** Readiness: can this instance serve requests now? Each dependency answers within 2 s or fails. */
@Injectable()
export class ReadinessService {
  constructor(@Optional() private readonly db?: Database) {}

  async check(): Promise<Record<string, CheckState>> {
    const checks: Record<string, CheckState> = {};
    if (this.db) {
      const db = this.db;
      checks.database = await probe(() => sql`select 1`.execute(db));
    }
    if (Object.values(checks).some((state) => state !== 'ok')) {
      throw new ProblemException('notReady', 'A dependency is not answering.', {
        extensions: { checks },
      });
    }
    return checks;
  }
}

async function probe(check: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}
