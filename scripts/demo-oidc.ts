// The demo's OpenID provider, as a long-running process: node scripts/demo-oidc.ts <demo dir>
// Serves discovery, JWKS and tokens over TLS on loopback until killed; writes <dir>/oidc.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOidc } from '../test/support/oidc.ts';

const dir = process.argv[2]!;
const pem = (n: string) => ({ cert: readFileSync(join(dir, 'pki', `${n}.crt`), 'utf8'), key: readFileSync(join(dir, 'pki', `${n}.key`), 'utf8'), certFile: join(dir, 'pki', `${n}.crt`), keyFile: join(dir, 'pki', `${n}.key`) });
process.env['NODE_ENV'] = 'production';
const server = await startOidc(pem('oidc'), pem('ca').cert, { kid: 'demo-key-1' });
writeFileSync(join(dir, 'oidc.json'), JSON.stringify({ issuer: server.issuer, pid: process.pid }));
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
