import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { AppConfig } from '../config/app-config.js';
import type { WebauthnConfig } from '../config/webauthn-config.js';
import { MailQueueService } from '../mail/mail-queue.service.js';
import type { User } from '../users/user.js';
import { knownTransports, PasskeyConflictError, toDeviceType, type Passkey } from './passkey.js';
import { PasskeysRepository } from './passkeys.repository.js';
import { WebauthnChallengesRepository } from './webauthn-challenges.repository.js';

/** How long a ceremony's challenge lives: the options' `timeout` too. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** What a passkey is called until its owner names it. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/** What checking a sign-in's assertion came to. */
export type AssertionOutcome =
  /** Every check passed; the passkey's counter and last use are recorded. */
  | { readonly kind: 'verified'; readonly passkey: Passkey }
  /** A signed assertion whose counter did not go up: refused, and worth an audit event. */
  | { readonly kind: 'clone_suspected'; readonly passkey: Passkey }
  /** Anything else: no, unknown or spent challenge, unknown credential, a failed check. */
  | { readonly kind: 'refused'; readonly passkey?: Passkey };

/**
 * The WebAuthn ceremonies (issue 26), every check by @simplewebauthn/server: registration options
 * and verification for a signed-in account, and usernameless sign-in options and verification.
 * Challenges are random, single use, five minutes, in the store every instance shares.
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly config: AppConfig,
    private readonly passkeys: PasskeysRepository,
    private readonly challenges: WebauthnChallengesRepository,
    private readonly audit: AuditService,
    private readonly mail: MailQueueService,
  ) {}

  /** Whether WEBAUTHN_RP_ID is set: otherwise passkeys sign nobody in and their routes 404. */
  get enabled(): boolean {
    return this.config.webauthn !== undefined;
  }

  /** The account's passkeys, oldest first. */
  list(userId: string): Promise<Passkey[]> {
    return this.passkeys.listForUser(userId);
  }

  /**
   * Creation options (WebAuthn L3 `toJSON` shape) for the account: a discoverable credential and
   * user verification required, its passkeys excluded, no attestation; the user id is the account's
   * random handle (§5.4.3), never its username or address.
   */
  async registrationOptions(user: User): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { rpId, rpName } = this.settings();
    const handle = await this.passkeys.ensureUserHandle(
      user.id,
      isoBase64URL.fromBuffer(randomBytes(32)),
    );
    const existing = await this.passkeys.listForUser(user.id);
    const options = await generateRegistrationOptions({
      rpName,
      rpID: rpId,
      userName: user.username,
      userDisplayName: user.username,
      userID: isoBase64URL.toBuffer(handle),
      challenge: randomBytes(32),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: [...passkey.transports],
      })),
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
    });
    await this.challenges.create({
      id: randomUUID(),
      challenge: options.challenge,
      purpose: 'registration',
      userId: user.id,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  /**
   * Verifies a registration answer against a live challenge of this account (spent whatever the
   * outcome), our origins and RP id, with user presence and verification; stores the passkey, and
   * records and mails the addition. 400 for an answer that fails any check, 409 for a credential
   * registered already.
   */
  async register(
    user: User,
    response: RegistrationResponseJSON,
    name: string | undefined,
    client: ClientInfo,
    sessionId: string,
  ): Promise<Passkey> {
    const { rpId, origins } = this.settings();
    const verified = await this.verifyingStore(async (stored) => {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: (challenge) =>
          stored(() => this.challenges.takeRegistration(user.id, challenge, new Date())),
        expectedOrigin: [...origins],
        expectedRPID: rpId,
        requireUserPresence: true,
        requireUserVerification: true,
      });
      return result.verified ? result.registrationInfo : undefined;
    });
    // The id the browser names must be the one the authenticator attested.
    if (!verified || verified.credential.id !== response.id) throw invalidRegistration();
    const { credential } = verified;
    let passkey: Passkey;
    try {
      passkey = await this.passkeys.add({
        userId: user.id,
        credentialId: credential.id,
        publicKey: credential.publicKey,
        signCount: credential.counter,
        transports: knownTransports(credential.transports),
        backedUp: verified.credentialBackedUp,
        deviceType: toDeviceType(verified.credentialDeviceType),
        name: name ?? DEFAULT_PASSKEY_NAME,
        createdAt: new Date(),
      });
    } catch (error) {
      if (error instanceof PasskeyConflictError) {
        throw new ProblemException(
          'passkeyAlreadyRegistered',
          'This passkey is registered already.',
        );
      }
      throw error;
    }
    await this.audit.record('passkey_added', client, { userId: user.id, sessionId });
    await this.mail.notifyPasskeyAdded(user);
    return passkey;
  }

  /** Renames one of the account's passkeys; 404 when it has none with that id. */
  async rename(userId: string, id: string, name: string): Promise<Passkey> {
    const renamed = await this.passkeys.rename(userId, id, name);
    if (!renamed) throw noSuchPasskey();
    return renamed;
  }

  /**
   * Request options for a usernameless sign-in: no credentials listed (the browser offers the
   * discoverable ones it holds, so nothing about any account is revealed), user verification
   * required. The challenge is named by `challengeId`, which the answer must carry.
   */
  async authenticationOptions(): Promise<{
    challengeId: string;
    options: PublicKeyCredentialRequestOptionsJSON;
  }> {
    const { rpId } = this.settings();
    const options = await generateAuthenticationOptions({
      rpID: rpId,
      allowCredentials: [],
      userVerification: 'required',
      challenge: randomBytes(32),
      timeout: CHALLENGE_TTL_MS,
    });
    const challengeId = randomUUID();
    await this.challenges.create({
      id: challengeId,
      challenge: options.challenge,
      purpose: 'authentication',
      userId: null,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return { challengeId, options };
  }

  /**
   * Checks a sign-in's assertion: the challenge (taken once, whatever follows), a registered
   * credential, the `userHandle` equal to its owner's (WebAuthn L3 §7.2 step 6), then origin, RP
   * id hash, user presence and verification and the signature; last the counter (§6.1.1), only
   * once the signature proved the authenticator: a forged assertion cannot raise a clone alarm.
   */
  async verifyAssertion(
    challengeId: string,
    response: AuthenticationResponseJSON,
  ): Promise<AssertionOutcome> {
    const { rpId, origins } = this.settings();
    const challenge = await this.challenges.takeAuthentication(challengeId, new Date());
    if (!challenge || typeof response.id !== 'string') return { kind: 'refused' };
    const passkey = await this.passkeys.findByCredentialId(response.id);
    if (!passkey) return { kind: 'refused' };
    const handle = await this.passkeys.findUserHandle(passkey.userId);
    const presented: unknown = (response.response as { userHandle?: unknown } | undefined)
      ?.userHandle;
    if (handle === undefined || presented !== handle) return { kind: 'refused', passkey };
    const checked = await this.verifyingStore(async () => {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: [...origins],
        expectedRPID: rpId,
        // The counter rule is ours, below: the library would apply it before the signature.
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: 0,
        },
        requireUserVerification: true,
      });
      return result.verified ? result.authenticationInfo : undefined;
    });
    if (!checked) return { kind: 'refused', passkey };
    const { newCounter } = checked;
    if ((newCounter > 0 || passkey.signCount > 0) && newCounter <= passkey.signCount) {
      return { kind: 'clone_suspected', passkey };
    }
    await this.passkeys.recordUse(passkey.id, {
      signCount: newCounter,
      backedUp: checked.credentialBackedUp,
      at: new Date(),
    });
    return { kind: 'verified', passkey };
  }

  private settings(): WebauthnConfig {
    const settings = this.config.webauthn;
    if (!settings) throw passkeysOff();
    return settings;
  }

  /**
   * Runs a verification, answering undefined when the library refuses the answer (it throws for
   * most failed checks). A failure of our own store inside it (taking the challenge) is not the
   * client's fault: it is thrown on, to answer 503 or 500 as elsewhere.
   */
  private async verifyingStore<T>(
    verify: (
      stored: <R>(read: () => Promise<R | null>) => Promise<boolean>,
    ) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    let storeFailure: { error: unknown } | undefined;
    const stored = async <R>(read: () => Promise<R | null>): Promise<boolean> => {
      try {
        return (await read()) !== null;
      } catch (error) {
        storeFailure = { error };
        throw error;
      }
    };
    try {
      return await verify(stored);
    } catch (error) {
      if (storeFailure) throw storeFailure.error;
      if (error instanceof ProblemException) throw error;
      return undefined;
    }
  }
}

export function noSuchPasskey(): ProblemException {
  return new ProblemException('notFound', 'No such passkey.');
}

/** Every passkey route while WEBAUTHN_RP_ID is unset. */
export function passkeysOff(): ProblemException {
  return new ProblemException('notFound', 'Passkeys are not enabled on this server.');
}

function invalidRegistration(): ProblemException {
  return new ProblemException(
    'invalidPasskeyRegistration',
    'The passkey could not be registered: the answer is invalid, expired or used, or came from another site. Ask for new options and try again.',
  );
}
