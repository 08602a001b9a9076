import { ConfigCache } from '../config/config-cache.ts';
import { configListTarget } from '../config/config-lists.ts';
import { CsiCache } from '../config/csi-cache.ts';
import type { ApiClient } from '../kube/api-client.ts';
import { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { TokenBucket } from '../queue/token-bucket.ts';
import { WorkQueue } from '../queue/work-queue.ts';
import { Reconciler } from '../reload/reconciler.ts';
import { WorkloadWriter } from '../reload/workload-writer.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { WorkloadCache } from '../workload/workload-cache.ts';
import { referenceKey } from '../model/config-id.ts';
import { parseWorkloadKey, type WorkloadKey } from '../model/workload-key.ts';
import { WORKLOAD_KINDS, type WorkloadKindInfo } from '../model/workload-kind.ts';
import { recordAnnotation, type ControllerHooks, type ControllerSettings } from './controller-settings.ts';
import { DeclaredKindWatch } from './declared-kind-watch.ts';
import { LeaderRun, LeadershipLost, type Leadership } from './leadership.ts';
import { ListAccess } from './list-access.ts';
import { NamespaceScope } from './namespace-scope.ts';
import { namespaceHoldCache, namespaceWatch } from './namespace-watch.ts';
import { countingEvents } from './event-counts.ts';
import { csiWatches } from './csi-watches.ts';
import { ReflectorSet } from './reflector-set.ts';
import { untilAborted } from './until-aborted.ts';
import { WorkerLoop } from './worker-loop.ts';
import { waitingOn } from './waiting-on.ts';

/** How long a Rollouts or CSI list waits before looking again when the CRD is not installed. */
const ABSENT_CRD_RETRY_MS = 15_000;

/** The resource label of each config kind's cache size (a SecretProviderClass counts once some pod status reports it). */
const CACHE_RESOURCE: Readonly<Record<ConfigKind, string>> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  SecretProviderClass: 'secretproviderclasses',
};

/**
 * The level-based loop. Watches only feed caches and put workload keys into
 * the queue; workers reconcile one key at a time from the caches.
 *
 * A config change queues the workloads that reference it (found through the
 * reverse index, with no API call) after the debounce window, so edits that
 * land together roll once. A workload change queues it at once, but never
 * ahead of a pending debounce. After the caches first sync every workload is
 * queued: that start-up pass is what catches changes made while the
 * controller was down, and rolls nothing that is already current.
 */
export class Controller {
  readonly #settings: ControllerSettings;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #queue: WorkQueue<WorkloadKey>;
  readonly #configs: ConfigCache;
  readonly #workloads: WorkloadCache;
  readonly #reflectors: ReflectorSet;
  readonly #declaredKinds: DeclaredKindWatch;
  readonly #events: EventRecorder;
  readonly #reconciler: Reconciler;
  readonly #scope: NamespaceScope;
  readonly #namespaceReflector: ReflectorSet | undefined;
  readonly #workers: WorkerLoop;
  #synced = false;
  /** Relists under way after the namespace selection changed; while any is, new keys wait in #held. */
  #relisting = 0;
  readonly #held = new Set<WorkloadKey>();
  readonly #access: ListAccess;
  #leaderRun: LeaderRun | undefined;

  constructor(
    client: ApiClient,
    settings: ControllerSettings,
    logger: Logger,
    metrics: Metrics,
    hooks: ControllerHooks = {},
  ) {
    this.#settings = settings;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#queue = new WorkQueue({
      onDepthChange: (depth) => {
        metrics.setQueueDepth(depth);
      },
      metrics: metrics.queue,
    });
    this.#scope = new NamespaceScope(settings.namespacesToIgnore, settings.namespaceSelector !== undefined);
    const excludes = (ns: string): boolean => this.#scope.excludes(ns);

    this.#configs = new ConfigCache({
      enabledLabel: settings.enabledLabel,
      ignoreAnnotation: settings.reconcile.annotations.ignore,
      matchAnnotation: settings.reconcile.annotations.match,
      ignoreNamespace: excludes,
      gatherMs: settings.debounceMs,
      waveAnnotations: settings.reconcile.annotations,
      onChange: (kind, namespace, name) => {
        this.#configChanged(kind, namespace, name);
      },
      onInvalid: (kind, namespace, name, err) => {
        metrics.countError('invalid_config');
        logger.error(
          { object: `${kind}/${namespace}/${name}`, err: err.message },
          'cannot read config data; keeping its last known state',
        );
      },
      onNotBoolean: (kind, namespace, name, field, value) => {
        logger.debug(
          { object: `${kind}/${namespace}/${name}`, field, value },
          `${field}: ${JSON.stringify(value)} is not a boolean, treated as absent`,
        );
      },
    });
    const r = settings.reconcile;
    const o = r.optIn;
    this.#workloads = new WorkloadCache({
      annotations: r.annotations,
      recordAnnotation: recordAnnotation(r.hashAnnotation),
      ignoreNamespace: excludes,
      followWorkloadRef: settings.rolloutWorkloadRef,
      onChange: (key) => {
        if (this.#synced) this.#workloadChanged(key);
      },
      onGateChange: (key, workload) => {
        if (!this.#synced) return;
        const planned = settings.reconcile.rolloutWaves.length > 0;
        for (const other of waitingOn(key, workload, this.#workloads, this.#configs, planned)) this.#enqueue(other);
      },
    });

    this.#events = new EventRecorder(client, 'mini-reloader', logger);
    const namespaceHolds = namespaceHoldCache(settings, logger, this.#events, (namespace) => {
      if (!this.#synced) return;
      for (const key of this.#workloads.keys()) if (parseWorkloadKey(key).namespace === namespace) this.#enqueue(key);
    });
    this.#reconciler = new Reconciler({
      workloads: this.#workloads,
      configs: this.#configs,
      ...(namespaceHolds === undefined ? {} : { namespaces: namespaceHolds }),
      writer: new WorkloadWriter(client, {
        fieldManager: settings.fieldManager,
        recordAnnotation: recordAnnotation(r.hashAnnotation),
        pausedAtAnnotation: r.annotations.pausedAt,
        rolledAtAnnotation: r.annotations.rolledAt,
        runCronJobs: settings.startCronJobRuns,
      }),
      events: this.#events,
      rollLimiter: new TokenBucket(settings.rollsPerSecond, settings.rollsBurst),
      adoptionLimiter: new TokenBucket(settings.adoptionWritesPerSecond, settings.adoptionWritesPerSecond),
      settings: r,
      logger,
      heldCount: (why, count) => {
        metrics.setHeld(why, count);
      },
      countHalt: () => {
        metrics.countHalt();
      },
      ...hooks,
    });

    this.#access = new ListAccess({
      metrics,
      logger,
      release: (key) => {
        this.#reconciler.sawWorkload(key);
        this.#enqueue(key);
      },
    });
    this.#workers = new WorkerLoop({
      queue: this.#queue,
      reconciler: this.#reconciler,
      workers: settings.workers,
      metrics,
      logger,
      holds: (key) => this.#heldUntilCurrent(key),
    });

    this.#reflectors = new ReflectorSet(client);
    const csi = settings.csiIntegration
      ? new CsiCache({
          enabledLabel: settings.enabledLabel,
          ignoreAnnotation: r.annotations.ignore,
          matchAnnotation: r.annotations.match,
          sink: this.#configs,
          ignoreNamespace: excludes,
        })
      : undefined;
    const scopes: (string | undefined)[] = settings.namespaces.length > 0 ? [...settings.namespaces] : [undefined];
    for (const namespace of scopes) {
      for (const kind of ['ConfigMap', 'Secret'] as const) {
        if (o.ignoredConfigKinds.has(kind)) continue;
        const target = configListTarget(kind, namespace, settings.resourceLabelSelector);
        this.#reflectors.add(
          target,
          this.#access.permittedOnList(
            target.resource,
            namespace,
            countingEvents(
              target.resource,
              this.#configs.handlers(kind, namespace),
              metrics.handles.stakater,
              (obj) => this.#configs.get(kind, obj.metadata.namespace ?? '', obj.metadata.name) !== undefined,
              (ns) => !excludes(ns),
            ),
          ),
          this.#access.observer(target.resource, namespace),
        );
      }
      for (const info of WORKLOAD_KINDS) {
        if (!settings.ignoredWorkloadKinds.has(info.kind))
          this.#addWorkloadReflector(this.#reflectors, info, namespace);
      }
      if (csi === undefined) continue;
      for (const { target, handlers } of csiWatches(
        csi,
        namespace,
        ABSENT_CRD_RETRY_MS,
        metrics.handles.stakater,
        (ns) => !excludes(ns),
      )) {
        this.#reflectors.add(
          target,
          this.#access.permittedOnList(target.resource, namespace, handlers),
          this.#access.observer(target.resource, namespace),
        );
      }
    }
    this.#declaredKinds = new DeclaredKindWatch(settings.declaredKinds, {
      client,
      logger,
      retryMs: ABSENT_CRD_RETRY_MS,
      addReflectors: (info, set) => {
        for (const namespace of scopes) this.#addWorkloadReflector(set, info, namespace);
      },
    });
    this.#namespaceReflector = namespaceWatch({
      client,
      logger,
      access: this.#access,
      events: metrics.handles.stakater,
      selector: settings.namespaceSelector,
      scope: this.#scope,
      holds: namespaceHolds,
      selectionChanged: () => {
        if (!this.#synced) return;
        // What the caches should hold changed: start their lists over.
        logger.info('namespace selection changed; relisting');
        this.#relist().catch((err: unknown) => {
          logger.error({ err: String(err) }, 'relist failed');
        });
      },
    });
  }

  /** A workload kind's list+watch. Kinds of CRDs may not be served (yet); a declared kind's resource is named with its group in logs and metrics. */
  #addWorkloadReflector(set: ReflectorSet, info: WorkloadKindInfo, namespace: string | undefined): void {
    const declared = info.objectKind !== undefined;
    const resource = declared ? `${info.resource}.${info.apiVersion.split('/')[0] ?? ''}` : info.resource;
    set.add(
      {
        apiPrefix: info.apiPrefix,
        resource: info.resource,
        namespace,
        ...(declared || info.kind === 'Rollout' ? { absentRetryMs: ABSENT_CRD_RETRY_MS } : {}),
      },
      this.#access.permittedOnList(resource, namespace, this.#workloads.handlers(info.kind, namespace)),
      this.#access.observer(resource, namespace),
    );
  }

  /**
   * Ready once every cache holds a full list or was refused one (followers
   * too: they are ready to take over). A refused list is logged, counted in
   * mini_reloader_forbidden_resources and retried; it never holds up the rest.
   */
  isReady(): boolean {
    return this.#synced;
  }

  /** False once leadership was lost: the process should be restarted. */
  isLive(): boolean {
    return this.#leaderRun?.lost !== true;
  }

  /**
   * Runs until `signal` aborts, then lets in-flight reconciles finish. With
   * `leadership`, the caches sync at once but workloads are reconciled only
   * while this replica leads; losing the lead aborts in-flight writes, stops
   * the workers and rejects with LeadershipLost.
   */
  async run(signal: AbortSignal, leadership?: Leadership): Promise<void> {
    const leaderRun = new LeaderRun(
      leadership,
      {
        watch: (running) => {
          const loops: Promise<void>[] = [];
          const synced = this.#sync(running, loops);
          // The loops are all pushed by the time `running` aborts.
          return {
            synced,
            stopped: untilAborted(running).then(async () => {
              await Promise.all(loops);
            }),
          };
        },
        work: (stop, writes) => this.#work(stop, writes),
      },
      this.#logger,
      this.#metrics,
    );
    this.#leaderRun = leaderRun;
    await leaderRun.run(signal);
    await this.#events.flush();
    if (leaderRun.lost) throw new LeadershipLost('lost the leader lease');
  }

  /** Starts the list+watch loops; resolves once every cache is synced. */
  async #sync(signal: AbortSignal, loops: Promise<void>[]): Promise<void> {
    if (this.#namespaceReflector !== undefined) {
      loops.push(this.#namespaceReflector.run(signal));
      await Promise.race([this.#namespaceReflector.synced(), untilAborted(signal)]);
    }
    loops.push(this.#reflectors.run(signal), this.#declaredKinds.run(signal));
    await Promise.race([Promise.all([this.#reflectors.synced(), this.#declaredKinds.synced()]), untilAborted(signal)]);
    if (signal.aborted) return;
    this.#synced = true;
    this.#metrics.setCacheSize('configmaps', this.#configs.size('ConfigMap'));
    this.#metrics.setCacheSize('secrets', this.#configs.size('Secret'));
    this.#logger.info(
      {
        workloads: this.#workloads.size,
        configMaps: this.#configs.size('ConfigMap'),
        secrets: this.#configs.size('Secret'),
      },
      'caches synced',
    );
  }

  /** Reconciles until `stop` aborts: every workload first, since anything may have changed while we did not lead. */
  async #work(stop: AbortSignal, writes: AbortSignal): Promise<void> {
    this.#logger.info({ workloads: this.#workloads.size }, 'checking every workload');
    for (const key of this.#workloads.keys()) {
      if (this.#heldUntilCurrent(key)) continue;
      this.#reconciler.sawWorkload(key);
      this.#queue.add(key);
    }
    await this.#workers.run(stop, writes);
  }

  /**
   * Whether the workload waits for its configs' lists to be current (see
   * ListAccess): it is then neither seen nor decided, since what it follows
   * would be read from a cache that lags, and ListAccess releases it later.
   */
  #heldUntilCurrent(key: WorkloadKey): boolean {
    const mountsProviderClass =
      this.#workloads.get(key)?.references.some((ref) => ref.kind === 'SecretProviderClass') === true;
    return this.#access.holdsUntilCurrent(key, mountsProviderClass);
  }

  #configChanged(kind: ConfigKind, namespace: string, name: string): void {
    this.#metrics.setCacheSize(CACHE_RESOURCE[kind], this.#configs.size(kind));
    if (!this.#synced) return;
    const cause = referenceKey(kind, name);
    const queue = (key: WorkloadKey): void => {
      this.#workers.addCause(key, cause);
      this.#enqueue(key, this.#settings.debounceMs);
    };
    for (const key of this.#workloads.referencing(kind, namespace, name)) queue(key);
    // Named lists may select configs the pod spec never mentions; the reconciler matches them.
    for (const key of this.#workloads.naming(kind, namespace)) queue(key);
  }

  /** The moment a workload is first seen (or seen again) is the state its adoption compares with. */
  #workloadChanged(key: WorkloadKey): void {
    if (this.#relisting > 0) {
      this.#held.add(key);
      return;
    }
    if (this.#heldUntilCurrent(key)) return;
    this.#reconciler.sawWorkload(key);
    this.#queue.add(key);
  }

  /**
   * Queues a key, unless the caches are being relisted: a workload in a newly
   * selected namespace may then be listed before its configs are, and would
   * be judged against configs that only seem missing.
   */
  #enqueue(key: WorkloadKey, delayMs = 0): void {
    if (this.#relisting > 0) this.#held.add(key);
    else this.#queue.add(key, delayMs);
  }

  async #relist(): Promise<void> {
    this.#relisting++;
    try {
      await Promise.all([
        this.#reflectors.relist().then(() => this.#reflectors.synced()),
        this.#declaredKinds.relist(),
      ]);
    } finally {
      this.#relisting--;
    }
    if (this.#relisting > 0) return;
    for (const key of this.#held) {
      if (this.#heldUntilCurrent(key)) continue;
      this.#reconciler.sawWorkload(key);
      this.#queue.add(key);
    }
    this.#held.clear();
  }
}
