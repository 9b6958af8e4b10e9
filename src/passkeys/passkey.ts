/** Transports a browser may report for a credential (WebAuthn L3 §5.8.4). */
export const PASSKEY_TRANSPORTS = [
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
] as const;
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

/** Whether the credential can leave its authenticator (a synced passkey) or not (a security key). */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A WebAuthn credential registered to an account: a way to sign in on its own (issue 26). */
export interface Passkey {
  readonly id: string;
  readonly userId: string;
  /** The credential id, base64url: unique across every account. */
  readonly credentialId: string;
  /** The COSE public key the signatures are checked with. */
  readonly publicKey: Uint8Array;
  /** The authenticator's signature counter at its last use (0 for authenticators without one). */
  readonly signCount: number;
  readonly transports: readonly PasskeyTransport[];
  /** Backed up (synced) at its last use. */
  readonly backedUp: boolean;
  readonly deviceType: PasskeyDeviceType;
  /** The owner's name for it. */
  readonly name: string;
  readonly createdAt: Date;
  /** The last sign-in with it; null until the first. */
  readonly lastUsedAt: Date | null;
}

export type NewPasskey = Omit<Passkey, 'id' | 'lastUsedAt'>;

/** What a sign-in with the passkey leaves on it. */
export interface PasskeyUse {
  readonly signCount: number;
  readonly backedUp: boolean;
  readonly at: Date;
}

/** Oldest first (then by id), the order an account's passkeys are listed in. */
export function byAge(a: Passkey, b: Passkey): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Only the transports WebAuthn names, each once: what a browser sent is not trusted as it is. */
export function knownTransports(values: readonly unknown[] | undefined): PasskeyTransport[] {
  return PASSKEY_TRANSPORTS.filter((transport) => values?.includes(transport));
}

export function toDeviceType(value: string): PasskeyDeviceType {
  if (value === 'singleDevice' || value === 'multiDevice') return value;
  throw new Error(`Unknown passkey device type "${value}"`);
}

/** Raised by `PasskeysRepository.add` when the credential id is registered already (to anyone). */
export class PasskeyConflictError extends Error {
  constructor() {
    super('This credential is already registered');
    this.name = 'PasskeyConflictError';
  }
}
