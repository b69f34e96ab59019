// The usual e2e setup: a temporary directory, a CA, and a real OpenID provider over TLS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, makeLeaf, type Pem } from './certs.js';
import { startOidc, type OidcServer } from './oidc.js';

export interface OidcFixture {
  dir: string;
  ca: Pem;
  caFile: string;
  oidc: OidcServer;
  close(): Promise<void>;
}

export async function oidcFixture(name: string, kid: string): Promise<OidcFixture> {
  const dir = mkdtempSync(join(tmpdir(), `omnia-auth-e2e-${name}-`));
  const ca = makeCa(dir, 'ca');
  const oidc = await startOidc(makeLeaf(dir, ca, 'oidc'), ca.cert, { kid });
  return {
    dir, ca, caFile: ca.certFile, oidc,
    async close() {
      await oidc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
