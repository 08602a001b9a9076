import os from 'node:os';
import path from 'node:path';
import { nodeFs, readTextFile } from '../node-fs.ts';
import type { ClusterAccess } from './cluster-access.ts';
import { inClusterAccess, runsInCluster } from './in-cluster.ts';
import { accessFromKubeconfig, type KubeconfigDocument } from './kubeconfig-file.ts';

/** Where to look; the defaults are the process's own. */
export interface KubeconfigSources {
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
  /** The in-cluster service-account directory. */
  readonly serviceAccountDir?: string;
  /** The kubeconfig context to use instead of its current-context (kubectl's --context). */
  readonly context?: string;
}

/**
 * Loads credentials in kubectl's order: an explicit path (`--kubeconfig` or
 * KUBECONFIG, which may list several files joined by the path delimiter, as
 * kubectl merges them; missing ones are skipped unless none exists), then
 * ~/.kube/config, then the in-cluster service account.
 *
 * The YAML parser is imported only when a file that is not JSON is read, so
 * the in-cluster path never loads it.
 */
export async function loadKubeConfig(
  explicitPath: string | undefined,
  sources: KubeconfigSources = {},
): Promise<ClusterAccess> {
  const env = sources.env ?? process.env;
  if (explicitPath !== undefined && explicitPath !== '') {
    const files = explicitPath.split(path.delimiter).filter((f) => f !== '');
    const present = files.filter((f) => nodeFs.existsSync(f));
    if (present.length === 0) throw new Error(`kubeconfig ${files.join(path.delimiter)} does not exist`);
    return accessFromKubeconfig(await readDocuments(present), sources.context);
  }
  const home = path.join(sources.homeDir ?? os.homedir(), '.kube', 'config');
  if (nodeFs.existsSync(home)) return accessFromKubeconfig(await readDocuments([home]), sources.context);
  if (!runsInCluster(env)) {
    throw new Error('no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a cluster');
  }
  return inClusterAccess(env, sources.serviceAccountDir);
}

async function readDocuments(files: readonly string[]): Promise<KubeconfigDocument[]> {
  const documents: KubeconfigDocument[] = [];
  for (const file of files) {
    const text = await readTextFile(file);
    documents.push({ path: file, value: asJson(text) ?? (await asYaml(text, file)) });
  }
  return documents;
}

/**
 * A kubeconfig written as JSON (kubectl reads those too) needs no YAML
 * parser: JSON.parse is Node's own, while loading js-yaml adds about 0.6 MiB
 * to the controller's steady RSS (measured at the benchmark's small scale,
 * whose kubeconfig is JSON). Text that only starts like JSON, such as a YAML
 * flow mapping, is left to the YAML parser.
 */
function asJson(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Its message quotes the text, which holds credentials; the YAML parser says where instead.
    return undefined;
  }
}

async function asYaml(text: string, file: string): Promise<unknown> {
  // js-yaml rather than the yaml package the tools use: it parses the same YAML 1.2 core schema, and costs 0.9 MiB of RSS to load where yaml costs 2.3 (measured).
  const { load, YAMLException } = await import('js-yaml');
  try {
    return load(text);
  } catch (err) {
    // The parser's message quotes the text, which holds credentials: only the position is kept.
    const at = err instanceof YAMLException ? err.mark : undefined;
    // eslint-disable-next-line preserve-caught-error -- the cause would quote the text
    throw new Error(
      `kubeconfig ${file} is not valid YAML${at === undefined ? '' : ` (line ${at.line + 1}, column ${at.column + 1})`}`,
    );
  }
}
