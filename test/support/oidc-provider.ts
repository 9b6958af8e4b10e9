import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { Account, ProviderContext } from 'oidc-provider';

/**
 * A real OpenID provider in the test process: panva's oidc-provider (certified), on 127.0.0.1 over
 * plain http, with its development login and consent pages, driven over HTTP by `signIn` below.
 */

export interface TestAccount {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly preferred_username?: string;
}

export interface TestClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uris: readonly string[];
}

export interface TestProviderOptions {
  /** A fixed port (to restart on it, or to name the issuer before it starts); random otherwise. */
  readonly port?: number;
  readonly accounts: readonly TestAccount[];
  readonly clients: readonly TestClient[];
  /**
   * Put email, email_verified and preferred_username in the ID token too. Off by default: like
   * oidc-provider itself (conformIdTokenClaims), the claims a scope asks for then come from UserInfo.
   */
  readonly claimsInIdToken?: boolean;
}

/** What to do on the consent page: grant, or deny (the provider answers error=access_denied). */
export type Consent = 'grant' | 'deny';

export interface TestProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash: what OIDC_<ID>_ISSUER names. */
  readonly issuer: string;
  readonly port: number;
  /** Listens (again, on the same port); the provider's keys, accounts and grants are kept. */
  start(): Promise<void>;
  /** Stops listening and drops open connections: discovery and token requests then fail. */
  stop(): Promise<void>;
  /**
   * Follows an authorization URL as a browser would (its own cookie jar), signs in as `account`,
   * grants or denies consent, and answers the URL the provider redirects to outside itself (the
   * client's callback, with `code`/`state` or `error`), without following it.
   */
  signIn(authorizationUrl: string | URL, account: string, consent?: Consent): Promise<URL>;
  /** Adds an account, or replaces the one with its `sub` (an address changed or verified since). */
  setAccount(account: TestAccount): void;
  /**
   * Rewrites the next ID token the token endpoint issues (re-signed with the provider's own key,
   * so only the claims are wrong): `{ ...claims, aud: 'other-client' }`, `{ ...claims, nonce: 'x' }`.
   */
  tamperNextIdToken(rewrite: (claims: JWTPayload) => JWTPayload): void;
}

/** Creates the provider without starting it: its issuer (and port) are known before it listens. */
export async function createTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const port = options.port ?? (await freeLoopbackPort());
  const issuer = `http://127.0.0.1:${port}`;
  const { privateJwk, kid } = signingKey();
  const accounts = new Map(options.accounts.map((account) => [account.sub, account]));
  const provider = await quietly(async () => {
    const { default: Provider } = await import('oidc-provider');
    return new Provider(issuer, {
      clients: options.clients.map((client) => ({
        ...client,
        redirect_uris: [...client.redirect_uris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      })),
      jwks: { keys: [privateJwk] },
      // Fixed keys: no "using a default" warnings, and cookies stay valid across a restart.
      cookies: { keys: ['oidc-test-provider-cookie-key'] },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['preferred_username'],
      },
      // Explicit lifetimes (seconds): oidc-provider logs a notice for each one left to its default.
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 3600,
        IdToken: 600,
        Interaction: 600,
        Session: 3600,
      },
      conformIdTokenClaims: options.claimsInIdToken !== true,
      features: { devInteractions: { enabled: true } },
      findAccount: (_context: unknown, sub: string): Account | undefined => {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: () => ({ ...account }) };
      },
    });
  });

  let rewriteNext: ((claims: JWTPayload) => JWTPayload) | undefined;
  provider.use(async (context: ProviderContext, next) => {
    await next();
    const rewrite = rewriteNext;
    const body = context.body as { id_token?: unknown } | undefined;
    if (!rewrite || context.path !== '/token' || typeof body?.id_token !== 'string') return;
    rewriteNext = undefined;
    body.id_token = await resign(body.id_token, rewrite, privateJwk, kid);
  });

  let server: Server | undefined;
  return {
    issuer,
    port,
    async start() {
      if (server) return;
      const listening = createServer(provider.callback());
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => resolve());
      });
      server = listening;
    },
    async stop() {
      const stopping = server;
      server = undefined;
      if (!stopping) return;
      const closed = new Promise((resolve) => stopping.close(resolve));
      stopping.closeAllConnections();
      await closed;
    },
    signIn: (authorizationUrl, account, consent = 'grant') =>
      signIn(new URL(authorizationUrl), issuer, account, consent),
    setAccount(account) {
      accounts.set(account.sub, account);
    },
    tamperNextIdToken(rewrite) {
      rewriteNext = rewrite;
    },
  };
}

/** Creates and starts a provider. */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const provider = await createTestProvider(options);
  await provider.start();
  return provider;
}

/** A port free on 127.0.0.1 now (the kernel's pick), for an issuer named before it listens. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The browser's part of the authorization code flow against the provider's devInteractions pages:
 * GET the authorization URL, POST the login form, then the consent form (or its abort link), each
 * answered with a redirect; the first redirect that leaves the provider is the client's callback.
 */
async function signIn(start: URL, issuer: string, account: string, consent: Consent): Promise<URL> {
  const jar = new CookieJar();
  let url = start;
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, { redirect: 'manual', headers: jar.header() });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
      const page = await response.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      url = await answer(url, prompt, account, consent, jar);
      continue;
    }
    if (!location || response.status < 300 || response.status >= 400) {
      throw new Error(
        `provider answered ${response.status} at ${url.pathname}: ${await response.text()}`,
      );
    }
    const next = new URL(location, url);
    if (next.origin !== issuer) return next;
    url = next;
  }
  throw new Error('too many redirects at the test provider');
}

/** Submits the interaction page's form (login or consent), or denies; answers where it redirects. */
async function answer(
  page: URL,
  prompt: string | undefined,
  account: string,
  consent: Consent,
  jar: CookieJar,
): Promise<URL> {
  if (prompt === 'consent' && consent === 'deny') return new URL(`${page.pathname}/abort`, page);
  const form: Record<string, string> | undefined =
    prompt === 'login'
      ? { prompt, login: account, password: 'any' }
      : prompt === 'consent'
        ? { prompt }
        : undefined;
  if (!form) throw new Error(`unexpected interaction page at ${page.pathname}`);
  const response = await fetch(page, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  jar.store(response);
  const location = response.headers.get('location');
  if (!location) throw new Error(`provider answered ${response.status} to the ${prompt} form`);
  return new URL(location, page);
}

/** Cookies by name, for one browser: the provider's are few, and paths do not matter to it. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }
}

function signingKey(): { privateJwk: JsonWebKey; kid: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    kid,
  };
}

async function resign(
  idToken: string,
  rewrite: (claims: JWTPayload) => JWTPayload,
  privateJwk: JsonWebKey,
  kid: string,
): Promise<string> {
  const { alg = 'RS256' } = decodeProtectedHeader(idToken);
  const key = await importJWK(privateJwk as Parameters<typeof importJWK>[0], alg);
  return new SignJWT(rewrite(decodeJwt(idToken))).setProtectedHeader({ alg, kid }).sign(key);
}

/**
 * oidc-provider warns on the console at import ("Unsupported runtime": it wants Node 22, and runs
 * on 20) and at construction (devInteractions are for development, as here): noise in test output.
 */
async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING:')) return;
    warn(...args);
  };
  try {
    return await run();
  } finally {
    console.warn = warn;
  }
}
