// No build step, no framework: the whole client of the auth service.
'use strict';

// ?api=http://localhost:3000 picks the service; it must be same-site with this page (SameSite=Strict).
const API = new URLSearchParams(location.search).get('api') ?? 'http://localhost:3000';
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
    method: path === '/protected' ? 'GET' : 'POST',
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
