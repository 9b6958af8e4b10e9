import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  AuthorizationCode,
  CodeRedemption,
  FederatedFlow,
} from '../../src/identities/federated-flow.js';
import type { FederatedFlowsRepository } from '../../src/identities/federated-flows.repository.js';
import { InMemoryFederatedFlowsRepository } from '../../src/identities/repositories/in-memory.federated-flows.repository.js';
import { SqlFederatedFlowsRepository } from '../../src/identities/repositories/sql.federated-flows.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const at = (ms: number) => new Date(T0.getTime() + ms);
const aHash = () => randomBytes(32).toString('base64url');

describe.each(STORES)('FederatedFlowsRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let flows: FederatedFlowsRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    flows = store.db
      ? new SqlFederatedFlowsRepository(store.db)
      : new InMemoryFederatedFlowsRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  const aUserId = async () => {
    const { username, email } = aUser();
    return (await users.create({ username, email, passwordHash: null })).id;
  };
  /** A sign-in flow that expires ten minutes after T0. */
  const aFlow = (overrides: Partial<FederatedFlow> = {}): FederatedFlow => ({
    idHash: aHash(),
    provider: 'acme',
    state: aHash(),
    nonce: aHash(),
    codeVerifier: aHash(),
    appRedirectUri: 'https://app.example.com/cb',
    appState: 'app-state',
    appCodeChallenge: aHash(),
    purpose: 'login',
    userId: null,
    expiresAt: at(10 * MINUTE),
    ...overrides,
  });
  /** A code of a new user that expires a minute after T0. */
  const aCode = async (overrides: Partial<AuthorizationCode> = {}): Promise<AuthorizationCode> => {
    const code: AuthorizationCode = {
      codeHash: aHash(),
      userId: await aUserId(),
      provider: 'acme',
      purpose: 'login',
      codeChallenge: aHash(),
      redirectUri: 'http://127.0.0.1:53121/cb',
      identityId: '6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b',
      issuer: 'https://id.acme.example',
      subject: 'subject-1',
      email: 'someone@acme.example',
      emailVerified: true,
      amr: ['fed'],
      authTime: at(-5_000),
      expiresAt: at(MINUTE),
      ...overrides,
    };
    await flows.issueCode(code);
    return code;
  };

  describe('flows', () => {
    it('takes a live flow once, as it was stored', async () => {
      const flow = aFlow();
      await flows.createFlow(flow);
      expect(await flows.takeFlow(flow.idHash, at(MINUTE))).toEqual(flow);
      expect(await flows.takeFlow(flow.idHash, at(MINUTE))).toBeNull();
    });

    it('keeps a linking flow’s account, and a flow without an app state', async () => {
      const flow = aFlow({ purpose: 'link', userId: await aUserId(), appState: null });
      await flows.createFlow(flow);
      expect(await flows.takeFlow(flow.idHash, T0)).toEqual(flow);
    });

    it('refuses an unknown flow, and an expired one (which is gone after)', async () => {
      expect(await flows.takeFlow(aHash(), T0)).toBeNull();
      const flow = aFlow();
      await flows.createFlow(flow);
      expect(await flows.takeFlow(flow.idHash, flow.expiresAt)).toBeNull();
      expect(await flows.takeFlow(flow.idHash, T0)).toBeNull();
    });

    it('gives a flow to exactly one of 10 concurrent takes', async () => {
      const flow = aFlow();
      await flows.createFlow(flow);
      const taken = await Promise.all(
        Array.from({ length: 10 }, () => flows.takeFlow(flow.idHash, T0)),
      );
      expect(taken.filter((one) => one !== null)).toEqual([flow]);
    });
  });

  describe('codes', () => {
    it('gives a live code to its first presentation, as it was issued', async () => {
      const code = await aCode();
      expect(await flows.redeemCode(code.codeHash, at(30_000))).toEqual({ reused: false, code });
    });

    it('keeps a linking code: no identity yet, an unverified address, other methods', async () => {
      const code = await aCode({
        purpose: 'link',
        identityId: null,
        emailVerified: false,
        amr: ['fed', 'mfa'],
      });
      expect(await flows.redeemCode(code.codeHash, T0)).toEqual({ reused: false, code });
    });

    it('answers a second presentation "reused", with what the first produced once recorded', async () => {
      const code = await aCode();
      await flows.redeemCode(code.codeHash, T0);
      expect(await flows.redeemCode(code.codeHash, T0)).toEqual({
        reused: true,
        firstResult: null,
      });
      // That replay came before the result was recorded: the first presentation must end it.
      expect(await flows.recordCodeResult(code.codeHash, { kind: 'session', id: 's-1' })).toBe(
        'reused',
      );
      expect(await flows.redeemCode(code.codeHash, at(1000))).toEqual({
        reused: true,
        firstResult: { kind: 'session', id: 's-1' },
      });
    });

    it('records a result no replay preceded, and tells later replays of it', async () => {
      const code = await aCode();
      await flows.redeemCode(code.codeHash, T0);
      const challenge = { kind: 'mfa_challenge', id: aHash() } as const;
      expect(await flows.recordCodeResult(code.codeHash, challenge)).toBe('recorded');
      expect(await flows.redeemCode(code.codeHash, T0)).toEqual({
        reused: true,
        firstResult: challenge,
      });
    });

    it('still tells a replay after the code expired', async () => {
      const code = await aCode();
      await flows.redeemCode(code.codeHash, T0);
      await flows.recordCodeResult(code.codeHash, { kind: 'session', id: 's-2' });
      expect(await flows.redeemCode(code.codeHash, at(DAY))).toEqual({
        reused: true,
        firstResult: { kind: 'session', id: 's-2' },
      });
    });

    it('refuses an unknown code, and one that expired unused (also later)', async () => {
      expect(await flows.redeemCode(aHash(), T0)).toBeNull();
      const code = await aCode();
      expect(await flows.redeemCode(code.codeHash, code.expiresAt)).toBeNull();
      expect(await flows.redeemCode(code.codeHash, at(2 * MINUTE))).toBeNull();
    });

    it('gives a code to exactly one of 10 concurrent presentations; the others are told', async () => {
      const code = await aCode();
      const outcomes: (CodeRedemption | null)[] = await Promise.all(
        Array.from({ length: 10 }, () => flows.redeemCode(code.codeHash, T0)),
      );
      expect(outcomes.filter((outcome) => outcome?.reused === false)).toEqual([
        { reused: false, code },
      ]);
      expect(outcomes.filter((outcome) => outcome?.reused === true)).toHaveLength(9);
      expect(await flows.recordCodeResult(code.codeHash, { kind: 'session', id: 's-3' })).toBe(
        'reused',
      );
    });
  });

  it('purges flows and codes that expired before their cutoffs, and nothing live', async () => {
    // Ten days before T0, so that no other test's rows are in reach of these cutoffs.
    const old = (ms: number) => at(-10 * DAY + ms);
    const expiredFlow = aFlow({ expiresAt: old(0) });
    const liveFlow = aFlow({ expiresAt: old(2 * DAY) });
    await flows.createFlow(expiredFlow);
    await flows.createFlow(liveFlow);
    const spent = await aCode({ expiresAt: old(0) });
    await flows.redeemCode(spent.codeHash, old(-1000));
    const unused = await aCode({ expiresAt: old(0) });
    const keptForReplays = await aCode({ expiresAt: old(DAY / 2) });

    expect(
      await flows.purgeExpired({ flowsExpiredBefore: old(DAY), codesExpiredBefore: old(1000) }),
    ).toEqual({ flows: 1, codes: 2 });

    expect(await flows.takeFlow(expiredFlow.idHash, old(-1))).toBeNull();
    expect(await flows.takeFlow(liveFlow.idHash, old(DAY))).toEqual(liveFlow);
    expect(await flows.redeemCode(spent.codeHash, old(DAY))).toBeNull();
    expect(await flows.redeemCode(unused.codeHash, old(-1))).toBeNull();
    expect(await flows.redeemCode(keptForReplays.codeHash, old(0))).toEqual({
      reused: false,
      code: keptForReplays,
    });
  });

  it('(SQL) lets flows and codes go with their account', async () => {
    if (!store.db) return; // no foreign keys in memory: such a code finds no account when redeemed
    const userId = await aUserId();
    const flow = aFlow({ purpose: 'link', userId });
    await flows.createFlow(flow);
    const code = await aCode({ userId });
    expect((await users.delete(userId, T0, T0)).outcome).toBe('done');
    expect(await flows.takeFlow(flow.idHash, T0)).toBeNull();
    expect(await flows.redeemCode(code.codeHash, T0)).toBeNull();
  });
});
