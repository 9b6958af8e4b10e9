import { Injectable } from '@nestjs/common';
import type { WebauthnChallenge } from '../webauthn-challenge.js';
import { WebauthnChallengesRepository } from '../webauthn-challenges.repository.js';

/** For DATABASE_URL=memory: one process, so each take in one turn is atomic. */
@Injectable()
export class InMemoryWebauthnChallengesRepository extends WebauthnChallengesRepository {
  private readonly byId = new Map<string, WebauthnChallenge>();

  create(challenge: WebauthnChallenge): Promise<void> {
    if (
      this.byId.has(challenge.id) ||
      [...this.byId.values()].some((other) => other.challenge === challenge.challenge)
    ) {
      return Promise.reject(new Error('Duplicate challenge'));
    }
    this.byId.set(challenge.id, challenge);
    return Promise.resolve();
  }

  takeAuthentication(id: string, now: Date): Promise<WebauthnChallenge | null> {
    const found = this.byId.get(id);
    if (found?.purpose !== 'authentication') return Promise.resolve(null);
    this.byId.delete(id);
    return Promise.resolve(found.expiresAt > now ? found : null);
  }

  takeRegistration(
    userId: string,
    challenge: string,
    now: Date,
  ): Promise<WebauthnChallenge | null> {
    const found = [...this.byId.values()].find(
      (candidate) =>
        candidate.challenge === challenge &&
        candidate.purpose === 'registration' &&
        candidate.userId === userId,
    );
    if (!found) return Promise.resolve(null);
    this.byId.delete(found.id);
    return Promise.resolve(found.expiresAt > now ? found : null);
  }

  purgeExpired(before: Date): Promise<number> {
    let deleted = 0;
    for (const [id, challenge] of this.byId) {
      if (challenge.expiresAt < before && this.byId.delete(id)) deleted += 1;
    }
    return Promise.resolve(deleted);
  }
}
