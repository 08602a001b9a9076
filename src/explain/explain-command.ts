import type { ConfigView } from '../reload/decision.ts';
import { WaveViews } from '../reload/wave-views.ts';
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
import { declaredKindId, type DeclaredWorkloadKind } from '../model/declared-kind.ts';
import { workloadKey } from '../model/workload-key.ts';
import { kindInfo, WORKLOAD_KINDS, type WorkloadKind } from '../model/workload-kind.ts';
import { decisionOptions, type DecisionSource } from './decision-flags.ts';
import {
  declaredTarget,
  EXPLAIN_USAGE,
  parseExplainArgs,
  type ExplainedConfigKind,
  type ExplainRequest,
} from './explain-args.ts';
import { explainForConfig, explainWorkload, rfc3339Seconds, type ExplainContext } from './explanation.ts';
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
    if (request !== null) {
      const options = decisionOptions({ argv: [], env: {} }, request.runFlags);
      const declared = options.workloadKinds;
      // Without --from-deployment, a type no declared kind can name is refused at once (a plural once discovery tells it).
      if (
        request.target.kind === undefined &&
        request.fromDeployment === undefined &&
        declared.every((k) => k.resource !== undefined)
      )
        declaredTarget(request.target.type, declared);
    }
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
  const noFacts = { uses: [], recordWrittenAt: undefined };
  const view: ConfigView = {
    get: (kind, name) => snapshot.configs.get(kind, namespace, name),
    names: (kind) => snapshot.configs.names(kind, namespace),
    // What the controller saw deleted lives in its memory only; explain answers as a controller that saw nothing.
    formerUid: () => undefined,
    namespace: snapshot.holds,
  };
  const decideSettings = { ...settings.reconcile, nameLists };
  const waves = new WaveViews({
    workloads: snapshot.workloads,
    configs: snapshot.configs,
    defaults: { ends: settings.reconcile.rolloutWaves, timeoutMs: settings.reconcile.waveTimeoutMs },
  });
  const context: ExplainContext = {
    view: { ...view, waves: waves.waves(namespace, view, decideSettings) },
    settings: decideSettings,
    now: Date.now(),
    scope: snapshot.scope,
    ignoredWorkloadKinds: settings.ignoredWorkloadKinds,
    enabledLabel: settings.enabledLabel,
    facts: (workload) => {
      const own = snapshot.facts.get(workloadKey(workload.kind, namespace, workload.name)) ?? noFacts;
      if (workload.workloadRef === undefined) return own;
      // A Rollout with spec.workloadRef runs the Deployment's pod template.
      const template = snapshot.facts.get(workloadKey('Deployment', namespace, workload.workloadRef)) ?? noFacts;
      return { ...own, uses: template.uses };
    },
    createdAt: (kind, name) => (kind === 'SecretProviderClass' ? undefined : snapshot.created[kind].get(name)),
  };
  const { target, key } = request;
  const keyField = key === undefined ? {} : { key };
  if (!target.config) {
    const kind: WorkloadKind = target.kind ?? declaredKindOf(target.type, snapshot, settings.declaredKinds);
    const workload = snapshot.workloads.get(workloadKey(kind, namespace, target.name));
    if (workload === undefined)
      throw new NotThere(`${(kindInfo(kind).objectKind ?? kind).toLowerCase()} ${namespace}/${target.name} not found`);
    const explained = explainWorkload(workload, context, key);
    const { recordWrittenAt } = context.facts(workload);
    return {
      ...keyField,
      workloads: [
        {
          ...explained,
          lastRoll: (await lastRoll(client, kind, namespace, target.name)) ?? null,
          recordWrittenAt: recordWrittenAt === undefined ? null : rfc3339Seconds(recordWrittenAt),
        },
      ],
      warnings: snapshot.warnings,
    };
  }
  const config = await configSummary(client, snapshot, options, target.kind, target.name);
  const question = { kind: target.kind, name: target.name, key };
  const related = new Set([
    ...snapshot.workloads.referencing(target.kind, namespace, target.name),
    ...snapshot.workloads.naming(target.kind, namespace),
  ]);
  const kinds = [...WORKLOAD_KINDS, ...snapshot.declaredKinds.map((d) => d.info)];
  const order = (k: string): number => kinds.findIndex((info) => k.startsWith(`${info.kind}/`));
  const workloads = [...related]
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((k) => {
      const workload = snapshot.workloads.get(k);
      const explained = workload === undefined ? undefined : explainForConfig(workload, context, question);
      return explained === undefined ? [] : [explained];
    });
  return { config, ...keyField, workloads, warnings: snapshot.warnings };
}

/** The declared kind a type names; one that discovery did not find served is named with the reason. */
function declaredKindOf(
  type: string,
  snapshot: NamespaceSnapshot,
  declared: readonly DeclaredWorkloadKind[],
): WorkloadKind {
  try {
    return declaredTarget(type, snapshot.declaredKinds).info.kind;
  } catch (err) {
    const unserved = declared.filter((k) => !snapshot.declaredKinds.some((s) => s.info.kind === declaredKindId(k)));
    let named: DeclaredWorkloadKind;
    try {
      named = declaredTarget(type, unserved);
    } catch {
      throw err;
    }
    const why = snapshot.warnings.find((w) => w.includes(declaredKindId(named))) ?? 'it is not served';
    throw new NotThere(`${type}: ${why}`);
  }
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
