import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway TLS certificate for `localhost` and 127.0.0.1, valid one day, for HTTPS tests. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM: the CA a client trusts. */
  readonly cert: Buffer;
  /** Removes the files. */
  remove(): void;
}

/** Makes a self-signed RSA certificate with `openssl` in a fresh temporary folder. */
export function selfSignedCertificate(prefix = 'tls-'): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
