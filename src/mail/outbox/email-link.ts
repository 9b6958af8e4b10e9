import { generateOpaqueToken, hashOpaqueToken } from '../../common/security/opaque-token.js';

/** What a single-use link mailed to a user lets them do. */
export type EmailLinkPurpose =
  'password_reset' | 'email_verification' | 'email_change' | 'email_revert';

/**
 * A single-use link. Only the hash of its token is stored, and only from the moment the sender
 * mints the token to put it in a mail: until then `tokenHash` is null and nothing can use it.
 */
export interface EmailLink {
  readonly id: string;
  readonly userId: string;
  readonly purpose: EmailLinkPurpose;
  readonly tokenHash: string | null;
  /** The address it concerns: to verify, to change to, or to revert to. */
  readonly email: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  /** Superseded by a newer link, or cancelled by a password or address change (or an undo). */
  readonly revokedAt: Date | null;
}

export interface NewEmailLink {
  readonly userId: string;
  readonly purpose: EmailLinkPurpose;
  readonly email: string | null;
  readonly expiresAt: Date;
}

/**
 * Whether a new link of this purpose supersedes the user's older live ones. An undo link never
 * does, nor is it superseded: each one mailed to a replaced address must keep working, or an
 * intruder who changes the address twice kills the owner's (only an undo cancels undo links).
 */
export function supersedesOlder(purpose: EmailLinkPurpose): boolean {
  return purpose !== 'email_revert';
}

export function isLiveLink(link: EmailLink, now: Date): boolean {
  return link.usedAt === null && link.revokedAt === null && link.expiresAt > now;
}

/** 256 bits from the CSPRNG, base64url (43 characters). */
export function generateLinkToken(): string {
  return generateOpaqueToken();
}

/** A fast hash suffices: 256 random bits leave nothing to brute-force (as for refresh tokens). */
export function hashLinkToken(token: string): string {
  return hashOpaqueToken(token);
}
