import { nodeFs } from '../node-fs.ts';
import path from 'node:path';
import { basicAuthorization } from '../http/basic-authorization.ts';
import {
  fixedCredentials,
  noCredentials,
  withoutTrailingSlashes,
  type ClusterAccess,
  type Credentials,
  type TlsSettings,
} from './cluster-access.ts';
import { clientNodeCredentials } from './client-node-credentials.ts';
import { TokenFileCredentials } from './token-file.ts';

/** One parsed kubeconfig file; `path` is where relative paths inside it start from. */
export interface KubeconfigDocument {
  readonly path: string;
  readonly value: unknown;
}

/** A named entry of a kubeconfig list, with the directory of the file it came from. */
interface Entry {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly dir: string;
  readonly file: string;
}

/**
 * The access a kubeconfig's current context gives, as kubectl reads it.
 *
 * Several files merge as kubectl merges KUBECONFIG: the first file that
 * names a cluster, user or context wins, and so does the first
 * `current-context`. Relative paths are relative to the file that holds them.
 *
 * Read here: clusters (`server`, `certificate-authority` / `-data`,
 * `insecure-skip-tls-verify`, `tls-server-name`, `proxy-url` over http://),
 * users (`client-certificate` / `-data`, `client-key` / `-data`, `token`,
 * `tokenFile` re-read as it rotates, `username` / `password`), contexts
 * (`cluster`, `user`, `namespace`). A user with `exec` or `auth-provider` gets
 * its headers from @kubernetes/client-node, imported only then. Impersonation
 * (`as`, `as-groups`, …) is refused rather than ignored, since ignoring it
 * would act with more rights than the kubeconfig asks for.
 *
 * `contextName`, when given, is used instead of the current-context (kubectl's --context).
 *
 * Throws an Error naming the file and field for anything it cannot use.
 */
export async function accessFromKubeconfig(
  documents: readonly KubeconfigDocument[],
  contextName?: string,
): Promise<ClusterAccess> {
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, Entry>();
  let currentContext = contextName === '' ? undefined : contextName;
  for (const doc of documents) {
    const root = asRecord(doc.value ?? {}, doc.path, 'the document');
    collect(root, 'clusters', 'cluster', doc.path, clusters);
    collect(root, 'users', 'user', doc.path, users);
    collect(root, 'contexts', 'context', doc.path, contexts);
    const current = optionalString(root, 'current-context', doc.path);
    if (currentContext === undefined && current !== undefined && current !== '') currentContext = current;
  }
  const files = documents.map((d) => d.path).join(', ');
  if (currentContext === undefined) throw new Error(`kubeconfig ${files} has no current-context`);
  const context = contexts.get(currentContext);
  if (context === undefined)
    throw new Error(
      `kubeconfig ${files}: ${currentContext === contextName ? 'context' : 'current-context'} "${currentContext}" is not among its contexts`,
    );
  const contextWhere = `${context.file} context "${currentContext}"`;
  const clusterName = requiredString(context.fields, 'cluster', contextWhere);
  const cluster = clusters.get(clusterName);
  if (cluster === undefined)
    throw new Error(
      `kubeconfig ${files}: context "${currentContext}" names cluster "${clusterName}", which is not there`,
    );
  const userName = optionalString(context.fields, 'user', contextWhere);
  const user = userName === undefined || userName === '' ? undefined : users.get(userName);
  if (userName !== undefined && userName !== '' && user === undefined) {
    throw new Error(`kubeconfig ${files}: context "${currentContext}" names user "${userName}", which is not there`);
  }

  const where = `${cluster.file} cluster "${clusterName}"`;
  const server = serverUrl(requiredString(cluster.fields, 'server', where), where);
  const userWhere = user === undefined ? '' : `${user.file} user "${userName ?? ''}"`;
  const tls = tlsSettings(cluster, user, where, userWhere);
  const namespace = optionalString(context.fields, 'namespace', contextWhere);
  return {
    server,
    tls,
    proxyUrl: proxyUrl(optionalString(cluster.fields, 'proxy-url', where), where),
    namespace: namespace === '' ? undefined : namespace,
    credentials: user === undefined ? noCredentials : await userCredentials(user, userWhere, server),
  };
}

function collect(
  root: Readonly<Record<string, unknown>>,
  list: string,
  inner: string,
  file: string,
  into: Map<string, Entry>,
): void {
  const items = root[list];
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) throw new Error(`kubeconfig ${file}: ${list} is not a list`);
  const dir = path.dirname(path.resolve(file));
  for (const [i, item] of (items as unknown[]).entries()) {
    const named = asRecord(item, file, `${list}[${i}]`);
    const name = requiredString(named, 'name', `${file} ${list}[${i}]`);
    if (into.has(name)) continue;
    into.set(name, { fields: asRecord(named[inner] ?? {}, file, `${list}[${i}].${inner}`), dir, file });
  }
}

function serverUrl(raw: string, where: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${where}: server is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`${where}: server has scheme ${url.protocol} (allowed: https, http)`);
  if (url.username !== '' || url.password !== '')
    throw new Error(`${where}: server must not hold credentials; put them in the user`);
  if (url.search !== '' || url.hash !== '') throw new Error(`${where}: server must not have a query or fragment`);
  return withoutTrailingSlashes(url.href);
}

function proxyUrl(raw: string | undefined, where: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${where}: proxy-url is not an absolute URL`);
  }
  if (url.protocol !== 'http:') throw new Error(`${where}: proxy-url has scheme ${url.protocol} (supported: http)`);
  return url.href;
}

function tlsSettings(cluster: Entry, user: Entry | undefined, clusterWhere: string, userWhere: string): TlsSettings {
  const insecure = optionalBoolean(cluster.fields, 'insecure-skip-tls-verify', clusterWhere) ?? false;
  const ca = pem(cluster, 'certificate-authority', clusterWhere);
  if (insecure && ca !== undefined) {
    throw new Error(
      `${clusterWhere}: certificate-authority and insecure-skip-tls-verify exclude each other (as in kubectl)`,
    );
  }
  const clientCertificate = user === undefined ? undefined : pem(user, 'client-certificate', userWhere);
  const clientKey = user === undefined ? undefined : pem(user, 'client-key', userWhere);
  if ((clientCertificate === undefined) !== (clientKey === undefined)) {
    throw new Error(`${userWhere}: client-certificate and client-key go together`);
  }
  const serverName = optionalString(cluster.fields, 'tls-server-name', clusterWhere);
  return {
    ca,
    clientCertificate,
    clientKey,
    insecureSkipTlsVerify: insecure,
    serverName: serverName === '' ? undefined : serverName,
  };
}

/** `<field>-data` (base64 PEM) wins over `<field>` (a file path), as in kubectl. */
function pem(entry: Entry, field: string, where: string): string | undefined {
  const data = optionalString(entry.fields, `${field}-data`, where);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = optionalString(entry.fields, field, where);
  if (file === undefined || file === '') return undefined;
  return readText(path.resolve(entry.dir, file), `${where}: ${field}`);
}

const impersonationFields = ['as', 'as-uid', 'as-groups', 'as-user-extra'];

async function userCredentials(user: Entry, where: string, server: string): Promise<Credentials> {
  const fields = user.fields;
  for (const field of impersonationFields) {
    if (fields[field] !== undefined && fields[field] !== null)
      throw new Error(`${where}: ${field} (impersonation) is not supported`);
  }
  if (fields.exec !== undefined || fields['auth-provider'] !== undefined) {
    return clientNodeCredentials(server, fields);
  }
  const token = optionalString(fields, 'token', where);
  const tokenFile = optionalString(fields, 'tokenFile', where);
  const username = optionalString(fields, 'username', where);
  const password = optionalString(fields, 'password', where);
  const hasToken = (token !== undefined && token !== '') || (tokenFile !== undefined && tokenFile !== '');
  const hasBasic = (username !== undefined && username !== '') || (password !== undefined && password !== '');
  if (hasToken && hasBasic)
    throw new Error(`${where}: a token and username/password exclude each other (as in kubectl)`);
  // As in client-go, a token file is what counts once it can be read; the inline token is not a fallback for it.
  if (tokenFile !== undefined && tokenFile !== '') return new TokenFileCredentials(path.resolve(user.dir, tokenFile));
  if (token !== undefined && token !== '') return fixedCredentials({ Authorization: `Bearer ${token}` });
  if (hasBasic) return fixedCredentials({ Authorization: basicAuthorization(username ?? '', password ?? '') });
  return noCredentials;
}

function readText(file: string, what: string): string {
  try {
    return nodeFs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${what} ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

function asRecord(value: unknown, file: string, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`kubeconfig ${file}: ${what} is not a mapping`);
  return value as Record<string, unknown>;
}

function optionalString(fields: Readonly<Record<string, unknown>>, key: string, where: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: ${key} is not a string`);
  return value;
}

function requiredString(fields: Readonly<Record<string, unknown>>, key: string, where: string): string {
  const value = optionalString(fields, key, where);
  if (value === undefined || value === '') throw new Error(`${where}: ${key} is missing`);
  return value;
}

function optionalBoolean(fields: Readonly<Record<string, unknown>>, key: string, where: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Error(`${where}: ${key} is not true or false`);
  return value;
}
