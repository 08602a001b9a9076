import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM files of a throwaway CA, a server certificate it signed, and a client certificate it signed. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** The client certificate's common name. */
  readonly clientName: string;
  /** The server certificate's names besides 127.0.0.1 and localhost. */
  readonly serverAltName: string;
  remove(): void;
}

/**
 * Makes a fresh CA and certificates with the `openssl` CLI (P-256 keys, valid
 * one day) in a temporary directory; `remove()` deletes it. Throws when
 * openssl is missing: the tests that need certificates must not pass without them.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'test-pki-'));
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = (name: string): void => {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  };
  const sign = (name: string, subject: string, extensions: string): void => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    );
  };
  const serverAltName = 'api.internal.test';
  const clientName = 'test-client';
  key('ca.key');
  openssl('req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/CN=test-ca', '-days', '1', '-out', file('ca.crt'));
  sign(
    'server',
    '/CN=test-server',
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${serverAltName}\nextendedKeyUsage=serverAuth\n`,
  );
  sign('client', `/CN=${clientName}`, 'extendedKeyUsage=clientAuth\n');
  const read = (name: string): string => readFileSync(file(name), 'utf8');
  return {
    dir,
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    clientName,
    serverAltName,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
