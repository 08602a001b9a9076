import { createHash } from 'node:crypto';
import type { ApiClient, ApiRequest } from '../kube/api-client.ts';
import { ApiError, isConflict } from '../kube/api-error.ts';
import { asRecord } from '../kube/json-shape.ts';
import { formatRecord, type ConfigRecord } from '../model/config-record.ts';
import { formatRollTimes, type RollTimes } from '../model/roll-times.ts';
import { workloadKey } from '../model/workload-key.ts';
import { kindInfo, workloadPath } from '../model/workload-kind.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { TemplateMark } from './reload-strategy.ts';

export interface WriterOptions {
  readonly fieldManager: string;
  readonly recordAnnotation: string;
  readonly pausedAtAnnotation: string;
  readonly rolledAtAnnotation: string;
  /** Start a Job from a CronJob's template when it rolls (never for a suspended CronJob). */
  readonly runCronJobs: boolean;
}

export interface Roll {
  readonly record: ConfigRecord;
  readonly mark: TemplateMark;
  /** The roll times with this roll's: written with it, as what gates and the loop breaker count survives a restart. */
  readonly rolledAt: RollTimes;
  /** Deployments with a pause period: keep it paused, since this ISO time. */
  readonly pausedAt?: string;
  /** Argo Rollouts with `rollout-strategy: restart`: set spec.restartAt instead of touching the template (kinds declared with a restart field always do). */
  readonly restart?: boolean;
}

/** What a roll did besides changing the workload. */
export interface RollEffects {
  /** A CronJob roll that started a Job: its name. */
  readonly startedJob?: string;
  /** Why no Job was started for a CronJob roll. */
  readonly jobNotStarted?: string;
}

type Json = Record<string, unknown>;

function withSignal(req: ApiRequest, signal: AbortSignal | undefined): ApiRequest {
  return signal === undefined ? req : { ...req, signal };
}

/**
 * Every write the controller makes to a workload, under one field manager so
 * GitOps tools can be told to ignore exactly that manager.
 *
 * - A roll is a server-side apply of the record (metadata) and the strategy's
 *   mark (pod template). An apply states every field the manager owns, so a
 *   mark of an earlier strategy is removed in the same write that sets the
 *   new one: switching strategies costs no extra rollout.
 * - Recording without a roll (adoption, a config created or deleted that does
 *   not roll) is a JSON merge patch of the record alone. It is an Update,
 *   tracked apart from our Apply, so it never drops the template mark.
 *
 * Each write carries the cached resourceVersion as a precondition: a write
 * decided on a stale cache fails with 409 and is retried once the cache has
 * caught up, instead of rolling twice. Every method takes the caller's
 * `signal`, which aborts its requests in flight (e.g. the moment leadership
 * is lost).
 */
export class WorkloadWriter {
  readonly #client: ApiClient;
  readonly #options: WriterOptions;
  /** Jobs deleted for recreation whose new copy is not created yet: retried from here, never lost to a failed create. */
  readonly #pendingJobs = new Map<string, Json>();

  constructor(client: ApiClient, options: WriterOptions) {
    this.#client = client;
    this.#options = options;
  }

  async #call<T>(req: ApiRequest, signal: AbortSignal | undefined): Promise<T> {
    return this.#client.json<T>(withSignal(req, signal));
  }

  /** Records what the pods see, with no rollout. */
  async record(workload: WorkloadRecord, record: ConfigRecord, signal?: AbortSignal): Promise<void> {
    await this.annotate(workload, { [this.#options.recordAnnotation]: formatRecord(record) }, signal);
  }

  /** Sets annotations of our own on the workload's metadata, with no rollout (a merge patch on its resourceVersion). */
  async annotate(
    workload: WorkloadRecord,
    annotations: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#mergePatch(workload, { metadata: { resourceVersion: workload.resourceVersion, annotations } }, signal);
  }

  /** Ends a pause period: the rollout of everything gathered starts now. */
  async resume(workload: WorkloadRecord, signal?: AbortSignal): Promise<void> {
    await this.#mergePatch(
      workload,
      {
        metadata: {
          resourceVersion: workload.resourceVersion,
          annotations: { [this.#options.pausedAtAnnotation]: null },
        },
        spec: { paused: false },
      },
      signal,
    );
  }

  async roll(workload: WorkloadRecord, roll: Roll, signal?: AbortSignal): Promise<RollEffects> {
    const restartField =
      kindInfo(workload.kind).restartField ??
      (workload.kind === 'Rollout' && (roll.restart === true || workload.workloadRef !== undefined)
        ? ROLLOUT_RESTART_AT
        : undefined);
    if (restartField !== undefined) {
      await this.#mergePatch(
        workload,
        {
          metadata: { resourceVersion: workload.resourceVersion, annotations: this.#recordAnnotations(roll) },
          ...nest(restartField, new Date().toISOString().replace(/\.\d+Z$/, 'Z')),
        },
        signal,
      );
      return {};
    }
    switch (workload.kind) {
      case 'Job':
        await this.#recreateJob(workload, roll, signal);
        return {};
      case 'CronJob':
        return this.#startJob(workload, roll, await this.#apply(workload, roll, signal), signal);
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
        await this.#apply(workload, roll, signal);
        return {};
      default:
        // Custom resources keep lists atomic under apply: env vars are merged into the containers read back.
        if (roll.mark.env.size > 0) {
          await this.#rollCustomResourceEnv(workload, roll, signal);
          return {};
        }
        await this.#apply(workload, roll, signal);
        return {};
    }
  }

  /** Finishes a Job recreation a failed create left behind; false when there is none. */
  async finishPending(key: string, signal?: AbortSignal): Promise<boolean> {
    const body = this.#pendingJobs.get(key);
    if (body === undefined) return false;
    await this.#createJob(key, body, signal);
    return true;
  }

  #recordAnnotations(roll: Roll): Json {
    return {
      [this.#options.recordAnnotation]: formatRecord(roll.record),
      [this.#options.rolledAtAnnotation]: formatRollTimes(roll.rolledAt),
      ...(roll.pausedAt === undefined ? {} : { [this.#options.pausedAtAnnotation]: roll.pausedAt }),
    };
  }

  async #apply(workload: WorkloadRecord, roll: Roll, signal: AbortSignal | undefined): Promise<Json> {
    const info = kindInfo(workload.kind);
    const spec: Json = nest(info.templatePath.slice(1), templatePatch(roll.mark));
    if (roll.pausedAt !== undefined) spec.paused = true;
    const body = {
      apiVersion: info.apiVersion,
      kind: info.objectKind ?? info.kind,
      metadata: {
        name: workload.name,
        namespace: workload.namespace,
        resourceVersion: workload.resourceVersion,
        annotations: this.#recordAnnotations(roll),
      },
      spec,
    };
    return this.#call<Json>(
      {
        method: 'PATCH',
        path: workloadPath(workload.kind, workload.namespace, workload.name),
        query: { fieldManager: this.#options.fieldManager, force: true },
        contentType: 'application/apply-patch+yaml',
        body,
      },
      signal,
    );
  }

  /** Its answer is never used: sent without parsing it. */
  async #mergePatch(workload: WorkloadRecord, patch: Json, signal: AbortSignal | undefined): Promise<void> {
    await this.#client.send(
      withSignal(
        {
          method: 'PATCH',
          path: workloadPath(workload.kind, workload.namespace, workload.name),
          query: { fieldManager: this.#options.fieldManager },
          contentType: 'application/merge-patch+json',
          body: patch,
        },
        signal,
      ),
    );
  }

  async #rollCustomResourceEnv(workload: WorkloadRecord, roll: Roll, signal: AbortSignal | undefined): Promise<void> {
    const { templatePath } = kindInfo(workload.kind);
    const current = await this.#call<Json>(
      { method: 'GET', path: workloadPath(workload.kind, workload.namespace, workload.name) },
      signal,
    );
    const containers = podSpecOf(current, templatePath)?.containers;
    const merged = Array.isArray(containers) ? containers.map((c) => withEnv(asRecord(c) ?? {}, roll.mark.env)) : [];
    const template = {
      ...(Object.keys(roll.mark.annotations).length > 0 ? { metadata: { annotations: roll.mark.annotations } } : {}),
      spec: { containers: merged },
    };
    await this.#mergePatch(
      workload,
      {
        metadata: { resourceVersion: workload.resourceVersion, annotations: this.#recordAnnotations(roll) },
        ...nest(templatePath, template),
      },
      signal,
    );
  }

  /**
   * A CronJob's future runs get the new template from the apply; like
   * Stakater, a run also starts at once, so the change shows without waiting
   * for the schedule. Never for a suspended CronJob (someone stopped it on
   * purpose), and never beside an active run when concurrency is forbidden.
   */
  async #startJob(
    workload: WorkloadRecord,
    roll: Roll,
    cronJob: Json,
    signal: AbortSignal | undefined,
  ): Promise<RollEffects> {
    if (!this.#options.runCronJobs) return { jobNotStarted: 'starting Jobs on a roll is turned off' };
    const spec = asRecord(cronJob.spec);
    if (spec?.suspend === true) return { jobNotStarted: 'the CronJob is suspended' };
    const active = asRecord(cronJob.status)?.active;
    if (spec?.concurrencyPolicy === 'Forbid' && Array.isArray(active) && active.length > 0)
      return { jobNotStarted: 'a run is active and concurrencyPolicy is Forbid' };
    const jobTemplate = asRecord(spec?.jobTemplate);
    // Named after the data it runs with, so a retried roll finds its Job instead of starting a second one.
    const name = `${workload.name.slice(0, 48)}-reload-${createHash('sha256').update(formatRecord(roll.record)).digest('hex').slice(0, 8)}`;
    const templateMeta = asRecord(jobTemplate?.metadata);
    const body = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: workload.namespace,
        labels: templateMeta?.labels ?? {},
        annotations: { ...asRecord(templateMeta?.annotations), 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: workload.name,
            uid: workload.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: jobTemplate?.spec ?? {},
    };
    try {
      await this.#call(
        {
          method: 'POST',
          path: `/apis/batch/v1/namespaces/${encodeURIComponent(workload.namespace)}/jobs`,
          query: { fieldManager: this.#options.fieldManager },
          body,
        },
        signal,
      );
    } catch (err) {
      // The same roll retried: its Job already exists.
      if (!(isConflict(err) && err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
    return { startedJob: name };
  }

  /**
   * A Job's pod template cannot change, so a roll deletes it and creates it
   * again with the mark, as Stakater does. The copy keeps the user's spec and
   * drops what the API server generated for the old one (its uid-based
   * selector and labels), so the new Job gets fresh ones.
   */
  async #recreateJob(workload: WorkloadRecord, roll: Roll, signal: AbortSignal | undefined): Promise<void> {
    const key = workloadKey(workload.kind, workload.namespace, workload.name);
    const path = workloadPath(workload.kind, workload.namespace, workload.name);
    const current = await this.#call<Json>({ method: 'GET', path }, signal);
    const meta = asRecord(current.metadata) ?? {};
    const spec = { ...asRecord(current.spec) };
    const template = asRecord(spec.template) ?? {};
    if (spec.manualSelector !== true) delete spec.selector;
    const templateMeta = { ...asRecord(template.metadata) };
    const labels = Object.fromEntries(
      Object.entries(asRecord(templateMeta.labels) ?? {}).filter(([k]) => !GENERATED_JOB_LABELS.has(k)),
    );
    const markAnnotations = { ...asRecord(templateMeta.annotations), ...roll.mark.annotations };
    const podSpec = { ...asRecord(template.spec) };
    if (roll.mark.env.size > 0 && Array.isArray(podSpec.containers))
      podSpec.containers = podSpec.containers.map((c) => withEnv(asRecord(c) ?? {}, roll.mark.env));
    spec.template = { ...template, metadata: { ...templateMeta, labels, annotations: markAnnotations }, spec: podSpec };
    const body: Json = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: workload.name,
        namespace: workload.namespace,
        labels: meta.labels ?? {},
        annotations: { ...asRecord(meta.annotations), ...this.#recordAnnotations(roll) },
        ...(meta.ownerReferences === undefined ? {} : { ownerReferences: meta.ownerReferences }),
      },
      spec,
    };
    await this.#call(
      {
        method: 'DELETE',
        path,
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: 'Background',
          preconditions: { uid: workload.uid, resourceVersion: workload.resourceVersion },
        },
      },
      signal,
    );
    this.#pendingJobs.set(key, body);
    await this.#createJob(key, body, signal);
  }

  async #createJob(key: string, body: Json, signal: AbortSignal | undefined): Promise<void> {
    const meta = asRecord(body.metadata) ?? {};
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
    // The old Job's name is free once the API server finished deleting it: usually at once.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#call(
          {
            method: 'POST',
            path: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
            query: { fieldManager: this.#options.fieldManager },
            body,
          },
          signal,
        );
        this.#pendingJobs.delete(key);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 10) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/** Where an Argo Rollout is told to restart its pods. */
const ROLLOUT_RESTART_AT = ['spec', 'restartAt'];

/** Labels the API server puts on a Job's pods from its uid and name: a copy must not carry the old ones. */
const GENERATED_JOB_LABELS = new Set([
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
]);

/** `{a: {b: value}}` for path [a, b]; a path has at least one field. */
function nest(path: readonly string[], value: unknown): Json {
  const [first, ...rest] = path;
  if (first === undefined) throw new Error('a field path names at least one field');
  return { [first]: rest.length === 0 ? value : nest(rest, value) };
}

function templatePatch(mark: TemplateMark): Json {
  const patch: Json = {};
  if (Object.keys(mark.annotations).length > 0) patch.metadata = { annotations: mark.annotations };
  if (mark.env.size > 0) patch.spec = { containers: [...mark.env].map(([name, env]) => ({ name, env })) };
  return patch;
}

function podSpecOf(obj: Json, templatePath: readonly string[]): Readonly<Record<string, unknown>> | undefined {
  let node: Readonly<Record<string, unknown>> | undefined = obj;
  for (const field of templatePath) node = asRecord(node?.[field]);
  return asRecord(node?.spec);
}

/** The container with the mark's variables set (replaced in place when present, appended otherwise). */
function withEnv(container: Readonly<Record<string, unknown>>, marks: TemplateMark['env']): Json {
  const wanted = typeof container.name === 'string' ? marks.get(container.name) : undefined;
  if (wanted === undefined) return { ...container };
  const env = Array.isArray(container.env) ? container.env.map((e) => asRecord(e) ?? {}) : [];
  const names = new Set(wanted.map((w) => w.name));
  return { ...container, env: [...env.filter((e) => typeof e.name !== 'string' || !names.has(e.name)), ...wanted] };
}
