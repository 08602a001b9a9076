import { keyDigests } from '../config/key-digests.ts';
import { HELM_RELEASE_SECRETS } from '../config/config-lists.ts';
import { ApiClient } from '../kube/api-client.ts';
import { isNotFound } from '../kube/api-error.ts';
import { asRecord, stringMap } from '../kube/json-shape.ts';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import { OptionsError } from '../options/options-error.ts';
import type { RunOptions } from '../options/run-options.ts';
import { NameListCompiler } from '../reload/name-list.ts';
import { controllerSettings } from '../run-settings.ts';
import { workloadKey } from '../model/workload-key.ts';
import { WORKLOAD_KINDS } from '../model/workload-kind.ts';
import { decisionOptions, type DecisionSource } from './decision-flags.ts';
import { EXPLAIN_USAGE, parseExplainArgs, type ExplainedConfigKind, type ExplainRequest } from './explain-args.ts';
import { explainForConfig, explainWorkload, type ExplainContext } from './explanation.ts';
import { controllerFlags } from './from-deployment.ts';
import { lastRoll } from './last-roll.ts';
import { readNamespace, type NamespaceSnapshot } from './namespace-snapshot.ts';
import { renderJson, renderTable, type ConfigSummary, type ExplainReport } from './render.ts';

/** Where explain writes, and the environment it reads KUBECONFIG from. */
export interface ExplainIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A bad argument, or an object that does not exist: exit status 2. */
class NotThere extends Error {}

/**
 * `mini-reloader explain`: reads one namespace once with the user's
 * kubeconfig, decides for its workloads as the controller would, and prints
 * the reasons. Read-only. Returns the exit status: 0, or 2 for a bad
 * argument or an object that does not exist (the message names it).
 */
export async function explainCommand(argv: readonly string[], io: ExplainIo): Promise<number> {
  let request: ExplainRequest | null;
  try {
    request = parseExplainArgs(argv);
    // The command line's flags are checked before the cluster is asked anything.
    if (request !== null) decisionOptions({ argv: [], env: {} }, request.runFlags);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    io.err(`mini-reloader explain: ${err.message}\n`);
    return 2;
  }
  if (request === null) {
    io.out(`${EXPLAIN_USAGE}\n`);
    return 0;
  }
  const access = await loadKubeConfig(request.kubeconfig ?? io.env.KUBECONFIG, {
    ...(request.context === undefined ? {} : { context: request.context }),
  });
  const client = new ApiClient(access);
  try {
    const report = await explain(client, request, request.namespace ?? access.namespace ?? 'default');
    io.out(request.output === 'json' ? renderJson(report) : renderTable(report));
    return 0;
  } catch (err) {
    if (!(err instanceof OptionsError || err instanceof NotThere)) throw err;
    io.err(`mini-reloader explain: ${err.message}\n`);
    return 2;
  } finally {
    client.close();
  }
}

async function explain(client: ApiClient, request: ExplainRequest, namespace: string): Promise<ExplainReport> {
  const options = decisionOptions(await baseFlags(client, request), request.runFlags);
  const settings = controllerSettings(options);
  const snapshot = await readNamespace(client, namespace, settings);
  const nameLists = new NameListCompiler();
  await nameLists.load();
  const context: ExplainContext = {
    view: {
      get: (kind, name) => snapshot.configs.get(kind, namespace, name),
      names: (kind) => snapshot.configs.names(kind, namespace),
      formerUid: () => undefined,
      namespace: snapshot.holds,
    },
    settings: { ...settings.reconcile, nameLists },
    now: Date.now(),
    scope: snapshot.scope,
    ignoredWorkloadKinds: settings.ignoredWorkloadKinds,
    enabledLabel: settings.enabledLabel,
  };
  const { target, key } = request;
  const keyField = key === undefined ? {} : { key };
  if (!target.config) {
    const workload = snapshot.workloads.get(workloadKey(target.kind, namespace, target.name));
    if (workload === undefined)
      throw new NotThere(`${target.kind.toLowerCase()} ${namespace}/${target.name} not found`);
    const explained = explainWorkload(workload, context, key);
    return {
      ...keyField,
      workloads: [{ ...explained, lastRoll: (await lastRoll(client, target.kind, namespace, target.name)) ?? null }],
      warnings: snapshot.warnings,
    };
  }
  const config = await configSummary(client, snapshot, options, target.kind, target.name);
  const question = { kind: target.kind, name: target.name, key };
  const related = new Set([
    ...snapshot.workloads.referencing(target.kind, namespace, target.name),
    ...snapshot.workloads.naming(target.kind, namespace),
  ]);
  const order = (k: string): number => WORKLOAD_KINDS.findIndex((info) => k.startsWith(`${info.kind}/`));
  const workloads = [...related]
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((k) => {
      const workload = snapshot.workloads.get(k);
      const explained = workload === undefined ? undefined : explainForConfig(workload, context, question);
      return explained === undefined ? [] : [explained];
    });
  return { config, ...keyField, workloads, warnings: snapshot.warnings };
}

async function baseFlags(client: ApiClient, request: ExplainRequest): Promise<DecisionSource> {
  const from = request.fromDeployment;
  if (from === undefined) return { argv: [], env: {} };
  try {
    return await controllerFlags(client, from.namespace, from.name);
  } catch (err) {
    if (isNotFound(err)) throw new NotThere(`--from-deployment: deployment ${from.namespace}/${from.name} not found`);
    throw err;
  }
}

/**
 * The config's key names. One the controller does not watch (a label
 * selector or the Helm release filter leaves it out) is read once on its
 * own, to name its keys and say why: its values are digested and dropped as
 * the cache does it.
 */
async function configSummary(
  client: ApiClient,
  snapshot: NamespaceSnapshot,
  options: RunOptions,
  kind: ExplainedConfigKind,
  name: string,
): Promise<ConfigSummary> {
  const { namespace } = snapshot;
  const cached = snapshot.configs.get(kind, namespace, name);
  if (cached !== undefined) return { kind, namespace, name, keys: [...cached.digests.keys()].sort(), unwatched: null };
  let object: Readonly<Record<string, unknown>> | undefined;
  try {
    object = asRecord(
      await client.json({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind === 'ConfigMap' ? 'configmaps' : 'secrets'}/${encodeURIComponent(name)}`,
        sensitive: kind === 'Secret',
      }),
    );
  } catch (err) {
    if (isNotFound(err)) throw new NotThere(`${kind.toLowerCase()} ${namespace}/${name} not found`);
    throw err;
  }
  const keys = [...keyDigests(kind, object).keys()].sort();
  const why = options.resourcesToIgnore.includes(kind)
    ? `${kind}s are ignored (--resources-to-ignore)`
    : kind === 'Secret' && object?.type === HELM_RELEASE_SECRETS.slice('type!='.length)
      ? 'a Helm release Secret'
      : options.resourceLabelSelector !== undefined
        ? `its labels ${JSON.stringify(stringMap(asRecord(object?.metadata)?.labels))} do not match --resource-label-selector ${options.resourceLabelSelector}`
        : 'it cannot be read';
  return { kind, namespace, name, keys, unwatched: why };
}
