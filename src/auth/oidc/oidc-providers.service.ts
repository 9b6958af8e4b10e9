import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import * as client from 'openid-client';
import { isLoopbackHost, type OidcProviderConfig } from '../../config/oidc-config.js';
import { errorMessage } from '../../logging/error-message.js';
import { OidcSignInError, UnknownOidcProviderError } from './oidc-sign-in.error.js';
import { createOidcSignIn, type OidcSignIn } from './oidc.strategy.js';

/** How discovery is retried after a failure: doubling from `firstDelayMs` up to `maxDelayMs`. */
export interface DiscoveryRetry {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Seconds one discovery request may take. */
  readonly timeoutSeconds: number;
  /**
   * A sign-in asked of a provider not discovered yet tries discovery at once rather than at the
   * next retry (up to `maxDelayMs` away), at most this often: a provider back after a long outage
   * is usable at the next sign-in, and sign-ins cannot flood it with discovery requests.
   */
  readonly onDemandEveryMs: number;
}

export const DEFAULT_DISCOVERY_RETRY: DiscoveryRetry = {
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeoutSeconds: 10,
  onDemandEveryMs: 1_000,
};

interface ProviderState {
  readonly config: OidcProviderConfig;
  signIn: OidcSignIn | undefined;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  /** The discovery in flight, if any. */
  discovering: Promise<void> | undefined;
  /** When the last discovery started (ms since the epoch). */
  lastAttemptAt: number;
}

/**
 * The configured OpenID providers: each is discovered at boot from
 * `<issuer>/.well-known/openid-configuration` (openid-client's `discovery`, which checks the
 * issuer it names), then gets its Passport strategy. A provider that cannot be reached does not
 * stop the server: discovery is retried with backoff, and meanwhile its sign-ins are
 * `unavailable`. Readiness does not wait for it (a provider is not our dependency).
 */
export class OidcProvidersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OidcProviders');
  private readonly providers: ReadonlyMap<string, ProviderState>;
  /** Aborts discovery requests in flight at shutdown, so none keeps the process alive. */
  private readonly stopping = new AbortController();

  constructor(
    providers: readonly OidcProviderConfig[],
    private readonly retry: DiscoveryRetry = DEFAULT_DISCOVERY_RETRY,
  ) {
    this.providers = new Map(
      providers.map((config) => [
        config.id,
        {
          config,
          signIn: undefined,
          failures: 0,
          timer: undefined,
          discovering: undefined,
          lastAttemptAt: 0,
        },
      ]),
    );
  }

  onApplicationBootstrap(): void {
    for (const provider of this.providers.values()) this.discoverNow(provider);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
    for (const provider of this.providers.values()) {
      clearTimeout(provider.timer);
      provider.timer = undefined;
      provider.signIn?.unregister();
    }
  }

  /** Every configured provider, in OIDC_PROVIDERS order, discovered yet or not (the buttons). */
  list(): { id: string; name: string }[] {
    return [...this.providers.values()].map(({ config }) => ({ id: config.id, name: config.name }));
  }

  has(providerId: string): boolean {
    return this.providers.has(providerId);
  }

  /** Whether the provider's discovery has succeeded. */
  isAvailable(providerId: string): boolean {
    return this.providers.get(providerId)?.signIn !== undefined;
  }

  /**
   * The provider's strategy. Throws UnknownOidcProviderError for an id not configured, and
   * OidcSignInError `unavailable` until its discovery has succeeded.
   */
  signIn(providerId: string): OidcSignIn {
    const provider = this.providers.get(providerId);
    if (!provider) throw new UnknownOidcProviderError(providerId);
    if (!provider.signIn) {
      if (Date.now() - provider.lastAttemptAt >= this.retry.onDemandEveryMs) {
        this.discoverNow(provider);
      }
      throw new OidcSignInError('unavailable', `provider ${providerId} is not discovered yet`);
    }
    return provider.signIn;
  }

  /** Starts a discovery unless one is in flight, replacing the retry timer. */
  private discoverNow(provider: ProviderState): void {
    if (provider.discovering || this.stopping.signal.aborted) return;
    clearTimeout(provider.timer);
    provider.timer = undefined;
    provider.lastAttemptAt = Date.now();
    provider.discovering = this.discover(provider).finally(() => {
      provider.discovering = undefined;
    });
  }

  private async discover(provider: ProviderState): Promise<void> {
    const { id, issuer } = provider.config;
    try {
      const configuration = await this.discovery(provider.config);
      if (this.stopping.signal.aborted) return;
      provider.signIn = createOidcSignIn(provider.config, configuration);
      if (provider.failures > 0)
        this.logger.log(`Provider ${id} discovered after ${provider.failures} failure(s)`);
      provider.failures = 0;
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      provider.failures++;
      const delay = Math.min(
        this.retry.maxDelayMs,
        this.retry.firstDelayMs * 2 ** Math.min(provider.failures - 1, 30),
      );
      // The first failure and then every tenth, not one line per retry of a provider that is away.
      if (provider.failures === 1 || provider.failures % 10 === 0) {
        this.logger.warn(
          `Discovery of provider ${id} at ${issuer} failed (${provider.failures}×): ${reason(error)}; its sign-ins answer temporarily_unavailable, retrying in ${delay} ms`,
        );
      }
      provider.timer = setTimeout(() => this.discoverNow(provider), delay);
      // Never what keeps the process alive.
      provider.timer.unref();
    }
  }

  private discovery(config: OidcProviderConfig): Promise<client.Configuration> {
    const issuer = new URL(config.issuer);
    const stopping = this.stopping.signal;
    return client.discovery(
      issuer,
      config.clientId,
      config.clientSecret,
      clientAuthentication(config.clientSecret),
      {
        timeout: this.retry.timeoutSeconds,
        // Plain http only to this machine: config refuses any other http issuer, and this keeps
        // openid-client's HTTPS-only rule for everything else even so.
        execute:
          issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname)
            ? [client.allowInsecureRequests]
            : [],
        [client.customFetch]: (url, options) =>
          fetch(url, {
            ...options,
            signal: options.signal ? AbortSignal.any([options.signal, stopping]) : stopping,
          }),
      },
    );
  }
}

/**
 * The error and what it wraps: openid-client's "something went wrong" and fetch's "fetch failed"
 * say why only in their causes (connect ECONNREFUSED…).
 */
function reason(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  // Not `instanceof Error`: fetch's errors come from another realm under Jest's VM modules.
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 4; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === 'string') messages.push(errorMessage(message));
    current = cause;
  }
  return messages.join(': ') || errorMessage(error);
}

/**
 * client_secret_basic, which every provider must support (RFC 6749 §2.3.1) and is RFC 8414's
 * default, unless the provider's metadata lists client_secret_post and not basic. openid-client's
 * own default is client_secret_post; oidc-provider, for one, registers clients with basic.
 */
function clientAuthentication(secret: string): client.ClientAuth {
  const basic = client.ClientSecretBasic(secret);
  const post = client.ClientSecretPost(secret);
  return (server, metadata, body, headers) => {
    const methods = server.token_endpoint_auth_methods_supported;
    const usePost =
      methods !== undefined &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post');
    (usePost ? post : basic)(server, metadata, body, headers);
  };
}
