import { Injectable } from '@nestjs/common';
import { toString as qrSvg } from 'qrcode';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { generateOpaqueToken, hashOpaqueToken } from '../common/security/opaque-token.js';
import { AppConfig } from '../config/app-config.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import { MailQueueService } from '../mail/mail-queue.service.js';
import { MfaEncryptionKey } from './mfa-encryption-key.js';
import { MfaRepository, type FirstFactor, type MfaFactor } from './mfa.repository.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { acceptedStep, generateTotpSecret, totpUri } from './totp.js';

/** How long the second step of a login may take. */
export const MFA_TOKEN_TTL_MS = 5 * 60 * 1000;
/** Codes one mfa_token may have checked; a wrong fifth ends it (a right one spends it anyway). */
export const MFA_TOKEN_MAX_ATTEMPTS = 5;

/** RFC 8176 authentication method references carried by access tokens. */
export type AuthenticationMethods = readonly ('pwd' | 'fed' | 'otp' | 'mfa')[];

export interface Enrolment {
  readonly secret: string;
  readonly otpauth_uri: string;
  readonly qr_svg: string;
}

/** A proof of the second factor: a code from the app, or one of the recovery codes. */
export type SecondFactor = { readonly code: string } | { readonly recoveryCode: string };

/** For a field that takes both: six digits are a code from the app, anything else a recovery code. */
export function secondFactorOf(code: string): SecondFactor {
  return /^\d{6}$/.test(code) ? { code } : { recoveryCode: code };
}

/**
 * TOTP enrolment, the second step of a login, and recovery codes. Routes that change the factor
 * re-authenticate the user first (ReauthenticationService, which uses checkSecondFactor).
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly mfa: MfaRepository,
    private readonly key: MfaEncryptionKey,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly mail: MailQueueService,
  ) {}

  async isEnabled(userId: string): Promise<boolean> {
    return (await this.mfa.findFactor(userId))?.enabledAt != null;
  }

  /** A new pending secret (replacing a pending one); 409 while MFA is on. */
  async enrol(user: User): Promise<Enrolment> {
    if (await this.isEnabled(user.id)) throw alreadyEnabled();
    const box = await this.key.secretBox();
    const secret = generateTotpSecret();
    if (!(await this.mfa.savePending(user.id, box.seal(secret, user.id), new Date()))) {
      throw alreadyEnabled();
    }
    const uri = totpUri(secret, this.config.mfa.issuer, user.username);
    return { secret, otpauth_uri: uri, qr_svg: await qrSvg(uri, { type: 'svg', margin: 2 }) };
  }

  /** Turns MFA on with the first code from the app; every other session ends. */
  async confirm(
    user: User,
    sessionId: string,
    code: string,
    client: ClientInfo,
  ): Promise<string[]> {
    const factor = await this.mfa.findFactor(user.id);
    if (!factor || factor.enabledAt) {
      throw new ProblemException('mfaNotPending', 'There is no enrolment to confirm: start one.');
    }
    const secret = (await this.key.secretBox()).open(factor.sealedSecret, user.id);
    const step = acceptedStep(secret, code, Date.now());
    if (step === undefined) throw wrongMfaCode();
    const codes = generateRecoveryCodes();
    if (!(await this.mfa.enable(user.id, step, codes.map(hashRecoveryCode), new Date()))) {
      throw alreadyEnabled();
    }
    await this.sessions.endAllOf(user.id, sessionId);
    await this.audit.record('mfa_enabled', client, { userId: user.id, sessionId });
    return codes;
  }

  /** Turns MFA off (after the password and a code or recovery code); every other session ends. */
  async disable(user: User, sessionId: string, client: ClientInfo): Promise<void> {
    await this.mfa.disable(user.id);
    await this.sessions.endAllOf(user.id, sessionId);
    await this.audit.record('mfa_disabled', client, { userId: user.id, sessionId });
    // A security notice, in case it was not the owner (never waits for SMTP).
    await this.mail.notifyMfaDisabled(user);
  }

  /** An admin turns the account's MFA off (lost device and codes); audited with the admin. */
  async disableByAdmin(user: User, adminId: string, client: ClientInfo): Promise<void> {
    if (!(await this.isEnabled(user.id))) throw mfaNotEnabled();
    await this.mfa.disable(user.id);
    await this.audit.record('mfa_disabled', client, { userId: user.id, actorId: adminId });
    await this.mail.notifyMfaDisabled(user);
  }

  /**
   * A new set of recovery codes (after the password and a code or recovery code); the old set is
   * dead, and every other session ends: one may belong to whoever saw the old codes.
   */
  async regenerateRecoveryCodes(
    user: User,
    sessionId: string,
    client: ClientInfo,
  ): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await this.mfa.replaceRecoveryCodes(user.id, codes.map(hashRecoveryCode));
    await this.sessions.endAllOf(user.id, sessionId);
    await this.audit.record('mfa_recovery_codes_regenerated', client, {
      userId: user.id,
      sessionId,
    });
    return codes;
  }

  /**
   * The second step of a login, after the right password: an opaque mfa_token bound to the user,
   * five minutes, single use. Only its hash is stored.
   */
  async challenge(
    userId: string,
    first: { firstFactor: FirstFactor; idp: string | null } = { firstFactor: 'pwd', idp: null },
  ): Promise<string> {
    const token = generateOpaqueToken();
    await this.mfa.deleteExpiredChallenges(new Date(Date.now() - MFA_TOKEN_TTL_MS));
    await this.mfa.createChallenge({
      tokenHash: hashOpaqueToken(token),
      userId,
      expiresAt: new Date(Date.now() + MFA_TOKEN_TTL_MS),
      ...first,
    });
    return token;
  }

  /** Ends a pending challenge by its token's hash (a replayed authorization code's mfa_token). */
  async endChallenge(tokenHash: string): Promise<void> {
    await this.mfa.spendChallenge(tokenHash, new Date());
  }

  /**
   * Takes one of the token's five attempts, before any code is checked (one conditional statement,
   * so parallel requests cannot each check a code), and answers whose challenge it is. A dead,
   * used or expired token, or one out of attempts, throws 401 invalid-mfa-token: log in again.
   */
  async takeChallengeAttempt(mfaToken: string): Promise<string> {
    const userId = await this.mfa.takeChallengeAttempt(
      hashOpaqueToken(mfaToken),
      new Date(),
      MFA_TOKEN_MAX_ATTEMPTS,
    );
    if (!userId) throw invalidMfaToken();
    return userId;
  }

  /**
   * Checks the code of an attempt taken with takeChallengeAttempt: how the user proved it, or
   * `wrong`. A right code spends the token, unless it was spent or expired meanwhile (401).
   */
  async completeChallenge(
    mfaToken: string,
    userId: string,
    proof: SecondFactor,
    client: ClientInfo,
  ): Promise<
    { kind: 'passed'; amr: AuthenticationMethods; idp: string | null } | { kind: 'wrong' }
  > {
    const method = await this.checkSecondFactor(userId, proof, client);
    if (!method) {
      await this.audit.record('mfa_challenge_failed', client, { userId });
      return { kind: 'wrong' };
    }
    const tokenHash = hashOpaqueToken(mfaToken);
    // Read before it is spent: which first factor this second one follows.
    const challenge = await this.mfa.findChallenge(tokenHash);
    if (!challenge || !(await this.mfa.spendChallenge(tokenHash, new Date()))) {
      throw invalidMfaToken();
    }
    return { kind: 'passed', amr: [challenge.firstFactor, method], idp: challenge.idp };
  }

  /**
   * Checks a second factor of the user: `otp` or `mfa` (see verifySecondFactor), or undefined
   * when it is wrong or the user has none on.
   */
  async checkSecondFactor(
    userId: string,
    proof: SecondFactor,
    client: ClientInfo,
    sessionId?: string,
  ): Promise<'otp' | 'mfa' | undefined> {
    const factor = await this.mfa.findFactor(userId);
    if (!factor?.enabledAt) return undefined;
    return this.verifySecondFactor(factor, proof, client, sessionId);
  }

  /**
   * `otp` for a code not seen before (RFC 6238 §5.2: the step is remembered atomically, so two
   * instances cannot both accept one code), `mfa` for an unused recovery code, else undefined.
   */
  private async verifySecondFactor(
    factor: MfaFactor,
    proof: SecondFactor,
    client: ClientInfo,
    sessionId?: string,
  ): Promise<'otp' | 'mfa' | undefined> {
    const { userId } = factor;
    if ('code' in proof) {
      const secret = (await this.key.secretBox()).open(factor.sealedSecret, userId);
      const step = acceptedStep(secret, proof.code, Date.now());
      return step !== undefined && (await this.mfa.acceptStep(userId, step)) ? 'otp' : undefined;
    }
    if (
      !(await this.mfa.useRecoveryCode(userId, hashRecoveryCode(proof.recoveryCode), new Date()))
    ) {
      return undefined;
    }
    await this.audit.record('mfa_recovery_code_used', client, { userId, sessionId });
    const user = await this.users.findById(userId);
    if (user) await this.mail.notifyRecoveryCodeUsed(user);
    return 'mfa';
  }
}

function alreadyEnabled(): ProblemException {
  return new ProblemException(
    'mfaAlreadyEnabled',
    'Two-factor login is already on: turn it off first.',
  );
}

export function wrongMfaCode(): ProblemException {
  return new ProblemException('wrongMfaCode', 'The code is not right.');
}

export function mfaNotEnabled(): ProblemException {
  return new ProblemException('mfaNotEnabled', 'Two-factor login is off.');
}

export function invalidMfaToken(): ProblemException {
  return new ProblemException(
    'invalidMfaToken',
    'The MFA token is invalid or expired: log in again.',
    {
      extensions: { error: 'invalid_grant' },
    },
  );
}

/** The 403 a right password gets when the account has MFA on (never before the password check). */
export function mfaRequired(mfaToken: string): ProblemException {
  return new ProblemException(
    'mfaRequired',
    'A second factor is required: send a code to /login/mfa.',
    {
      extensions: { error: 'mfa_required', mfa_token: mfaToken },
    },
  );
}
