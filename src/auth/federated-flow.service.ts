import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { generateOpaqueToken, hashOpaqueToken } from '../common/security/opaque-token.js';
import { AppConfig } from '../config/app-config.js';
import { isAllowedRedirectUri, type OidcProviderConfig } from '../config/oidc-config.js';
import { FederatedFlowsRepository } from '../identities/federated-flows.repository.js';
import type { FederatedFlow, FederatedPurpose } from '../identities/federated-flow.js';
import { errorMessage } from '../logging/error-message.js';
import { FederatedSignInService } from './federated-sign-in.service.js';
import { OidcProvidersService } from './oidc/oidc-providers.service.js';
import type { OidcIdentityClaims } from './oidc/oidc-identity.js';
import { OidcSignInError, signInFailure } from './oidc/oidc-sign-in.error.js';
import type { OidcSignIn } from './oidc/oidc.strategy.js';
import { S256_CHALLENGE } from './pkce.js';

/** The cookie naming a flow's row between /authorize and the provider's callback. */
export const FLOW_COOKIE = 'oidc_flow';
/** How long a browser may take at the provider (the cookie's and the row's lifetime). */
export const FLOW_TTL_MS = 10 * 60 * 1000;
/** Our code's lifetime (issue 25: 60 s). */
export const CODE_TTL_MS = 60 * 1000;

/** The error codes an app may find on its redirect URI (RFC 6749 §4.1.2.1, plus account_exists). */
export type AppRedirectError =
  | 'invalid_request'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'account_exists'
  | 'temporarily_unavailable'
  | 'server_error';

/** What the /authorize query may carry; repeated parameters arrive as arrays and count as absent. */
export type AuthorizeQuery = Readonly<Record<string, unknown>>;

export interface FlowCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly maxAgeSeconds: number;
  readonly secure: boolean;
}

/** A flow begun: where the browser goes, and the cookie that must come back with it to the callback. */
export interface FlowStart {
  readonly authorizationUrl: string;
  readonly cookie: FlowCookie;
}

export type AuthorizeOutcome =
  | { readonly redirect: string; readonly cookie: FlowCookie }
  | { readonly redirect: string; readonly cookie?: undefined };

/**
 * Steps 1–3 of a sign-in through a provider (issue 25, "The flow"): /authorize sends the browser to
 * the provider with our own state, nonce and PKCE, kept in a row named by a cookie; the provider's
 * callback must bring the cookie, and the row and state must agree (RFC 9700 §4.7); the account is
 * resolved and the app gets our single-use code on its redirect URI, bound to its PKCE challenge.
 */
@Injectable()
export class FederatedFlowService {
  private readonly logger = new Logger('FederatedFlow');
  private readonly basePath: string;
  /** PUBLIC_URL is https: the flow cookie is Secure. */
  readonly secureCookies: boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly providers: OidcProvidersService,
    private readonly flows: FederatedFlowsRepository,
    private readonly signIn: FederatedSignInService,
  ) {
    const publicUrl = new URL(config.publicUrl);
    this.basePath = publicUrl.pathname.replace(/\/$/, '');
    this.secureCookies = publicUrl.protocol === 'https:';
  }

  isProvider(providerId: string): boolean {
    return this.providers.has(providerId);
  }

  /** The cookie's path: only the provider's callback ever receives it. */
  callbackPath(providerId: string): string {
    return `${this.basePath}/oauth/${providerId}/callback`;
  }

  /**
   * GET /authorize. An unknown provider or a redirect URI not in LOGIN_REDIRECT_URIS answers 400
   * here and never redirects (RFC 6749 §4.1.2.1); every other error goes back to the app.
   */
  async authorize(query: AuthorizeQuery): Promise<AuthorizeOutcome> {
    const { providerId, redirectUri } = this.assertAppTarget(
      text(query.provider),
      text(query.redirect_uri),
    );
    const appState = text(query.state) ?? null;
    const back = (error: AppRedirectError, description: string) => ({
      redirect: appRedirect(redirectUri, appState, { error, error_description: description }),
    });
    const responseType = query.response_type;
    if (responseType !== undefined && responseType !== 'code') {
      return back('unsupported_response_type', 'Only response_type=code is supported.');
    }
    const challenge = text(query.code_challenge);
    if (challenge === undefined || !S256_CHALLENGE.test(challenge)) {
      return back(
        'invalid_request',
        'code_challenge is required: the base64url SHA-256 of a PKCE code verifier (RFC 7636).',
      );
    }
    if (query.code_challenge_method !== 'S256') {
      return back('invalid_request', 'code_challenge_method must be S256.');
    }
    const prompt = text(query.prompt);
    if (prompt !== undefined && !isForwardablePrompt(prompt)) {
      return back(
        'invalid_request',
        'prompt may hold only login, consent and select_account, separated by spaces.',
      );
    }
    let started: FlowStart;
    try {
      started = await this.startFlow(
        providerId,
        {
          appRedirectUri: redirectUri,
          appState,
          appCodeChallenge: challenge,
          purpose: 'login',
          userId: null,
        },
        prompt,
      );
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      return back(
        error.failure === 'unavailable' ? 'temporarily_unavailable' : 'server_error',
        'The identity provider cannot be reached right now; try again later.',
      );
    }
    return { redirect: started.authorizationUrl, cookie: started.cookie };
  }

  /**
   * POST /me/identities/<provider>: the same checks as /authorize, answered as problems (the app
   * called us, no browser is waiting for a redirect), then a flow whose code links the provider's
   * identity to `userId` once that same user redeems it. The challenge's form is checked by the
   * caller's body validation (S256_CHALLENGE).
   */
  async beginLink(
    userId: string,
    request: {
      readonly provider: string;
      readonly redirectUri: string;
      readonly codeChallenge: string;
    },
  ): Promise<FlowStart> {
    const { providerId, redirectUri } = this.assertAppTarget(request.provider, request.redirectUri);
    try {
      return await this.startFlow(providerId, {
        appRedirectUri: redirectUri,
        appState: null,
        appCodeChallenge: request.codeChallenge,
        purpose: 'link',
        userId,
      });
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      throw new ProblemException(
        'providerUnavailable',
        'The identity provider cannot be reached right now; try again later.',
      );
    }
  }

  /**
   * What both ways into a flow check first: a configured provider, and a redirect URI in
   * LOGIN_REDIRECT_URIS (exact match, RFC 9700 §4.1). Either wrong: 400, never a redirect
   * (RFC 6749 §4.1.2.1).
   */
  assertAppTarget(
    providerId: string | undefined,
    redirectUri: string | undefined,
  ): { providerId: string; redirectUri: string } {
    const provider = this.assertProvider(providerId);
    if (
      redirectUri === undefined ||
      !isAllowedRedirectUri(this.config.oidc.loginRedirectUris, redirectUri)
    ) {
      throw new ProblemException(
        'redirectUriNotAllowed',
        'redirect_uri must be one of the URIs this server allows apps to be sent back to (LOGIN_REDIRECT_URIS).',
      );
    }
    return { providerId: provider, redirectUri };
  }

  /** A provider of OIDC_PROVIDERS (GET /oauth/providers); any other id: 400 unknown-provider. */
  assertProvider(providerId: string | undefined): string {
    if (providerId === undefined || !this.providers.has(providerId)) {
      throw new ProblemException(
        'unknownProvider',
        'provider must name one of the identity providers of GET /oauth/providers.',
      );
    }
    return providerId;
  }

  /**
   * Step 2: our state, nonce and PKCE towards the provider, kept in a row named by the cookie's
   * hash. Throws OidcSignInError when the provider cannot be reached.
   */
  private async startFlow(
    providerId: string,
    app: {
      readonly appRedirectUri: string;
      readonly appState: string | null;
      readonly appCodeChallenge: string;
      readonly purpose: FederatedPurpose;
      readonly userId: string | null;
    },
    prompt?: string,
  ): Promise<FlowStart> {
    let begun: Awaited<ReturnType<OidcSignIn['begin']>>;
    try {
      begun = await this.providers.signIn(providerId).begin(prompt);
    } catch (error) {
      const failure = signInFailure(error);
      this.logger.warn(`Sign-in through ${providerId} could not start: ${failure.message}`);
      throw failure;
    }
    const cookieValue = generateOpaqueToken();
    await this.flows.createFlow({
      idHash: hashOpaqueToken(cookieValue),
      provider: providerId,
      state: begun.checks.state,
      nonce: begun.checks.nonce,
      codeVerifier: begun.checks.codeVerifier,
      ...app,
      expiresAt: new Date(Date.now() + FLOW_TTL_MS),
    });
    return {
      authorizationUrl: begun.authorizationUrl,
      cookie: {
        name: FLOW_COOKIE,
        value: cookieValue,
        path: this.callbackPath(providerId),
        maxAgeSeconds: FLOW_TTL_MS / 1000,
        secure: this.secureCookies,
      },
    };
  }

  /**
   * GET /oauth/<id>/callback: the row is taken (once, whatever follows) by the cookie's hash. No
   * cookie, no row, another provider's row: we cannot know where to send the browser, so 400.
   * Otherwise the browser goes back to the app with our code or an error.
   */
  async callback(
    providerId: string,
    params: URLSearchParams,
    cookieValue: string | undefined,
    client: ClientInfo,
  ): Promise<string> {
    const flow =
      cookieValue && this.providers.has(providerId)
        ? await this.flows.takeFlow(hashOpaqueToken(cookieValue), new Date())
        : null;
    if (!flow || flow.provider !== providerId) {
      throw new ProblemException(
        'invalidSignInFlow',
        'This sign-in is unknown or expired (its cookie is missing or stale): start again from the app.',
      );
    }
    const back = (query: Record<string, string>) =>
      appRedirect(flow.appRedirectUri, flow.appState, query);
    // RFC 9700 §4.7: the state must be this browser's flow's; openid-client checks it again.
    if (params.get('state') !== flow.state) {
      return back({
        error: 'access_denied',
        error_description: 'The sign-in did not come back from the provider it was sent to.',
      });
    }
    try {
      const code = await this.complete(flow, params, client);
      return typeof code === 'string' ? back({ code }) : back(code);
    } catch (error) {
      this.logger.error(`Sign-in through ${providerId} failed: ${errorMessage(error)}`);
      return back({
        error: 'server_error',
        error_description: 'The sign-in could not be completed; try again.',
      });
    }
  }

  /** Our code, or the error to send the app. */
  private async complete(
    flow: FederatedFlow,
    params: URLSearchParams,
    client: ClientInfo,
  ): Promise<string | { error: AppRedirectError; error_description: string }> {
    const provider = this.providerConfig(flow.provider);
    let claims: OidcIdentityClaims;
    try {
      claims = await this.providers.signIn(flow.provider).complete(params, {
        state: flow.state,
        nonce: flow.nonce,
        codeVerifier: flow.codeVerifier,
      });
    } catch (error) {
      const failure = signInFailure(error);
      return { error: redirectErrorOf(failure), error_description: describe(failure) };
    }
    const now = new Date();
    if (flow.purpose === 'link') {
      // Nothing is linked before the signed-in user redeems the code (POST /me/identities/…/complete).
      if (claims.email === undefined || flow.userId === null) {
        return { error: 'access_denied', error_description: 'The provider gave no email address.' };
      }
      return this.issueCode(flow, now, {
        userId: flow.userId,
        identityId: null,
        issuer: claims.iss,
        subject: claims.sub,
        email: claims.email,
        emailVerified: claims.email_verified,
      });
    }
    const resolution = await this.signIn.resolve(provider, claims, client);
    if (resolution.kind === 'refused') {
      return { error: resolution.error, error_description: resolution.description };
    }
    return this.issueCode(flow, now, {
      userId: resolution.user.id,
      identityId: resolution.identity.id,
      issuer: claims.iss,
      subject: claims.sub,
      email: claims.email ?? resolution.identity.email,
      emailVerified: claims.email_verified,
    });
  }

  private async issueCode(
    flow: FederatedFlow,
    now: Date,
    who: {
      userId: string;
      identityId: string | null;
      issuer: string;
      subject: string;
      email: string;
      emailVerified: boolean;
    },
  ): Promise<string> {
    const code = generateOpaqueToken();
    await this.flows.issueCode({
      codeHash: hashOpaqueToken(code),
      provider: flow.provider,
      purpose: flow.purpose,
      codeChallenge: flow.appCodeChallenge,
      redirectUri: flow.appRedirectUri,
      amr: ['fed'],
      authTime: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      ...who,
    });
    return code;
  }

  private providerConfig(id: string): OidcProviderConfig {
    const provider = this.config.oidc.providers.find((candidate) => candidate.id === id);
    if (!provider) throw new Error(`provider ${id} is not configured`);
    return provider;
  }
}

/**
 * OpenID Connect's `prompt` (Core §3.1.2.1) as an app may ask it of the provider: `login` (sign in
 * again even with a live session there — what an app wants after 403 reauthentication-required),
 * `consent`, `select_account`, space-separated. `none` is refused: a sign-in here always ends in a
 * browser redirect back to the app, so a silent check has nothing to offer.
 */
const FORWARDABLE_PROMPTS = new Set(['login', 'consent', 'select_account']);

function isForwardablePrompt(prompt: string): boolean {
  const values = prompt.split(' ');
  return (
    values.every((value) => FORWARDABLE_PROMPTS.has(value)) &&
    new Set(values).size === values.length
  );
}

/** A single query parameter's value; absent, empty or repeated counts as none. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The app's redirect URI with our parameters added to its own query, and its state echoed. */
export function appRedirect(
  redirectUri: string,
  appState: string | null,
  params: Readonly<Record<string, string>>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  if (appState !== null) url.searchParams.append('state', appState);
  return url.href;
}

/**
 * How a provider's failure reaches the app: a refusal as access_denied, an outage as
 * temporarily_unavailable, and a response that failed a check (state, PKCE, the ID token's
 * signature, issuer, audience, nonce, expiry) as access_denied: we refused it.
 */
function redirectErrorOf(failure: OidcSignInError): AppRedirectError {
  switch (failure.failure) {
    case 'access_denied':
      return 'access_denied';
    case 'unavailable':
      return 'temporarily_unavailable';
    case 'invalid':
      return 'access_denied';
  }
}

function describe(failure: OidcSignInError): string {
  switch (failure.failure) {
    case 'access_denied':
      return 'The sign-in was refused at the identity provider.';
    case 'unavailable':
      return 'The identity provider cannot be reached right now; try again later.';
    case 'invalid':
      return 'The identity provider’s answer failed verification.';
  }
}
