// A JWKS server that misbehaves on purpose, one path per failure: hang, 500, HTML, an
// oversized body, a redirect loop; plus (separately) TLS with a certificate from a CA the
// client does not know.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Pem } from './certs.js';

export interface BadServer {
  url: string;
  tlsUrl: string;
  stop(): Promise<void>;
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/hang':
      return; // never answers
    case '/500':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    case '/html':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Sign in</body></html>');
      return;
    case '/huge': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    case '/loop':
      res.writeHead(302, { location: '/loop' }).end();
      return;
    case '/.well-known/openid-configuration':
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: 'x', jwks_uri: 'x' }));
      return;
    default:
      res.writeHead(404).end('not found');
  }
}

export async function startBadServer(untrustedTls: Pem): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const http = createHttp(handler);
  const https = createHttps({ cert: untrustedTls.cert, key: untrustedTls.key }, handler);
  http.on('connection', track);
  https.on('connection', track);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    tlsUrl: `https://127.0.0.1:${(https.address() as AddressInfo).port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
    },
  };
}
