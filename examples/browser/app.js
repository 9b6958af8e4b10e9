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

/** Calls the API and prints the answer (`quiet`: the caller decides what to print). */
async function call(action, path, { json, auth = false, method, quiet = false } = {}) {
  const headers = {};
  if (json) headers['content-type'] = 'application/json';
  if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
  // credentials: 'include' lets the browser store the refresh token cookie from /login and send
  // it to /refresh; CORS_ORIGINS must list this page's origin for the answers to be readable.
  const response = await fetch(`${API}${path}`, {
    method: method ?? (path === '/protected' || path === '/me' ? 'GET' : 'POST'),
    headers,
    body: json ? JSON.stringify(json) : undefined,
    credentials: 'include',
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (body?.access_token) accessToken = body.access_token;
  if (!quiet) show(action, response.status, body);
  return { response, body };
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
    drawPasskeys([]);
  },
  'passkey-login': () => signInWithPasskey(),
  'add-passkey': () => addPasskey(),
  'list-passkeys': () => listPasskeys(),
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

// Passkeys (WebAuthn), through @simplewebauthn/browser (simplewebauthn-browser.js, served beside
// this page from the installed package). The browser shows its own prompt; this page never sees a
// key, only the signed answers it passes on.
const webauthn = window.SimpleWebAuthnBrowser;

/** What the browser refused (no passkey chosen, one registered already, …), by its error's name. */
function showBrowserRefusal(action, error) {
  const code = error.code ? ` (${error.code})` : '';
  show(action, `refused by the browser: ${error.name}${code}`, error.message);
}

/**
 * Usernameless sign-in: the service lists no credentials, the browser offers the passkeys it holds
 * for this site. `start` may be options asked for earlier (autofill starts with those at load).
 */
async function signInWithPasskey({ action = 'passkey', start, autofill = false } = {}) {
  const begun = start ?? (await call(action, '/login/passkey/options', { quiet: true }));
  if (!begun.response.ok) {
    show(action, begun.response.status, begun.body);
    return;
  }
  const { challenge_id, options } = begun.body;
  let response;
  try {
    response = await webauthn.startAuthentication({
      optionsJSON: options,
      useBrowserAutofill: autofill,
    });
  } catch (error) {
    // Another ceremony started (a click on a button) cancels the autofill one, and a browser with
    // no passkey for this site may end it at once (NotAllowedError): nobody asked, nothing to say.
    if (error.code === 'ERROR_CEREMONY_ABORTED') return;
    if (autofill && error.name === 'NotAllowedError') return;
    showBrowserRefusal(action, error);
    return;
  }
  await call(action, '/login/passkey', { json: { challenge_id, response } });
}

/** Registers a passkey on this device, after proving it is the owner as other changes do. */
async function addPasskey() {
  const code = field('code');
  const begun = await call('add-passkey', '/me/passkeys/options', {
    auth: true,
    quiet: true,
    json: { current_password: field('current-password') || undefined, code: code || undefined },
  });
  if (!begun.response.ok) {
    show('add-passkey', begun.response.status, begun.body);
    return;
  }
  let response;
  try {
    response = await webauthn.startRegistration({ optionsJSON: begun.body });
  } catch (error) {
    // InvalidStateError: this authenticator holds one of the account's passkeys already (excluded).
    showBrowserRefusal('add-passkey', error);
    return;
  }
  const name = field('passkey-name').trim();
  const added = await call('add-passkey', '/me/passkeys', {
    auth: true,
    json: { response, name: name || undefined },
  });
  if (added.response.ok) await listPasskeys();
}

async function listPasskeys() {
  const listed = await call('list-passkeys', '/me/passkeys', { auth: true, method: 'GET' });
  if (listed.response.ok) drawPasskeys(listed.body.passkeys);
}

async function removePasskey(passkey) {
  const removed = await call('remove-passkey', `/me/passkeys/${passkey.id}`, {
    auth: true,
    method: 'DELETE',
  });
  if (removed.response.ok) await listPasskeys();
}

/** One line per passkey, with its own remove button; text only (a name is the user's input). */
function drawPasskeys(passkeys) {
  const items = passkeys.map((passkey) => {
    const item = document.createElement('li');
    const lastUsed = passkey.last_used_at ?? 'never';
    item.textContent = `${passkey.name} · added ${passkey.created_at} · last used ${lastUsed} `;
    const remove = document.createElement('button');
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove the passkey ${passkey.name}`);
    remove.addEventListener('click', () => {
      removePasskey(passkey).catch((error) => show('remove-passkey', 'failed', String(error)));
    });
    item.append(remove);
    return item;
  });
  document.getElementById('passkey-list').replaceChildren(...items);
}

/**
 * Shows the passkey buttons when the service has passkeys on (its options answer 404 otherwise)
 * and this browser has WebAuthn; and where the browser supports conditional mediation, offers the
 * passkeys in the username field's autofill, with those options, until another ceremony starts.
 */
async function setUpPasskeys() {
  if (!webauthn?.browserSupportsWebAuthn()) return;
  const start = await call('passkey-autofill', '/login/passkey/options', { quiet: true });
  // 404: passkeys are off on this service; the page stays as it was, and says nothing.
  if (start.response.status === 404) return;
  document.getElementById('passkeys-section').hidden = false;
  if (!(await webauthn.browserSupportsWebAuthnAutofill())) return;
  await signInWithPasskey({ action: 'passkey-autofill', start, autofill: true });
}

drawProviders().catch((error) => show('providers', 'failed', String(error)));
setUpPasskeys().catch((error) => show('passkey-autofill', 'failed', String(error)));
finishSignIn().catch((error) => show('provider', 'failed', String(error)));
