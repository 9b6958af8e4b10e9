import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { cose, isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

/** Authenticator data flags (WebAuthn L3 §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** One credential the authenticator holds: an ES256 key pair and the account it was made for. */
export interface HeldCredential {
  readonly id: string;
  readonly rpId: string;
  readonly userHandle: string;
  readonly privateKey: KeyObject;
  readonly publicKeyCose: Uint8Array;
  signCount: number;
}

/** What a test may bend in a ceremony, to see the server refuse it. */
export interface CeremonyOverrides {
  /** The page's origin the browser reports (default: the authenticator's). */
  readonly origin?: string;
  /** The RP id whose hash goes into the authenticator data (default: the options' or the credential's). */
  readonly rpId?: string;
  /** Authenticator data flags (default: UP, UV, BE, BS, and AT on registration). */
  readonly flags?: number;
  /** The challenge the browser reports (default: the options'). */
  readonly challenge?: string;
  /** `webauthn.create` / `webauthn.get` by default. */
  readonly type?: string;
  /** Registration: attest this held credential again (its id and key) instead of a new one. */
  readonly reuse?: string;
}

export interface AssertionOverrides extends CeremonyOverrides {
  /** Which held credential signs (default: the first one for the RP id). */
  readonly credentialId?: string;
  /** The counter to report; by default one above the last. Does not move the held counter. */
  readonly signCount?: number;
  /** The userHandle to report (default: the credential's; null leaves it out). */
  readonly userHandle?: string | null;
}

/**
 * A software authenticator for tests, the "test authenticator the server does not use for
 * checking": it builds registration and sign-in answers with node:crypto (ES256) and the CBOR and
 * base64url helpers of @simplewebauthn/server, attestation `none`, as a browser would send them
 * with `PublicKeyCredential.toJSON()`. Discoverable credentials, user verification on.
 */
export class PasskeyAuthenticator {
  readonly credentials: HeldCredential[] = [];

  constructor(readonly origin: string) {}

  /** `navigator.credentials.create()`: refuses (as InvalidStateError would) an excluded credential. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((descriptor) => descriptor.id));
    const candidates = this.credentials.filter((held) => held.id !== overrides.reuse);
    if (candidates.some((held) => held.rpId === rpId && excluded.has(held.id))) {
      throw new Error('InvalidStateError: the authenticator holds an excluded credential');
    }
    const reused = this.credentials.find((held) => held.id === overrides.reuse);
    const credential = reused ?? newCredential(rpId, options.user.id);
    const rawId = isoBase64URL.toBuffer(credential.id);
    const publicKeyCose = credential.publicKeyCose;
    const attested = Buffer.concat([
      Buffer.alloc(16), // AAGUID: none given
      Buffer.from([rawId.length >> 8, rawId.length & 0xff]),
      rawId,
      Buffer.from(publicKeyCose),
    ]);
    const authData = Buffer.concat([
      authenticatorData(
        overrides.rpId ?? rpId,
        overrides.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS | FLAGS.AT,
        0,
      ),
      attested,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    if (!reused) this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** `navigator.credentials.get()` with a discoverable credential: the counter goes up by one. */
  assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: AssertionOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential = overrides.credentialId
      ? this.credentials.find((held) => held.id === overrides.credentialId)
      : this.credentials.find((held) => held.rpId === rpId);
    if (!credential) throw new Error('NotAllowedError: no credential for this RP id');
    const signCount = overrides.signCount ?? credential.signCount + 1;
    if (overrides.signCount === undefined) credential.signCount = signCount;
    const authData = authenticatorData(
      overrides.rpId ?? credential.rpId,
      overrides.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS,
      signCount,
    );
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const clientDataHash = createHash('sha256')
      .update(isoBase64URL.toBuffer(clientDataJSON))
      .digest();
    // ES256 signatures are ASN.1 DER (WebAuthn L3 §6.5.5), node:crypto's default for EC keys.
    const signature = sign(
      'sha256',
      Buffer.concat([authData, clientDataHash]),
      credential.privateKey,
    );
    const userHandle =
      overrides.userHandle === null ? undefined : (overrides.userHandle ?? credential.userHandle);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: isoBase64URL.fromBuffer(new Uint8Array(authData)),
        signature: isoBase64URL.fromBuffer(new Uint8Array(signature)),
        ...(userHandle === undefined ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** A second authenticator holding copies of this one's credentials (a cloned key). */
  clone(): PasskeyAuthenticator {
    const copy = new PasskeyAuthenticator(this.origin);
    copy.credentials.push(...this.credentials.map((held) => ({ ...held })));
    return copy;
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const json = JSON.stringify({
      type: overrides.type ?? type,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? this.origin,
      crossOrigin: false,
    });
    return isoBase64URL.fromBuffer(new TextEncoder().encode(json));
  }
}

/** A new discoverable credential: an ES256 key pair, its COSE public key, a random id. */
function newCredential(rpId: string, userHandle: string): HeldCredential {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const coseKey = new Map<number, number | Uint8Array>([
    [cose.COSEKEYS.kty, cose.COSEKTY.EC2],
    [cose.COSEKEYS.alg, cose.COSEALG.ES256],
    [cose.COSEKEYS.crv, cose.COSECRV.P256],
    [cose.COSEKEYS.x, isoBase64URL.toBuffer(jwk.x ?? '')],
    [cose.COSEKEYS.y, isoBase64URL.toBuffer(jwk.y ?? '')],
  ]);
  return {
    id: isoBase64URL.fromBuffer(new Uint8Array(randomBytes(16))),
    rpId,
    userHandle,
    privateKey,
    publicKeyCose: isoCBOR.encode(coseKey),
    signCount: 0,
  };
}

/** rpIdHash (32) | flags (1) | signCount (4, big-endian): WebAuthn L3 §6.1. */
function authenticatorData(rpId: string, flags: number, signCount: number): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), counter]);
}
