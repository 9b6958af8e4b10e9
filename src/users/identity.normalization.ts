/**
 * Usernames are unique case-insensitively after Unicode NFKC, so `John`, `john` and the
 * full-width `ｊｏｈｎ` are one account (UTS #39 / RFC 8265 spirit); the display form is kept.
 */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/** Email addresses are unique case-insensitively (most providers ignore case in the local part). */
export function emailKey(email: string): string {
  return email.normalize('NFKC').toLowerCase();
}
