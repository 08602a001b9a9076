import { generateKeyPairSync, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveBinaries, type ControlPlaneBinaries } from './binaries.ts';
import { isRunning, signalGroup, spawnTracked, stopTracked, type TrackedProcess } from './tracked-process.ts';

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

/** Start order; stop order is the reverse. */
const COMPONENTS: readonly ComponentName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];
/** The components that only talk to kube-apiserver. */
const CLIENT_COMPONENTS: readonly ComponentName[] = ['kube-controller-manager', 'kube-scheduler', 'kwok'];

interface ComponentState {
  readonly command: string;
  readonly args: readonly string[];
  readonly log: string;
  process: TrackedProcess;
}

interface ClusterState {
  readonly name: string;
  readonly dir: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly components: Partial<Record<ComponentName, ComponentState>>;
}

export interface StartOptions {
  /** Fake kwok nodes to register. */
  readonly nodes?: number;
  /** Progress lines, for the CLI and the demo. */
  readonly log?: (line: string) => void;
  /** Flags appended to a component's command line, e.g. higher client limits for kube-controller-manager in benchmarks. */
  readonly extraArgs?: Partial<Record<ComponentName, readonly string[]>>;
}

const ADMIN_TOKEN_USER = 'local-admin';

function clusterDir(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(`cluster name "${name}" must be lower-case letters, digits and dashes`);
  return path.join(os.tmpdir(), `mini-reloader-cluster-${name}`);
}

function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

/**
 * The first port of the kernel's ephemeral range, from which listen(0) and
 * every outgoing connection take their ports.
 */
function ephemeralPortsStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 2048 ? start : 32768;
  } catch {
    return 32768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * Free ports for the components to listen on, chosen below the ephemeral
 * range: a port from that range is free only until some outgoing
 * connection takes it as its local port, and between choosing the ports and
 * the last component binding its own, kube-apiserver opens many connections
 * to etcd (that race once failed kube-controller-manager with "address
 * already in use").
 */
async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const end = ephemeralPortsStart();
  const taken = new Set<number>();
  for (let attempt = 0; taken.size < names.length; attempt++) {
    if (attempt === 1000) throw new Error(`no free ports found between 1024 and ${end}`);
    const port = 1024 + randomInt(end - 1024);
    if (!taken.has(port) && (await canListen(port))) taken.add(port);
  }
  const ports = [...taken];
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<K, number>;
}

/**
 * A throwaway Kubernetes control plane on loopback: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok with fake nodes whose pods
 * become Running. Everything lives in one temp directory named after the
 * cluster; its state file lets any process stop the cluster or restart one
 * component, and lets the next start clean up after a run that was killed.
 */
export class LocalCluster {
  readonly #state: ClusterState;

  private constructor(state: ClusterState) {
    this.#state = state;
  }

  get name(): string {
    return this.#state.name;
  }
  get kubeconfigPath(): string {
    return this.#state.kubeconfig;
  }
  get server(): string {
    return this.#state.server;
  }

  /** The admin bearer token, for tools that speak to the API directly. */
  get adminToken(): string {
    return adminToken(this.#state.dir);
  }

  /** Attaches to a running cluster started by this or another process, or returns undefined. */
  static attach(name: string): LocalCluster | undefined {
    const file = stateFile(clusterDir(name));
    if (!existsSync(file)) return undefined;
    return new LocalCluster(JSON.parse(readFileSync(file, 'utf8')) as ClusterState);
  }

  /** Stops whatever a previous run of this cluster left behind and removes its directory. */
  static async destroy(name: string): Promise<void> {
    const stale = LocalCluster.attach(name);
    if (stale !== undefined) await stale.stop();
    rmSync(clusterDir(name), { recursive: true, force: true });
  }

  static async start(name: string, options: StartOptions = {}): Promise<LocalCluster> {
    const log = options.log ?? (() => undefined);
    await LocalCluster.destroy(name);
    const binaries = resolveBinaries();
    const dir = clusterDir(name);
    mkdirSync(path.join(dir, 'pki'), { recursive: true });
    mkdirSync(path.join(dir, 'logs'));

    const ports = await freePorts(['etcdClient', 'etcdPeer', 'apiserver', 'kcm', 'scheduler', 'kwok'] as const);
    const server = `https://127.0.0.1:${ports.apiserver}`;
    writeCredentials(dir);
    const kubeconfig = path.join(dir, 'kubeconfig');
    const state: ClusterState = { name, dir, server, kubeconfig, components: {} };
    const cluster = new LocalCluster(state);
    const commands = componentCommands(binaries, dir, ports, kubeconfig);

    try {
      for (const component of COMPONENTS) {
        log(`starting ${component}`);
        const { command } = commands[component];
        const args = [...commands[component].args, ...(options.extraArgs?.[component] ?? [])];
        const logPath = path.join(dir, 'logs', `${component}.log`);
        state.components[component] = { command, args, log: logPath, process: spawnTracked(command, args, logPath) };
        cluster.#save();
        if (component === 'etcd')
          await cluster.#waitFor('etcd', () => httpOk(`http://127.0.0.1:${ports.etcdClient}/health`));
        if (component === 'kube-apiserver') {
          await cluster.#waitForApiserver();
          writeKubeconfig(kubeconfig, server, path.join(dir, 'pki', 'apiserver.crt'), adminToken(dir));
        }
      }
      const nodeCount = options.nodes ?? 3;
      log(`registering ${nodeCount} fake nodes`);
      for (let i = 0; i < nodeCount; i++) await cluster.#request('POST', '/api/v1/nodes', fakeNode(`kwok-node-${i}`));
      await cluster.#waitFor('nodes Ready and the default ServiceAccount', async () => {
        const nodes = (await cluster.#request('GET', '/api/v1/nodes')) as {
          items: { status?: { conditions?: { type: string; status: string }[] } }[];
        };
        const ready = nodes.items.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        if (ready < nodeCount) return false;
        return (await cluster.#requestStatus('GET', '/api/v1/namespaces/default/serviceaccounts/default')) === 200;
      });
      log(`cluster "${name}" is ready at ${server}`);
      return cluster;
    } catch (err) {
      const tail = cluster.logTail();
      await cluster.stop();
      throw new Error(`local cluster "${name}" failed to start: ${String(err)}\n${tail}`, { cause: err });
    }
  }

  /** Stops every component (reverse start order) and removes the cluster's directory. */
  async stop(): Promise<void> {
    for (const component of [...COMPONENTS].reverse()) {
      const c = this.#state.components[component];
      if (c !== undefined) await stopTracked(c.process);
    }
    rmSync(this.#state.dir, { recursive: true, force: true });
  }

  /** Stops one component, leaving the others running. */
  async stopComponent(component: ComponentName): Promise<void> {
    const c = this.#component(component);
    await stopTracked(c.process);
  }

  /**
   * Starts a stopped component again with the same arguments and waits until
   * it serves. Starting kube-apiserver also starts again, as a kubelet would,
   * the components that exited while it was away: kube-scheduler exits on
   * purpose when its cache sees a pod move nodes, which a restart can cause.
   */
  async startComponent(component: ComponentName): Promise<void> {
    const c = this.#component(component);
    if (isRunning(c.process)) return;
    c.process = spawnTracked(c.command, c.args, c.log);
    this.#save();
    if (component !== 'kube-apiserver') return;
    await this.#waitForApiserver(['etcd', 'kube-apiserver']);
    this.restartExitedClients();
  }

  /**
   * Starts again, as a kubelet would, the components that only talk to
   * kube-apiserver and exited on their own (kube-scheduler exits on purpose
   * when its cache sees a pod move nodes); returns which. Tests never stop
   * these, so an exited one is always a crash.
   */
  restartExitedClients(): ComponentName[] {
    const restarted = CLIENT_COMPONENTS.filter((name) => !isRunning(this.#component(name).process));
    for (const name of restarted) {
      const c = this.#component(name);
      c.process = spawnTracked(c.command, c.args, c.log);
    }
    if (restarted.length > 0) this.#save();
    return restarted;
  }

  /** SIGSTOP: the component freezes with its connections open, as a process stalled by its node would. */
  pauseComponent(component: ComponentName): void {
    signalGroup(this.#component(component).process, 'SIGSTOP');
  }

  /** SIGCONT after pauseComponent. */
  resumeComponent(component: ComponentName): void {
    signalGroup(this.#component(component).process, 'SIGCONT');
  }

  isRunning(component: ComponentName): boolean {
    const c = this.#state.components[component];
    return c !== undefined && isRunning(c.process);
  }

  /** The last lines of every component's log: what a failed start or test needs to show. */
  logTail(lines = 15): string {
    const parts: string[] = [];
    for (const [component, c] of Object.entries(this.#state.components)) {
      if (existsSync(c.log)) parts.push(`--- ${component} (${c.log}) ---\n${tail(c.log, lines)}`);
    }
    return parts.join('\n');
  }

  #component(component: ComponentName): ComponentState {
    const c = this.#state.components[component];
    if (c === undefined) throw new Error(`cluster "${this.name}" has no ${component}`);
    return c;
  }

  #save(): void {
    writeFileSync(stateFile(this.#state.dir), JSON.stringify(this.#state, null, 2));
  }

  async #waitForApiserver(watched?: readonly ComponentName[]): Promise<void> {
    await this.#waitFor(
      'kube-apiserver /readyz',
      async () => (await this.#requestStatus('GET', '/readyz')) === 200,
      watched,
    );
  }

  /** Polls `check`; fails when one of `watched` (default: every component) exits meanwhile. */
  async #waitFor(
    what: string,
    check: () => Promise<boolean>,
    watched?: readonly ComponentName[],
    timeoutMs = 90_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const [component, c] of Object.entries(this.#state.components)) {
        if (watched?.includes(component as ComponentName) === false) continue;
        if (!isRunning(c.process))
          throw new Error(`${component} exited while waiting for ${what}; its log ends:\n${tail(c.log, 20)}`);
      }
      try {
        if (await check()) return;
      } catch {
        // Not serving yet.
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(250);
    }
  }

  async #requestStatus(method: string, apiPath: string, body?: unknown): Promise<number> {
    return (await apiCall(this.#state, method, apiPath, body)).status;
  }

  async #request(method: string, apiPath: string, body?: unknown): Promise<unknown> {
    const { status, text } = await apiCall(this.#state, method, apiPath, body);
    if (status < 200 || status > 299) throw new Error(`${method} ${apiPath}: HTTP ${status}: ${text}`);
    return JSON.parse(text);
  }
}

function adminToken(dir: string): string {
  return readFileSync(path.join(dir, 'admin-token'), 'utf8').trim();
}

function writeCredentials(dir: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(path.join(dir, 'pki', 'sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(path.join(dir, 'pki', 'sa.pub'), publicKey);
  const token = crypto.randomUUID();
  writeFileSync(path.join(dir, 'admin-token'), token, { mode: 0o600 });
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},${ADMIN_TOKEN_USER},${ADMIN_TOKEN_USER},"system:masters"\n`, {
    mode: 0o600,
  });
}

function writeKubeconfig(file: string, server: string, caFile: string, token: string): void {
  const ca = Buffer.from(readFileSync(caFile)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: ADMIN_TOKEN_USER, user: { token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: ADMIN_TOKEN_USER } }],
    'current-context': 'local',
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

function componentCommands(
  bin: ControlPlaneBinaries,
  dir: string,
  ports: Record<'etcdClient' | 'etcdPeer' | 'apiserver' | 'kcm' | 'scheduler' | 'kwok', number>,
  kubeconfig: string,
): Record<ComponentName, { command: string; args: string[] }> {
  const etcdClient = `http://127.0.0.1:${ports.etcdClient}`;
  const etcdPeer = `http://127.0.0.1:${ports.etcdPeer}`;
  const pki = path.join(dir, 'pki');
  return {
    etcd: {
      command: bin.etcd,
      args: [
        '--name=local',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdClient}`,
        `--advertise-client-urls=${etcdClient}`,
        `--listen-peer-urls=${etcdPeer}`,
        `--initial-advertise-peer-urls=${etcdPeer}`,
        `--initial-cluster=local=${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    },
    'kube-apiserver': {
      command: bin.kubeApiserver,
      args: [
        `--etcd-servers=${etcdClient}`,
        `--cert-dir=${pki}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${path.join(pki, 'sa.pub')}`,
        `--service-account-signing-key-file=${path.join(pki, 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=true',
        '--profiling=false',
        // The Service "kubernetes" cannot point at a loopback address; nothing here needs it.
        '--endpoint-reconciler-type=none',
        '--v=0',
      ],
    },
    'kube-controller-manager': {
      command: bin.kubeControllerManager,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        `--service-account-private-key-file=${path.join(pki, 'sa.key')}`,
        `--root-ca-file=${path.join(pki, 'apiserver.crt')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.kcm}`,
        '--profiling=false',
        '--v=0',
      ],
    },
    'kube-scheduler': {
      command: bin.kubeScheduler,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.scheduler}`,
        '--profiling=false',
        '--v=0',
      ],
    },
    kwok: {
      command: bin.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=true',
        '--cidr=10.244.0.0/16',
        '--node-ip=127.0.0.1',
        `--server-address=127.0.0.1:${ports.kwok}`,
        `--config=${bin.kwokStages}`,
        '--node-lease-duration-seconds=40',
      ],
    },
  };
}

function fakeNode(name: string): unknown {
  const resources = { cpu: '32', memory: '256Gi', pods: '250' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: { allocatable: resources, capacity: resources },
  };
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url).then((r) => r.ok);
}

/** A bare HTTPS call with the cluster's admin token; the apiserver's own CA may not exist yet, hence no verification here. */
function apiCall(
  state: ClusterState,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const token = adminToken(state.dir);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${state.server}${apiPath}`,
      {
        method,
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`${method} ${apiPath} timed out`));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The last `lines` lines of a log file; empty when it does not exist. */
function tail(log: string, lines: number): string {
  if (!existsSync(log)) return '';
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
