// A throwaway CA and leaf certificates for loopback servers, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeCa(dir: string, name = 'ca'): Pem {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return load(dir, name);
}

/** A leaf signed by ca: server (SAN 127.0.0.1, localhost) or client (CN user, O groups). */
export function makeLeaf(dir: string, ca: Pem, name: string, opts: { cn?: string; orgs?: string[]; server?: boolean } = {}): Pem {
  const subj = `/CN=${opts.cn ?? name}${(opts.orgs ?? []).map((o) => `/O=${o}`).join('')}`;
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  const ext = opts.server === false
    ? 'extendedKeyUsage=clientAuth\n'
    : 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n';
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial',
    '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`], dir);
  return load(dir, name);
}

function load(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
