import { Injectable } from '@nestjs/common';
import { sql, type Kysely, type Selectable } from 'kysely';
import { deleteInBatches } from '../../database/batched-delete.js';
import {
  toDate,
  type AuthorizationCodesTable,
  type DatabaseSchema,
  type FederatedFlowsTable,
} from '../../database/schema.js';
import {
  CODE_RESULT_KINDS,
  FEDERATED_PURPOSES,
  type AuthorizationCode,
  type CodeRedemption,
  type CodeResult,
  type FederatedFlow,
  type FederatedPurpose,
} from '../federated-flow.js';
import { FederatedFlowsRepository, type FederatedPurge } from '../federated-flows.repository.js';

/**
 * Flows and codes in SQLite or PostgreSQL. Each take is one conditional statement: on PostgreSQL
 * a concurrent one waits for the row and then finds it taken; SQLite runs one writer at a time.
 */
@Injectable()
export class SqlFederatedFlowsRepository extends FederatedFlowsRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {
    super();
  }

  async createFlow(flow: FederatedFlow): Promise<void> {
    await this.db
      .insertInto('federated_flows')
      .values({
        id_hash: flow.idHash,
        provider: flow.provider,
        state: flow.state,
        nonce: flow.nonce,
        code_verifier: flow.codeVerifier,
        app_redirect_uri: flow.appRedirectUri,
        app_state: flow.appState,
        app_code_challenge: flow.appCodeChallenge,
        purpose: flow.purpose,
        user_id: flow.userId,
        expires_at: flow.expiresAt.toISOString(),
      })
      .execute();
  }

  async takeFlow(idHash: string, now: Date): Promise<FederatedFlow | null> {
    const row = await this.db
      .deleteFrom('federated_flows')
      .where('id_hash', '=', idHash)
      .returningAll()
      .executeTakeFirst();
    if (!row) return null;
    const flow = toFlow(row);
    return flow.expiresAt > now ? flow : null;
  }

  async issueCode(code: AuthorizationCode): Promise<void> {
    await this.db
      .insertInto('authorization_codes')
      .values({
        code_hash: code.codeHash,
        user_id: code.userId,
        provider: code.provider,
        purpose: code.purpose,
        code_challenge: code.codeChallenge,
        redirect_uri: code.redirectUri,
        identity_id: code.identityId,
        issuer: code.issuer,
        subject: code.subject,
        email: code.email,
        email_verified: code.emailVerified ? 1 : 0,
        amr: JSON.stringify(code.amr),
        auth_time: code.authTime.toISOString(),
        expires_at: code.expiresAt.toISOString(),
      })
      .execute();
  }

  async redeemCode(codeHash: string, now: Date): Promise<CodeRedemption | null> {
    const at = now.toISOString();
    const spent = await this.db
      .updateTable('authorization_codes')
      .set({ used_at: at })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .returningAll()
      .executeTakeFirst();
    if (spent) return { reused: false, code: toCode(spent) };
    // Spent before (expired or not): mark the replay, so a first presentation still minting
    // learns of it when it records its result.
    const replayed = await this.db
      .updateTable('authorization_codes')
      .set({ reused_at: sql<string>`coalesce(reused_at, ${at})` })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is not', null)
      .returning(['result_kind', 'result_id'])
      .executeTakeFirst();
    if (!replayed) return null;
    return { reused: true, firstResult: toResult(replayed.result_kind, replayed.result_id) };
  }

  async recordCodeResult(codeHash: string, result: CodeResult): Promise<'recorded' | 'reused'> {
    const row = await this.db
      .updateTable('authorization_codes')
      .set({ result_kind: result.kind, result_id: result.id })
      .where('code_hash', '=', codeHash)
      .returning('reused_at')
      .executeTakeFirst();
    return row && row.reused_at !== null ? 'reused' : 'recorded';
  }

  async purgeExpired(purge: FederatedPurge): Promise<{ flows: number; codes: number }> {
    const flows = await deleteInBatches(this.db, {
      table: 'federated_flows',
      key: 'id_hash',
      olderThan: 'expires_at',
      before: purge.flowsExpiredBefore,
    });
    const codes = await deleteInBatches(this.db, {
      table: 'authorization_codes',
      key: 'code_hash',
      olderThan: 'expires_at',
      before: purge.codesExpiredBefore,
    });
    return { flows, codes };
  }
}

function toFlow(row: Selectable<FederatedFlowsTable>): FederatedFlow {
  return {
    idHash: row.id_hash,
    provider: row.provider,
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    appRedirectUri: row.app_redirect_uri,
    appState: row.app_state,
    appCodeChallenge: row.app_code_challenge,
    purpose: toPurpose(row.purpose),
    userId: row.user_id,
    expiresAt: toDate(row.expires_at),
  };
}

function toCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    userId: row.user_id,
    provider: row.provider,
    purpose: toPurpose(row.purpose),
    codeChallenge: row.code_challenge,
    redirectUri: row.redirect_uri,
    identityId: row.identity_id,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    emailVerified: Number(row.email_verified) === 1,
    amr: JSON.parse(row.amr) as string[],
    authTime: toDate(row.auth_time),
    expiresAt: toDate(row.expires_at),
  };
}

function toPurpose(value: string): FederatedPurpose {
  const purpose = FEDERATED_PURPOSES.find((known) => known === value);
  if (!purpose) throw new Error(`Unknown federated purpose "${value}"`);
  return purpose;
}

function toResult(kind: string | null, id: string | null): CodeResult | null {
  const known = CODE_RESULT_KINDS.find((candidate) => candidate === kind);
  return known && id !== null ? { kind: known, id } : null;
}
