/**
 * Everything the API client needs to reach one API server: where it is, how
 * to trust it, how to get there, and who to be. Built by the kubeconfig
 * loader (a kubeconfig file or the in-cluster service account).
 */
export interface ClusterAccess {
  /** The API server's base URL, possibly with a path prefix; never holds credentials. */
  readonly server: string;
  readonly tls: TlsSettings;
  /** An http:// proxy every request goes through (kubeconfig `proxy-url`). */
  readonly proxyUrl: string | undefined;
  /** The namespace of the context (or of the in-cluster service account), when one is set. */
  readonly namespace: string | undefined;
  readonly credentials: Credentials;
}

/** TLS settings for the API server; PEM contents, never paths. */
export interface TlsSettings {
  /** Trusted CA certificates; Node's default roots when undefined. */
  readonly ca: string | undefined;
  readonly clientCertificate: string | undefined;
  readonly clientKey: string | undefined;
  /** kubeconfig `insecure-skip-tls-verify`: the server's certificate is not checked. */
  readonly insecureSkipTlsVerify: boolean;
  /** kubeconfig `tls-server-name`: the name the certificate is checked against (and sent as SNI). */
  readonly serverName: string | undefined;
}

/**
 * Request headers that prove who the client is, asked for on every request
 * so that rotating credentials (token files, exec plugins) are picked up. A
 * rejection means no request can be made now.
 */
export interface Credentials {
  headers(): Promise<Readonly<Record<string, string>>>;
  /** The server refused the last headers (401): the next `headers()` reads its source again. */
  refresh?(): void;
}

/** Credentials that send nothing: client certificates alone, or an open server. */
export const noCredentials: Credentials = { headers: () => Promise.resolve({}) };

/** A fixed header set, e.g. a bearer token or basic auth from the kubeconfig. */
export function fixedCredentials(headers: Readonly<Record<string, string>>): Credentials {
  return { headers: () => Promise.resolve(headers) };
}

/** `text` without the slashes it ends with; a loop, since `/\/+$/` is quadratic on a run of slashes. */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}
