import { Injectable } from '@nestjs/common';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { DeviceCookies } from '../rate-limit/device-cookies.js';
import { SessionsService } from '../sessions/sessions.service.js';

/**
 * Ends everything that lets someone back into the account without its current password: every
 * session but `keepSessionId` (refresh and access tokens), the failed-login allowance of every
 * device cookie minted so far, and every pending second login step. The one place a password
 * reset or change, log-out-everywhere, a disable and an undone email change go through.
 * (Here, above sessions/, rate-limit/ and mfa/, because it ends something in each of them.)
 */
@Injectable()
export class SignOutEverywhereService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly deviceCookies: DeviceCookies,
    private readonly mfa: MfaRepository,
  ) {}

  async endEverywhere(userId: string, keepSessionId?: string): Promise<string[]> {
    const revoked = await this.sessions.endAllOf(userId, keepSessionId);
    await Promise.all([this.deviceCookies.endAllOf(userId), this.mfa.endChallengesOf(userId)]);
    return revoked;
  }
}
