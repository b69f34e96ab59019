// A real OpenID provider (the oidc-provider package) over TLS on loopback: discovery, JWKS,
// and JWT access tokens issued by a real client_credentials grant. Keys can be rotated by
// restarting on the same port with a new key set.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Pem } from './certs.js';

export interface OidcServer {
  issuer: string;
  port: number;
  /** Private JWKs currently served (public parts on jwks_uri). */
  kids: string[];
  token(opts?: { scope?: string; resource?: string; clientId?: string }): Promise<string>;
  rotate(newKid: string): Promise<void>;
  stop(): Promise<void>;
}

export const CLIENT_ID = 'omnia-test-client';
export const NO_SUB_CLIENT_ID = 'omnia-test-client-nosub';
const CLIENT_SECRET = 'omnia-test-secret-0123456789';
export const AUDIENCE = 'https://agents.omnia.test';

function privateJwk(kid: string): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

export async function startOidc(tls: Pem, ca: string, opts: { kid?: string; port?: number } = {}): Promise<OidcServer> {
  let server: Server | undefined;
  let port = opts.port ?? 0;
  let kids = [opts.kid ?? 'key-1'];

  const listen = async (keys: Record<string, unknown>[]) => {
    // The issuer must be known before the provider exists: bind first, then attach.
    const srv = createServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((res) => srv.listen(port, '127.0.0.1', () => res()));
    port = (srv.address() as AddressInfo).port;
    const provider = new Provider(`https://127.0.0.1:${port}`, {
      clients: [CLIENT_ID, NO_SUB_CLIENT_ID].map((client_id) => ({
        client_id, client_secret: CLIENT_SECRET, grant_types: ['client_credentials'],
        redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic',
      })),
      formats: {
        customizers: {
          // Many providers issue client-credentials tokens without sub: reproduce that for one client.
          jwt: (_ctx: unknown, token: { clientId?: string }, jwt: { payload: Record<string, unknown> }) => {
            if (token.clientId === NO_SUB_CLIENT_ID) delete jwt.payload['sub'];
          },
        },
      },
      jwks: { keys: keys as never },
      scopes: ['agents:access', 'openid', 'profile'],
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'agents:access openid profile', accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
    provider.proxy = false;
    srv.on('request', provider.callback());
    server = srv;
  };
  await listen(kids.map(privateJwk));

  const issuer = `https://127.0.0.1:${port}`;
  const stopServer = () => new Promise<void>((res) => {
    if (!server) return res();
    server.closeAllConnections();
    server.close(() => res());
  });

  return {
    issuer,
    port,
    get kids() { return kids; },
    token(o = {}) {
      return requestToken(issuer, ca, o);
    },
    async rotate(newKid) {
      await stopServer();
      kids = [newKid];
      await listen(kids.map(privateJwk));
    },
    stop: stopServer,
  };
}

/** A token from the provider's token endpoint by a real client_credentials grant. */
export function requestToken(issuer: string, ca: string, o: { scope?: string; resource?: string; clientId?: string } = {}): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: o.scope ?? 'agents:access', resource: o.resource ?? AUDIENCE }).toString();
  return new Promise<string>((resolve, reject) => {
    const req = request(`${issuer}/token`, {
      method: 'POST', ca,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${o.clientId ?? CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      },
    }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => {
        const j = JSON.parse(data) as { access_token?: string };
        if (res.statusCode !== 200 || !j.access_token) reject(new Error(`token endpoint: ${res.statusCode} ${data}`));
        else resolve(j.access_token);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
