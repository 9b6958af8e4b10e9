import type {
  AuthorizationCode,
  CodeRedemption,
  CodeResult,
  FederatedFlow,
} from './federated-flow.js';

/** What a purge deletes: flows and codes that expired before these times. */
export interface FederatedPurge {
  readonly flowsExpiredBefore: Date;
  /** Later than the codes' expiry: a used code is kept a while so a replay still ends its session. */
  readonly codesExpiredBefore: Date;
}

/**
 * The state of sign-ins through providers between requests: the flows (step 2) and our codes
 * (step 3). Every take is one conditional statement, so instances sharing the store agree on who
 * got a flow or a code.
 */
export abstract class FederatedFlowsRepository {
  abstract createFlow(flow: FederatedFlow): Promise<void>;

  /**
   * Takes a flow once: the row is gone after the first call, whatever it finds. Null when there is
   * none, or it expired at `now`.
   */
  abstract takeFlow(idHash: string, now: Date): Promise<FederatedFlow | null>;

  abstract issueCode(code: AuthorizationCode): Promise<void>;

  /**
   * Spends a code, atomically: of any number of concurrent presentations exactly one gets the code
   * (when it is live at `now`); every later one is marked on the row and answered `reused`, with
   * what the first produced. Null for an unknown code, or one that expired unused.
   */
  abstract redeemCode(codeHash: string, now: Date): Promise<CodeRedemption | null>;

  /**
   * Records what the first presentation produced. `reused`: another presentation came before it
   * was recorded (and could not end it), so the caller must end it itself.
   */
  abstract recordCodeResult(codeHash: string, result: CodeResult): Promise<'recorded' | 'reused'>;

  /** Deletes expired flows and codes; answers how many of each went. */
  abstract purgeExpired(purge: FederatedPurge): Promise<{ flows: number; codes: number }>;
}
