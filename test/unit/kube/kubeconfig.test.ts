import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { ApiClient } from '../../../src/kube/api-client.ts';
import { ApiError } from '../../../src/kube/api-error.ts';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.ts';
import { forwardProxy } from '../../support/http-receivers.ts';
import { createTestPki, type TestPki } from '../../support/test-pki.ts';

/** What the HTTPS server saw of one request. */
interface Seen {
  readonly authorization: string | null;
  /** The verified client certificate's common name, or null. */
  readonly client: string | null;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('loadKubeConfig, against an HTTPS server', () => {
  let pki: TestPki;
  let server: Server;
  let url: string;
  let port: number;
  let dir: string;

  before(async () => {
    pki = createTestPki();
    server = createServer(
      { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const seen: Seen = {
          authorization: req.headers.authorization ?? null,
          client: socket.authorized ? String(socket.getPeerCertificate().subject.CN) : null,
        };
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(seen));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `https://127.0.0.1:${port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-test-'));
    writeFileSync(path.join(dir, 'ca.crt'), pki.caCert);
    writeFileSync(path.join(dir, 'client.crt'), pki.clientCert);
    writeFileSync(path.join(dir, 'client.key'), pki.clientKey);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    pki.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A one-context kubeconfig for the test server. */
  const kubeconfigDocument = (
    cluster: Record<string, unknown>,
    user: Record<string, unknown>,
    namespace?: string,
  ): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: url, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [
      { name: 'ctx', context: { cluster: 'c', user: 'u', ...(namespace === undefined ? {} : { namespace }) } },
    ],
    'current-context': 'ctx',
  });

  /** Writes a one-context kubeconfig as YAML and returns its path. */
  const kubeconfig = (
    name: string,
    cluster: Record<string, unknown>,
    user: Record<string, unknown>,
    namespace?: string,
  ): string => {
    const file = path.join(dir, name);
    writeFileSync(file, stringify(kubeconfigDocument(cluster, user, namespace)));
    return file;
  };

  const seenWith = async (file: string): Promise<Seen> => {
    const client = new ApiClient(await loadKubeConfig(file));
    try {
      return await client.json<Seen>({ method: 'GET', path: '/api' });
    } finally {
      client.close();
    }
  };

  test('client certificate and key files, and a CA file, all relative to the kubeconfig', async () => {
    const file = kubeconfig(
      'cert-files',
      { 'certificate-authority': 'ca.crt' },
      { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    );
    assert.deepEqual(await seenWith(file), { authorization: null, client: pki.clientName });
  });

  test('client certificate, key and CA given as data', async () => {
    const file = kubeconfig(
      'cert-data',
      { 'certificate-authority-data': base64(pki.caCert) },
      { 'client-certificate-data': base64(pki.clientCert), 'client-key-data': base64(pki.clientKey) },
    );
    assert.deepEqual(await seenWith(file), { authorization: null, client: pki.clientName });
  });

  test('a token is sent as a bearer token, and the context namespace is kept', async () => {
    const file = kubeconfig(
      'token',
      { 'certificate-authority-data': base64(pki.caCert) },
      { token: 'tok-123' },
      'team-a',
    );
    assert.deepEqual(await seenWith(file), { authorization: 'Bearer tok-123', client: null });
    assert.equal((await loadKubeConfig(file)).namespace, 'team-a');
  });

  test('a kubeconfig written as JSON, or as a YAML flow mapping that is not JSON, reads the same', async () => {
    const document = kubeconfigDocument(
      { 'certificate-authority-data': base64(pki.caCert) },
      { token: 'tok-json' },
      'team-b',
    );
    const jsonFile = path.join(dir, 'as-json');
    writeFileSync(jsonFile, `\n  ${JSON.stringify(document, undefined, 2)}\n`);
    const flowFile = path.join(dir, 'as-flow');
    const flow = stringify(document, { collectionStyle: 'flow' }).replace(/"/g, '');
    writeFileSync(flowFile, flow);
    assert.throws(() => JSON.parse(flow) as unknown);
    for (const file of [jsonFile, flowFile]) {
      assert.deepEqual(await seenWith(file), { authorization: 'Bearer tok-json', client: null });
      assert.equal((await loadKubeConfig(file)).namespace, 'team-b');
    }
  });

  test('a token file is read (relative to the kubeconfig) and wins over an inline token', async () => {
    writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const file = kubeconfig(
      'token-file',
      { 'certificate-authority': 'ca.crt' },
      { tokenFile: 'token', token: 'inline' },
    );
    assert.deepEqual(await seenWith(file), { authorization: 'Bearer from-file', client: null });
  });

  test('username and password are sent as basic auth', async () => {
    const file = kubeconfig('basic', { 'certificate-authority': 'ca.crt' }, { username: 'admin', password: 'pä:ss' });
    assert.deepEqual(await seenWith(file), { authorization: `Basic ${base64('admin:pä:ss')}`, client: null });
  });

  test('without the CA the server is not trusted; insecure-skip-tls-verify trusts it anyway', async () => {
    const untrusted = kubeconfig('no-ca', {}, { token: 't' });
    const err = await seenWith(untrusted).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.statusCode, 0);
    assert.match(err.message, /certificate/);
    const insecure = kubeconfig('insecure', { 'insecure-skip-tls-verify': true }, { token: 't' });
    assert.deepEqual(await seenWith(insecure), { authorization: 'Bearer t', client: null });
  });

  test('tls-server-name is the name the certificate is checked against', async () => {
    const right = kubeconfig(
      'sni-right',
      { 'certificate-authority': 'ca.crt', 'tls-server-name': pki.serverAltName },
      { token: 't' },
    );
    assert.deepEqual(await seenWith(right), { authorization: 'Bearer t', client: null });
    const wrong = kubeconfig(
      'sni-wrong',
      { 'certificate-authority': 'ca.crt', 'tls-server-name': 'elsewhere.test' },
      { token: 't' },
    );
    const err = await seenWith(wrong).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.match(err.message, /elsewhere\.test/);
  });

  test('proxy-url tunnels the requests through an HTTP proxy', async (t) => {
    const proxy = await forwardProxy();
    t.after(() => proxy.close());
    const file = kubeconfig('proxied', { 'certificate-authority': 'ca.crt', 'proxy-url': proxy.url }, { token: 't' });
    assert.deepEqual(await seenWith(file), { authorization: 'Bearer t', client: null });
    assert.equal(proxy.used(), 1);
  });

  test('an exec credential plugin gets its token through @kubernetes/client-node', async () => {
    const plugin = path.join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-exec' } }));\n`,
    );
    const file = kubeconfig(
      'exec',
      { 'certificate-authority': 'ca.crt' },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      },
    );
    assert.deepEqual(await seenWith(file), { authorization: 'Bearer from-exec', client: null });
  });

  test('KUBECONFIG lists merge as kubectl merges them: the first file to name an entry wins', async () => {
    const first = path.join(dir, 'merge-first');
    writeFileSync(first, stringify({ users: [{ name: 'u', user: { token: 'first' } }], 'current-context': 'ctx' }));
    const second = kubeconfig('merge-second', { 'certificate-authority': 'ca.crt' }, { token: 'second' });
    const missing = path.join(dir, 'not-there');
    assert.deepEqual(await seenWith([missing, first, second].join(path.delimiter)), {
      authorization: 'Bearer first',
      client: null,
    });
  });

  test("a context other than the current one is used when named (kubectl's --context), and an unknown one is refused by name", async () => {
    const file = path.join(dir, 'two-contexts');
    writeFileSync(
      file,
      stringify({
        clusters: [{ name: 'c', cluster: { server: url, 'certificate-authority': 'ca.crt' } }],
        users: [
          { name: 'u', user: { token: 'current' } },
          { name: 'v', user: { token: 'other' } },
        ],
        contexts: [
          { name: 'ctx', context: { cluster: 'c', user: 'u' } },
          { name: 'other', context: { cluster: 'c', user: 'v', namespace: 'team-b' } },
        ],
        'current-context': 'ctx',
      }),
    );
    const access = await loadKubeConfig(file, { context: 'other' });
    assert.equal(access.namespace, 'team-b');
    const client = new ApiClient(access);
    try {
      assert.deepEqual(await client.json({ method: 'GET', path: '/' }), {
        authorization: 'Bearer other',
        client: null,
      });
    } finally {
      client.close();
    }
    await assert.rejects(loadKubeConfig(file, { context: 'nope' }), /context "nope" is not among its contexts/);
  });

  test('in-cluster: the service host and port, the mounted CA, token and namespace', async (t) => {
    const sa = path.join(dir, 'serviceaccount');
    mkdirSync(sa);
    writeFileSync(path.join(sa, 'ca.crt'), pki.caCert);
    writeFileSync(path.join(sa, 'token'), 'sa-token');
    writeFileSync(path.join(sa, 'namespace'), 'kube-tools');
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) };
    const access = await loadKubeConfig(undefined, { env, homeDir: path.join(dir, 'no-home'), serviceAccountDir: sa });
    assert.equal(access.server, url);
    assert.equal(access.namespace, 'kube-tools');
    const client = new ApiClient(access);
    t.after(() => {
      client.close();
    });
    assert.deepEqual(await client.json<Seen>({ method: 'GET', path: '/api' }), {
      authorization: 'Bearer sa-token',
      client: null,
    });
  });

  test("kubectl's order: an explicit path, then ~/.kube/config, then in-cluster", async () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    writeFileSync(
      path.join(home, '.kube', 'config'),
      stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://home.test:6443' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c' } }],
        'current-context': 'ctx',
      }),
    );
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const explicit = kubeconfig('explicit', { 'certificate-authority': 'ca.crt' }, {});
    assert.equal((await loadKubeConfig(explicit, { env, homeDir: home })).server, url);
    assert.equal((await loadKubeConfig(undefined, { env, homeDir: home })).server, 'https://home.test:6443');
    await assert.rejects(loadKubeConfig(undefined, { env: {}, homeDir: path.join(dir, 'nowhere') }), /no kubeconfig/);
    await assert.rejects(loadKubeConfig(path.join(dir, 'absent'), { env, homeDir: home }), /does not exist/);
  });

  test('what the loader cannot use is refused with the file and field named', async () => {
    const both = kubeconfig(
      'ca-and-insecure',
      { 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true },
      {},
    );
    await assert.rejects(loadKubeConfig(both), /certificate-authority and insecure-skip-tls-verify/);
    const impersonating = kubeconfig('as', { 'certificate-authority': 'ca.crt' }, { token: 't', as: 'admin' });
    await assert.rejects(loadKubeConfig(impersonating), /as \(impersonation\) is not supported/);
    const socks = kubeconfig('socks', { 'proxy-url': 'socks5://127.0.0.1:1080' }, {});
    await assert.rejects(loadKubeConfig(socks), /proxy-url has scheme socks5:/);
    const halfCert = kubeconfig('half', { 'certificate-authority': 'ca.crt' }, { 'client-certificate': 'client.crt' });
    await assert.rejects(loadKubeConfig(halfCert), /client-certificate and client-key go together/);
    const broken = path.join(dir, 'broken');
    writeFileSync(broken, 'users: [ { name: u, user: { token: hunter2 }\n');
    await assert.rejects(
      loadKubeConfig(broken),
      (err: unknown) =>
        err instanceof Error &&
        /not valid YAML \(line 2, column 1\)/.test(err.message) &&
        !err.message.includes('hunter2'),
    );
  });
});

/** The bare specifiers of the YAML parsers and client-node that one call of loadKubeConfig (`args` as JS source) imports, in a fresh process. */
function lazilyImported(args: string): string[] {
  const loader = new URL('../../../src/kube/kubeconfig.ts', import.meta.url).href;
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { loaded.push(specifier); return next(specifier, context); } });
    const { loadKubeConfig } = await import(${JSON.stringify(loader)});
    await loadKubeConfig(${args});
    console.log(JSON.stringify([...new Set(loaded.filter((s) => s === 'yaml' || s === 'js-yaml' || s.startsWith('@kubernetes/')))]));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as string[];
}

test('the in-cluster path and a JSON kubeconfig load neither a YAML parser nor @kubernetes/client-node; a YAML kubeconfig loads only the lighter parser', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'in-cluster-'));
  try {
    writeFileSync(path.join(dir, 'ca.crt'), 'not parsed by the loader');
    writeFileSync(path.join(dir, 'token'), 't');
    const document = {
      clusters: [{ name: 'c', cluster: { server: 'https://h.test' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    };
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, stringify(document));
    const env = JSON.stringify({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    assert.deepEqual(
      lazilyImported(
        `undefined, { env: ${env}, homeDir: ${JSON.stringify(dir)}, serviceAccountDir: ${JSON.stringify(dir)} }`,
      ),
      [],
    );
    assert.deepEqual(lazilyImported(JSON.stringify(file)), ['js-yaml']);
    const json = path.join(dir, 'kubeconfig.json');
    writeFileSync(json, JSON.stringify(document));
    assert.deepEqual(lazilyImported(JSON.stringify(json)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
