import { describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { OidcSignInError, signInFailure } from './oidc-sign-in.error.js';

const authorizationError = (error: string) =>
  new client.AuthorizationResponseError('authorization response from the server is an error', {
    cause: new URLSearchParams({ error }),
  });
const tokenEndpointError = (status: number, error: string) =>
  new client.ResponseBodyError('server responded with an error in the response body', {
    cause: { error },
    response: new Response(JSON.stringify({ error }), { status }),
  });
/** As openid-client builds them: its types declare no `code` option. */
const clientError = (message: string, code: string, cause?: unknown) =>
  Object.assign(new client.ClientError(message, { cause }), { code });
const fetchFailed = () =>
  Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED') });

describe('signInFailure: whom to blame for what openid-client threw', () => {
  it.each([
    {
      name: 'the user refused (error=access_denied)',
      error: authorizationError('access_denied'),
      failure: 'access_denied',
    },
    {
      name: 'error=temporarily_unavailable',
      error: authorizationError('temporarily_unavailable'),
      failure: 'unavailable',
    },
    { name: 'error=server_error', error: authorizationError('server_error'), failure: 'invalid' },
    { name: 'a refused connection', error: fetchFailed(), failure: 'unavailable' },
    {
      name: 'a refused connection, wrapped ("something went wrong")',
      error: new client.ClientError('something went wrong', { cause: fetchFailed() }),
      failure: 'unavailable',
    },
    {
      name: 'a timeout',
      error: clientError(
        'operation timed out',
        'OAUTH_TIMEOUT',
        new DOMException('', 'TimeoutError'),
      ),
      failure: 'unavailable',
    },
    {
      name: 'the token endpoint answering 503',
      error: tokenEndpointError(503, 'temporarily_unavailable'),
      failure: 'unavailable',
    },
    {
      name: 'a spent or foreign code (invalid_grant)',
      error: tokenEndpointError(400, 'invalid_grant'),
      failure: 'invalid',
    },
    {
      name: 'an ID token claim that fails its check (aud, nonce, iss)',
      error: clientError(
        'unexpected JWT claim value encountered',
        'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      ),
      failure: 'invalid',
    },
    {
      name: 'any other TypeError',
      error: new TypeError('x is not a function'),
      failure: 'invalid',
    },
  ])('$name → $failure', ({ error, failure }) => {
    const sorted = signInFailure(error);
    expect(sorted).toBeInstanceOf(OidcSignInError);
    expect(sorted.failure).toBe(failure);
    expect(sorted.cause).toBe(error);
  });

  it('passes an OidcSignInError through', () => {
    const error = new OidcSignInError('access_denied', 'refused');
    expect(signInFailure(error)).toBe(error);
  });
});
