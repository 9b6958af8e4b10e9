import { Injectable } from '@nestjs/common';
import { MfaRepository, type MfaChallenge, type MfaFactor } from '../mfa.repository.js';

/** For DATABASE_URL=memory: one process, so plain maps are atomic enough. */
@Injectable()
export class InMemoryMfaRepository extends MfaRepository {
  private readonly factors = new Map<string, MfaFactor>();
  /** user id → code hash → used at. */
  private readonly codes = new Map<string, Map<string, Date | null>>();
  private readonly challenges = new Map<string, MfaChallenge>();

  findFactor(userId: string): Promise<MfaFactor | undefined> {
    return Promise.resolve(this.factors.get(userId));
  }

  savePending(userId: string, sealedSecret: string, now: Date): Promise<boolean> {
    if (this.factors.get(userId)?.enabledAt) return Promise.resolve(false);
    this.factors.set(userId, {
      userId,
      sealedSecret,
      createdAt: now,
      enabledAt: null,
      lastStep: null,
    });
    return Promise.resolve(true);
  }

  enable(userId: string, step: number, hashes: readonly string[], now: Date): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || factor.enabledAt) return Promise.resolve(false);
    this.factors.set(userId, { ...factor, enabledAt: now, lastStep: step });
    this.codes.set(userId, new Map(hashes.map((hash) => [hash, null])));
    return Promise.resolve(true);
  }

  disable(userId: string): Promise<void> {
    this.factors.delete(userId);
    this.codes.delete(userId);
    return Promise.resolve();
  }

  acceptStep(userId: string, step: number): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || (factor.lastStep !== null && factor.lastStep >= step)) {
      return Promise.resolve(false);
    }
    this.factors.set(userId, { ...factor, lastStep: step });
    return Promise.resolve(true);
  }

  replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<void> {
    this.codes.set(userId, new Map(hashes.map((hash) => [hash, null])));
    return Promise.resolve();
  }

  useRecoveryCode(userId: string, hash: string, now: Date): Promise<boolean> {
    const codes = this.codes.get(userId);
    if (!codes || !codes.has(hash) || codes.get(hash) !== null) return Promise.resolve(false);
    codes.set(hash, now);
    return Promise.resolve(true);
  }

  countEnabled(): Promise<number> {
    return Promise.resolve([...this.factors.values()].filter((f) => f.enabledAt).length);
  }

  createChallenge(challenge: Omit<MfaChallenge, 'failures' | 'usedAt'>): Promise<void> {
    this.challenges.set(challenge.tokenHash, { ...challenge, failures: 0, usedAt: null });
    return Promise.resolve();
  }

  findChallenge(tokenHash: string): Promise<MfaChallenge | undefined> {
    return Promise.resolve(this.challenges.get(tokenHash));
  }

  takeChallengeAttempt(
    tokenHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<string | undefined> {
    const challenge = this.challenges.get(tokenHash);
    if (!isLive(challenge, now) || challenge.failures >= maxAttempts) {
      return Promise.resolve(undefined);
    }
    this.challenges.set(tokenHash, { ...challenge, failures: challenge.failures + 1 });
    return Promise.resolve(challenge.userId);
  }

  spendChallenge(tokenHash: string, now: Date): Promise<boolean> {
    const challenge = this.challenges.get(tokenHash);
    if (!isLive(challenge, now)) return Promise.resolve(false);
    this.challenges.set(tokenHash, { ...challenge, usedAt: now });
    return Promise.resolve(true);
  }

  deleteExpiredChallenges(before: Date): Promise<void> {
    for (const [hash, challenge] of this.challenges) {
      if (challenge.expiresAt < before) this.challenges.delete(hash);
    }
    return Promise.resolve();
  }

  endChallengesOf(userId: string): Promise<void> {
    for (const [hash, challenge] of this.challenges) {
      if (challenge.userId === userId) this.challenges.delete(hash);
    }
    return Promise.resolve();
  }
}

function isLive(challenge: MfaChallenge | undefined, now: Date): challenge is MfaChallenge {
  return challenge !== undefined && challenge.usedAt === null && challenge.expiresAt > now;
}
