// No build step, no framework: the whole client of the auth service.
'use strict';

// ?api=http://localhost:3000 picks the service; it must be same-site with this page (SameSite=Strict).
// Kept for the trip through an identity provider, which comes back without it.
const API =
  new URLSearchParams(location.search).get('api') ??
  sessionStorage.getItem('api') ??
  'http://localhost:3000';
sessionStorage.setItem('api', API);
// Where a provider sign-in comes back to: this page, without its query (listed in the service's
// LOGIN_REDIRECT_URIS, which matches exactly).
const RETURN_TO = `${location.origin}${location.pathname}`;
// In memory only: a reload logs the page out of its access token, and /refresh gets a new one.
let accessToken;

document.getElementById('api').textContent = API;

function field(id) {
  return document.getElementById(id).value;
}

function show(action, status, body) {
  const line = `${action}: ${status} ${body === undefined ? '' : JSON.stringify(body)}`;
  document.getElementById('output').textContent += `${line}\n`;
}

async function call(action, path, { json, auth = false } = {}) {
  const headers = {};
  if (json) headers['content-type'] = 'application/json';
  if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
  // credentials: 'include' lets the browser store the refresh token cookie from /login and send
  // it to /refresh; CORS_ORIGINS must list this page's origin for the answers to be readable.
  const response = await fetch(`${API}${path}`, {
    method: path === '/protected' || path === '/me' ? 'GET' : 'POST',
    headers,
    body: json ? JSON.stringify(json) : undefined,
    credentials: 'include',
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (body?.access_token) accessToken = body.access_token;
  show(action, response.status, body);
  return response;
}

const actions = {
  signup: () =>
    call('signup', '/signup', {
      json: { username: field('username'), email: field('email'), password: field('password') },
    }),
  login: () =>
    call('login', '/login', { json: { username: field('username'), password: field('password') } }),
  protected: () => call('protected', '/protected', { auth: true }),
  me: () => call('me', '/me', { auth: true }),
  // No body: the service reads the refresh token from the cookie the browser sends.
  refresh: () => call('refresh', '/refresh'),
  logout: async () => {
    await call('logout', '/logout', { auth: true });
    accessToken = undefined;
  },
};

for (const [id, action] of Object.entries(actions)) {
  document.getElementById(id).addEventListener('click', () => {
    action().catch((error) => show(id, 'failed', String(error)));
  });
}

// Sign in with an identity provider: authorization code + PKCE (RFC 7636), done by this page.
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function signInWith(provider) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  // The verifier never leaves this page until the exchange; the state ties the answer to this try.
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    provider,
    redirect_uri: RETURN_TO,
    response_type: 'code',
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
    state,
  });
  location.assign(`${API}/authorize?${query}`);
}

/** Back from the provider with ?code=…&state=… (or ?error=…): exchange the code at /login. */
async function finishSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  const pending = JSON.parse(sessionStorage.getItem('pkce') ?? 'null');
  sessionStorage.removeItem('pkce');
  history.replaceState(null, '', RETURN_TO);
  if (!pending || params.get('state') !== pending.state) {
    show('provider', 'refused', 'the state does not match this page’s sign-in');
    return;
  }
  if (params.has('error')) {
    show('provider', params.get('error'), params.get('error_description') ?? undefined);
    return;
  }
  await call('provider', '/login', {
    json: {
      grant_type: 'authorization_code',
      code: params.get('code'),
      code_verifier: pending.verifier,
      redirect_uri: RETURN_TO,
    },
  });
}

async function drawProviders() {
  const response = await fetch(`${API}/oauth/providers`);
  const { providers } = await response.json();
  const place = document.getElementById('providers');
  for (const { id, name } of providers) {
    const button = document.createElement('button');
    button.id = `provider-${id}`;
    button.textContent = `Sign in with ${name}`;
    button.addEventListener('click', () => {
      signInWith(id).catch((error) => show('provider', 'failed', String(error)));
    });
    place.append(button);
  }
}

drawProviders().catch((error) => show('providers', 'failed', String(error)));
finishSignIn().catch((error) => show('provider', 'failed', String(error)));
