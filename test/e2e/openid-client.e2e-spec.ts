import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { SqlSessionsRepository } from '../../src/sessions/repositories/sql.sessions.repository.js';
import { openDatabase } from '../../src/database/database.factory.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp, type TestUser } from '../support/users.factory.js';

const RESOURCE_SERVER = { id: 'orders-api', secret: 'orders-api-secret+/=0123456789abcdef' };

/** A free port on loopback, so PUBLIC_URL (the issuer) can name it before the app starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * panva's openid-client v6 (over oauth4webapi) as the only client: if it can discover, log in,
 * refresh, revoke and introspect from the metadata alone, any conforming OAuth2 client can.
 */
describe('an off-the-shelf OAuth2 client (openid-client v6) against the running service', () => {
  let app: TestApp;
  let issuer: URL;
  let user: TestUser;
  /** The app as a public client sees it. */
  let publicClient: client.Configuration;
  /** A resource server of INTROSPECTION_CLIENTS. */
  let resourceServer: client.Configuration;

  beforeAll(async () => {
    const port = await freePort();
    issuer = new URL(`http://127.0.0.1:${port}`);
    app = await createTestApp({
      PORT: String(port),
      PUBLIC_URL: issuer.href,
      INTROSPECTION_CLIENTS: `${RESOURCE_SERVER.id}:${RESOURCE_SERVER.secret}`,
    });
    await app.app.listen(port, '127.0.0.1');
    user = await signUp(app, aUser());
    // Plain http on loopback in tests only; algorithm 'oauth2' reads RFC 8414 metadata.
    const options = { execute: [client.allowInsecureRequests], algorithm: 'oauth2' as const };
    publicClient = await client.discovery(issuer, 'my-spa', undefined, client.None(), options);
    resourceServer = await client.discovery(
      issuer,
      RESOURCE_SERVER.id,
      undefined,
      client.ClientSecretBasic(RESOURCE_SERVER.secret),
      options,
    );
  });
  afterAll(() => app.close({ removeData: true }));

  const passwordGrant = () =>
    client.genericGrantRequest(publicClient, 'password', {
      username: user.username,
      password: user.password,
    });
  const callProtected = (accessToken: string) =>
    fetch(new URL('/protected', issuer), { headers: { authorization: `Bearer ${accessToken}` } });

  it('discovers the server from /.well-known/oauth-authorization-server', () => {
    const metadata = publicClient.serverMetadata();
    expect(metadata.issuer).toBe(new URL(issuer).href.replace(/\/$/, ''));
    expect(metadata.token_endpoint).toBe(new URL('/login', issuer).href);
    expect(metadata.revocation_endpoint).toBe(new URL('/revoke', issuer).href);
    expect(metadata.introspection_endpoint).toBe(new URL('/introspect', issuer).href);
    expect(metadata.jwks_uri).toBe(new URL('/.well-known/jwks.json', issuer).href);
  });

  it('logs in with the password grant and refreshes at the token endpoint from the metadata', async () => {
    const tokens = await passwordGrant();
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    expect((await callProtected(tokens.access_token)).status).toBe(200);

    const refreshed = await client.refreshTokenGrant(publicClient, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await callProtected(refreshed.access_token)).status).toBe(200);
  });

  it('reports a wrong password and a dead refresh token as invalid_grant', async () => {
    await expect(
      client.genericGrantRequest(publicClient, 'password', {
        username: user.username,
        password: 'not-the-password',
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant', status: 401 });
    await expect(client.refreshTokenGrant(publicClient, 'x'.repeat(400))).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('revokes a refresh token: the access token is refused and the refresh token is invalid_grant', async () => {
    const tokens = await passwordGrant();
    await client.tokenRevocation(publicClient, tokens.refresh_token!, {
      token_type_hint: 'refresh_token',
    });
    expect((await callProtected(tokens.access_token)).status).toBe(401);
    await expect(
      client.refreshTokenGrant(publicClient, tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspects as a configured resource server: active before, {"active": false} after a logout', async () => {
    const tokens = await passwordGrant();
    const before = await client.tokenIntrospection(resourceServer, tokens.access_token);
    expect(before).toMatchObject({
      active: true,
      token_type: 'access_token',
      username: user.username,
      iss: issuer.href.replace(/\/$/, ''),
    });
    const logout = await fetch(new URL('/logout', issuer), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(logout.status).toBe(204);
    const after = await client.tokenIntrospection(resourceServer, tokens.access_token);
    expect({ ...after }).toEqual({ active: false });
  });

  it('refuses introspection to a client that is not configured, with invalid_client', async () => {
    const stranger = await client.discovery(
      issuer,
      'stranger',
      undefined,
      client.ClientSecretBasic('some-secret-that-is-long-enough-0123'),
      { execute: [client.allowInsecureRequests], algorithm: 'oauth2' },
    );
    const tokens = await passwordGrant();
    // RFC 6749 §5.2: a 401 invalid_client carries the Basic challenge, which oauth4webapi reports
    // as such; the body still says invalid_client.
    const failure = await client.tokenIntrospection(stranger, tokens.access_token).then(
      () => undefined,
      (error: unknown) => error as { status: number; cause: unknown; response: Response },
    );
    expect(failure?.status).toBe(401);
    expect(failure?.cause).toEqual([{ scheme: 'basic', parameters: { realm: 'introspection' } }]);
    expect(await failure?.response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('reflects a logout made by another instance within a second', async () => {
    if (app.config.database.kind === 'memory') throw new Error('needs a SQL store');
    const tokens = await passwordGrant();
    const claims = await client.tokenIntrospection(resourceServer, tokens.access_token);
    expect(claims.active).toBe(true);

    // "Another instance": its own connection to the same database, ending the session there.
    const otherInstance = await openDatabase(app.config.database);
    await new SqlSessionsRepository(otherInstance).revoke([String(claims.sid)], new Date());
    await otherInstance.destroy();
    const revokedAt = Date.now();

    let active = true;
    while (active && Date.now() - revokedAt < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      active = (await client.tokenIntrospection(resourceServer, tokens.access_token)).active;
    }
    expect(active).toBe(false);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });
});
