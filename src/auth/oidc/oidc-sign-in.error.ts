import * as client from 'openid-client';

/**
 * Why a sign-in through a provider did not yield an identity, as the callback route answers it:
 * - `access_denied`: the user refused at the provider (RFC 6749 §4.1.2.1).
 * - `unavailable`: the provider is not discovered yet, cannot be reached or answered 5xx
 *   (`temporarily_unavailable`).
 * - `invalid`: the response failed a check (state, PKCE, the ID token's signature, issuer,
 *   audience, nonce, expiry) or the provider answered another error: nothing to trust.
 */
export type OidcSignInFailure = 'access_denied' | 'unavailable' | 'invalid';

export class OidcSignInError extends Error {
  constructor(
    readonly failure: OidcSignInFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcSignInError';
  }
}

/** An id that is not in OIDC_PROVIDERS: the caller answers 400 itself and never redirects. */
export class UnknownOidcProviderError extends Error {
  constructor(readonly providerId: string) {
    super(`no OpenID provider "${providerId}" is configured`);
    this.name = 'UnknownOidcProviderError';
  }
}

/** What openid-client threw, sorted by whom to blame: the network or provider, or the response. */
export function signInFailure(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    const failure =
      error.error === 'access_denied'
        ? 'access_denied'
        : error.error === 'temporarily_unavailable'
          ? 'unavailable'
          : 'invalid';
    return new OidcSignInError(failure, `the provider answered ${error.error}`, { cause: error });
  }
  if (unreachable(error)) {
    return new OidcSignInError('unavailable', 'the provider could not be reached', {
      cause: error,
    });
  }
  return new OidcSignInError('invalid', 'the provider’s response was refused', { cause: error });
}

/**
 * Whether the error, or one it wraps, says the provider could not be reached or failed itself.
 * Read by name, not instanceof: fetch's TypeError comes from Node's own realm, which is not the
 * caller's under Jest's VM modules (openid-client then wraps it as "something went wrong").
 */
function unreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { name, message, code } = current as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
    };
    // fetch fails with TypeError "fetch failed" on a refused or reset connection, and with a
    // DOMException TimeoutError or AbortError past openid-client's timeout (OAUTH_TIMEOUT).
    if (name === 'TypeError' && message === 'fetch failed') return true;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return true;
    if (current instanceof client.ResponseBodyError) return current.status >= 500;
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
      const status = ((current as { cause?: unknown }).cause as { status?: unknown } | undefined)
        ?.status;
      return typeof status === 'number' && status >= 500;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
