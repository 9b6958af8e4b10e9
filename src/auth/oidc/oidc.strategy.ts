import { PassportStrategy } from '@nestjs/passport';
import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';
import passport, { type StrategyCreatedStatic } from 'passport';
import type { OidcProviderConfig } from '../../config/oidc-config.js';
import { identityClaims, needsUserInfo, type OidcIdentityClaims } from './oidc-identity.js';
import { OidcSignInError, signInFailure } from './oidc-sign-in.error.js';

/**
 * What the callback must check, created when the sign-in starts and kept by the caller (a database
 * row named by a cookie) until the provider sends the browser back. Secret: never in a URL or log.
 */
export interface OidcFlowChecks {
  /** Our `state` sent to the provider, which it echoes back (RFC 6749 §10.12). */
  readonly state: string;
  /** The ID token's expected `nonce` (OpenID Connect Core §3.1.2.1). */
  readonly nonce: string;
  /** The PKCE verifier (RFC 7636) whose S256 challenge went to the provider. */
  readonly codeVerifier: string;
}

/** The passport name of a provider's strategy: `oidc:acme`. */
export const oidcStrategyName = (providerId: string): string => `oidc:${providerId}`;

/**
 * openid-client/passport keeps a flow's checks in `req.session[sessionKey]` (it refuses a request
 * without `req.session`): written in `authorizationRequest` just before `this.redirect`, read and
 * deleted in `authorizationCodeGrant`. We have no sessions: the "session" handed to the strategy
 * is an object of this request only, emptied into OidcFlowChecks after the redirect and filled
 * from them before the callback. These are its field names (openid-client 6.9, build/passport.js).
 */
const FLOW_KEY = 'oidc-flow';
interface StoredChecks {
  code_verifier?: string;
  nonce?: string;
  state?: string;
  max_age?: number;
}

/** The request the strategy sees: never the HTTP request, only what the flow needs. */
interface FlowRequest {
  readonly method: 'GET';
  readonly phase: 'begin' | 'complete';
  /** The provider's authorization response (the callback's query), when completing. */
  readonly callbackParams: URLSearchParams;
  readonly session: Record<string, StoredChecks | undefined>;
}

/** The strategy's request parameter type (express's Request, which nothing here depends on). */
type StrategyRequest = Parameters<Strategy['currentUrl']>[0];
const asStrategyRequest = (request: FlowRequest) => request as unknown as StrategyRequest;
const asFlowRequest = (request: StrategyRequest) => request as unknown as FlowRequest;

/** How openid-client/passport's Strategy ended one `authenticate` call. */
type Outcome =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'success'; readonly user: unknown }
  | { readonly kind: 'fail'; readonly info: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * openid-client's certified Passport strategy, with three choices of ours:
 * - `state` and `nonce` always: the Strategy sends only PKCE when the provider supports it, but
 *   RFC 9700 §4.7 has the callback bind the browser's flow (state) and OpenID Connect binds the ID
 *   token to it (nonce). Given as authorization parameters, both are stored and checked by it.
 * - The callback URL comes from PUBLIC_URL (the configured redirect URI), never from Host headers.
 * - The phase is ours to say, not guessed from the query: a callback without `code` or `error`
 *   must fail, not start a new sign-in.
 */
export class OidcClientStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(
    request: StrategyRequest,
    options: TOptions,
  ): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(request, options));
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    return params;
  }

  override currentUrl(request: StrategyRequest): URL {
    // Only the query is read: the Strategy puts it on its callbackURL (StrategyOptions).
    const url = new URL('http://callback.invalid/');
    for (const [name, value] of asFlowRequest(request).callbackParams) {
      url.searchParams.append(name, value);
    }
    return url;
  }

  override shouldInitiateAuthRequest<TOptions extends AuthenticateOptions>(
    request: StrategyRequest,
    _currentUrl: URL,
    _options: TOptions,
  ): boolean {
    return asFlowRequest(request).phase === 'begin';
  }

  /**
   * Runs `authenticate` the way passport.authenticate does (a delegate object carrying success,
   * fail, redirect, error and pass), but answering a promise: passport's own redirect writes to a
   * Node response, which Fastify's reply is not, and our flow row must be written before it.
   */
  protected run(request: FlowRequest, options: AuthenticateOptions = {}): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const actions: StrategyCreatedStatic = {
        success: (user: unknown) => resolve({ kind: 'success', user }),
        fail: (info?: unknown) => resolve({ kind: 'fail', info }),
        redirect: (url: string) => resolve({ kind: 'redirect', url }),
        pass: () => resolve({ kind: 'error', error: new Error('the strategy passed') }),
        error: (error: unknown) => resolve({ kind: 'error', error }),
      };
      const delegate = Object.assign(Object.create(this) as this, actions);
      delegate.authenticate(asStrategyRequest(request), options);
    });
  }
}

/** A provider's strategy as its callers use it: start a sign-in, finish one. */
export interface OidcSignIn {
  readonly providerId: string;
  readonly name: string;
  /**
   * The provider's authorization URL (code flow, PKCE S256, state, nonce; `prompt` as given) and
   * what to keep.
   */
  begin(
    prompt?: string,
  ): Promise<{ readonly authorizationUrl: string; readonly checks: OidcFlowChecks }>;
  /**
   * Redeems the provider's callback (its query) under the checks kept since `begin`: state, PKCE,
   * and the ID token (signature, issuer, audience, nonce, expiry) are verified by openid-client.
   * Throws OidcSignInError.
   */
  complete(callbackParams: URLSearchParams, checks: OidcFlowChecks): Promise<OidcIdentityClaims>;
  /** Drops its registration with passport (at shutdown). */
  unregister(): void;
}

/**
 * Builds a provider's strategy on its discovered configuration and registers it with passport
 * under `oidc:<id>`, through @nestjs/passport's PassportStrategy mixin (which calls passport.use
 * with the name given to it: one mixin class per provider, as the names are only known at boot).
 */
export function createOidcSignIn(
  provider: OidcProviderConfig,
  configuration: client.Configuration,
): OidcSignIn {
  const name = oidcStrategyName(provider.id);

  class ProviderStrategy extends PassportStrategy(OidcClientStrategy, name) {
    /** The Strategy's verify callback: the identity, and nothing of the tokens kept. */
    async validate(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) {
      const idToken = tokens.claims();
      if (!idToken) throw new OidcSignInError('invalid', 'the provider sent no ID token');
      const userInfo =
        needsUserInfo(idToken) && configuration.serverMetadata().userinfo_endpoint
          ? await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub)
          : undefined;
      return identityClaims(idToken, userInfo);
    }

    async begin(prompt?: string) {
      const session: FlowRequest['session'] = {};
      const outcome = await this.run(
        flowRequest('begin', new URLSearchParams(), session),
        prompt === undefined ? {} : { prompt },
      );
      if (outcome.kind !== 'redirect') throw signInFailure(outcomeError(outcome));
      const stored = session[FLOW_KEY];
      if (!stored?.state || !stored.nonce || !stored.code_verifier) {
        throw new Error('openid-client/passport stored no state, nonce or code verifier');
      }
      return {
        authorizationUrl: outcome.url,
        checks: { state: stored.state, nonce: stored.nonce, codeVerifier: stored.code_verifier },
      };
    }

    async complete(callbackParams: URLSearchParams, checks: OidcFlowChecks) {
      if (!callbackParams.has('code') && !callbackParams.has('error')) {
        throw new OidcSignInError('invalid', 'the callback carries neither code nor error');
      }
      const stored: StoredChecks = {
        state: checks.state,
        nonce: checks.nonce,
        code_verifier: checks.codeVerifier,
      };
      const session = { [FLOW_KEY]: stored };
      const outcome = await this.run(flowRequest('complete', callbackParams, session));
      if (outcome.kind === 'success') return outcome.user as OidcIdentityClaims;
      throw signInFailure(outcomeError(outcome));
    }

    unregister() {
      // The passport instance @nestjs/passport registered it with. Another app in this process
      // (tests) may have registered its own under the same name since: leave that one.
      if (registered(passport, name) === this) passport.unuse(name);
    }
  }

  const strategy = new ProviderStrategy({
    config: configuration,
    name,
    sessionKey: FLOW_KEY,
    callbackURL: provider.callbackUrl,
    scope: provider.scopes.join(' '),
  });
  return {
    providerId: provider.id,
    name: provider.name,
    begin: (prompt) => strategy.begin(prompt),
    complete: (params, checks) => strategy.complete(params, checks),
    unregister: () => strategy.unregister(),
  };
}

function flowRequest(
  phase: FlowRequest['phase'],
  callbackParams: URLSearchParams,
  session: FlowRequest['session'],
): FlowRequest {
  return { method: 'GET', phase, callbackParams, session };
}

/** The error a non-success outcome stands for; the Strategy fails (not errors) on access_denied. */
function outcomeError(outcome: Outcome): unknown {
  switch (outcome.kind) {
    case 'error':
      return outcome.error;
    case 'fail': {
      const info = outcome.info as { error?: unknown; message?: unknown } | undefined;
      if (info?.error === 'access_denied') {
        return new OidcSignInError('access_denied', 'the user refused at the provider');
      }
      // "Unable to verify authorization request state": no checks were handed in.
      const message = typeof info?.message === 'string' ? info.message : 'the strategy failed';
      return new OidcSignInError('invalid', message);
    }
    case 'redirect':
      return new OidcSignInError('invalid', 'the strategy redirected instead of completing');
    case 'success':
      return new OidcSignInError('invalid', 'the strategy completed instead of redirecting');
  }
}

/** passport's registry, which its types do not declare. */
function registered(passport: unknown, name: string): unknown {
  return (passport as { _strategy(name: string): unknown })._strategy(name);
}
