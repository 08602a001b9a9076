/**
 * Renders the Helm chart in deploy/helm/mini-reloader with `helm template`
 * (the helm binary from tools/helm/build.sh), offline, and parses the
 * manifests. Used by the chart's unit tests and by dry-runs against a real
 * API server.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART_DIR = path.join(REPO_ROOT, 'deploy', 'helm', 'mini-reloader');
export const RELEASE_NAME = 'mini-reloader';
export const DEFAULT_NAMESPACE = 'mini-reloader';

/** Values worth installing for real: each one a distinct shape of the chart. */
export const CHART_VALUE_COMBINATIONS: Readonly<Record<string, Record<string, unknown>>> = Object.freeze({
  defaults: {},
  namespaced: { watchNamespaces: ['team-a', 'team-b'] },
  ha: { ha: { enabled: true } },
  /** Needs the monitoring.coreos.com/v1 ServiceMonitor CRD installed. */
  metrics: {
    serviceMonitor: { enabled: true, labels: { release: 'prometheus' } },
    config: { metricsCountByNamespace: 'enabled' },
  },
  'strategy-env-vars': { config: { reloadStrategy: 'env-vars' } },
  'strategy-annotations': { config: { reloadStrategy: 'annotations' } },
});

let helmPath: Promise<string> | undefined;

/** The cached helm binary; builds it on first use (a cold build takes minutes, progress on stderr). */
export async function helmBinary(): Promise<string> {
  helmPath ??= new Promise<string>((resolve, reject) => {
    const build = spawn('bash', [path.join(REPO_ROOT, 'tools', 'helm', 'build.sh')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    build.stdout.setEncoding('utf8');
    build.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    build.on('error', reject);
    build.on('close', (code) => {
      const binary = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && binary !== '') resolve(binary);
      else reject(new Error(`tools/helm/build.sh failed (exit ${String(code)})`));
    });
  });
  return helmPath;
}

/**
 * `helm template mini-reloader deploy/helm/mini-reloader --namespace <ns> -f <values>`,
 * parsed: one object per manifest, in helm's order. Rejects with helm's error
 * (e.g. a `fail` in the chart, a schema violation) when rendering fails.
 */
export async function renderChart(options: {
  values?: Record<string, unknown>;
  namespace?: string;
}): Promise<object[]> {
  const helm = await helmBinary();
  const dir = await mkdtemp(path.join(tmpdir(), 'mini-reloader-helm-'));
  try {
    const valuesFile = path.join(dir, 'values.json');
    await writeFile(valuesFile, JSON.stringify(options.values ?? {}));
    const args = [
      'template',
      RELEASE_NAME,
      CHART_DIR,
      '--namespace',
      options.namespace ?? DEFAULT_NAMESPACE,
      '-f',
      valuesFile,
    ];
    let stdout: string;
    try {
      ({ stdout } = await execFileAsync(helm, args, { env: offlineEnv(dir), maxBuffer: 16 * 1024 * 1024 }));
    } catch (err) {
      const stderr = (err as { stderr?: unknown }).stderr;
      throw new Error(
        `helm template failed: ${typeof stderr === 'string' && stderr !== '' ? stderr.trim() : String(err)}`,
        { cause: err },
      );
    }
    return parseManifests(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Helm's state in a scratch dir, no kubeconfig, and a proxy that refuses: rendering never reaches the network. */
function offlineEnv(dir: string): NodeJS.ProcessEnv {
  const refuse = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    HELM_CACHE_HOME: path.join(dir, 'cache'),
    HELM_CONFIG_HOME: path.join(dir, 'config'),
    HELM_DATA_HOME: path.join(dir, 'data'),
    KUBECONFIG: path.join(dir, 'no-kubeconfig'),
    HTTP_PROXY: refuse,
    HTTPS_PROXY: refuse,
    NO_PROXY: '',
  };
}

/** A multi-document YAML stream as objects; empty documents are dropped. */
export function parseManifests(text: string): object[] {
  const objects: object[] = [];
  for (const doc of parseAllDocuments(text)) {
    const [error] = doc.errors;
    if (error !== undefined) throw new Error(`helm printed invalid YAML: ${error.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new Error(`helm printed a manifest that is not an object: ${JSON.stringify(value)}`);
    objects.push(value);
  }
  return objects;
}
