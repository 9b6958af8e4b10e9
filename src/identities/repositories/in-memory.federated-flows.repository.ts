import { Injectable } from '@nestjs/common';
import type {
  AuthorizationCode,
  CodeRedemption,
  CodeResult,
  FederatedFlow,
} from '../federated-flow.js';
import { FederatedFlowsRepository, type FederatedPurge } from '../federated-flows.repository.js';

interface StoredCode {
  readonly code: AuthorizationCode;
  usedAt: Date | null;
  reusedAt: Date | null;
  result: CodeResult | null;
}

/** For DATABASE_URL=memory: one process, so each check-and-set in one turn is atomic. */
@Injectable()
export class InMemoryFederatedFlowsRepository extends FederatedFlowsRepository {
  private readonly flows = new Map<string, FederatedFlow>();
  private readonly codes = new Map<string, StoredCode>();

  createFlow(flow: FederatedFlow): Promise<void> {
    if (this.flows.has(flow.idHash)) return Promise.reject(new Error('Duplicate flow id'));
    this.flows.set(flow.idHash, flow);
    return Promise.resolve();
  }

  takeFlow(idHash: string, now: Date): Promise<FederatedFlow | null> {
    const flow = this.flows.get(idHash);
    this.flows.delete(idHash);
    return Promise.resolve(flow && flow.expiresAt > now ? flow : null);
  }

  issueCode(code: AuthorizationCode): Promise<void> {
    if (this.codes.has(code.codeHash)) return Promise.reject(new Error('Duplicate code'));
    this.codes.set(code.codeHash, { code, usedAt: null, reusedAt: null, result: null });
    return Promise.resolve();
  }

  redeemCode(codeHash: string, now: Date): Promise<CodeRedemption | null> {
    const stored = this.codes.get(codeHash);
    if (!stored) return Promise.resolve(null);
    if (stored.usedAt === null) {
      if (stored.code.expiresAt <= now) return Promise.resolve(null);
      stored.usedAt = now;
      return Promise.resolve({ reused: false, code: stored.code });
    }
    stored.reusedAt ??= now;
    return Promise.resolve({ reused: true, firstResult: stored.result });
  }

  recordCodeResult(codeHash: string, result: CodeResult): Promise<'recorded' | 'reused'> {
    const stored = this.codes.get(codeHash);
    if (!stored) return Promise.resolve('recorded');
    stored.result = result;
    return Promise.resolve(stored.reusedAt === null ? 'recorded' : 'reused');
  }

  purgeExpired(purge: FederatedPurge): Promise<{ flows: number; codes: number }> {
    let flows = 0;
    let codes = 0;
    for (const [idHash, flow] of this.flows) {
      if (flow.expiresAt < purge.flowsExpiredBefore && this.flows.delete(idHash)) flows += 1;
    }
    for (const [codeHash, stored] of this.codes) {
      if (stored.code.expiresAt < purge.codesExpiredBefore && this.codes.delete(codeHash)) {
        codes += 1;
      }
    }
    return Promise.resolve({ flows, codes });
  }
}
