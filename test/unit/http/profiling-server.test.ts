import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../src/logger.ts';
import { PROFILE_SECONDS, startProfilingServer } from '../../../src/http/profiling-server.ts';

interface Harness {
  readonly base: string;
  readonly logs: { msg: string; outcome?: string; level: number }[];
}

async function start(t: TestContext): Promise<Harness> {
  const logs: Harness['logs'] = [];
  const logger = createLogger('json', 'info', {
    write: (line: string) => {
      logs.push(JSON.parse(line) as Harness['logs'][number]);
    },
  });
  const server = await startProfilingServer({ address: '127.0.0.1:0', logger });
  t.after(async () => {
    await server.close();
  });
  return { base: `http://127.0.0.1:${server.port}`, logs };
}

/** Resolves once the server has started taking a profile. */
async function taking(logs: Harness['logs']): Promise<void> {
  while (!logs.some((l) => l.msg === 'profiling: taking a profile')) await sleep(10);
}

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: { readonly node_fields: string[]; readonly node_types: unknown[] };
    readonly node_count: number;
  };
  readonly nodes: number[];
  readonly strings: string[];
}

interface CpuProfile {
  readonly nodes: {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

test('says on start that the port must never be exposed', async (t) => {
  const { logs } = await start(t);
  const line = logs.find((l) => l.msg.includes('never expose'));
  assert.equal(line?.level, 40);
});

test('/debug/pprof/heap streams a V8 heap snapshot that DevTools can read', async (t) => {
  const { base } = await start(t);
  const res = await fetch(`${base}/debug/pprof/heap`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /filename="mini-reloader-[^"]+\.heapsnapshot"/);
  const heap = (await res.json()) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  assert.ok(fields.includes('type') && fields.includes('name') && fields.includes('self_size'), fields.join(','));
  assert.equal(
    heap.nodes.length,
    heap.snapshot.node_count * fields.length,
    'the node table has node_count rows of node_fields',
  );
  assert.ok(heap.strings.length > 0);
});

test('/debug/pprof/profile?seconds=N returns a CPU profile of about N seconds that DevTools can read', async (t) => {
  const { base } = await start(t);
  const res = await fetch(`${base}/debug/pprof/profile?seconds=1`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /filename="mini-reloader-[^"]+\.cpuprofile"/);
  const profile = (await res.json()) as CpuProfile;
  assert.ok(profile.nodes.some((n) => n.callFrame.functionName === '(root)'));
  assert.ok(profile.endTime - profile.startTime >= 1_000_000, 'the profile spans the second asked for (microseconds)');
  assert.equal(profile.samples.length, profile.timeDeltas.length);
  const ids = new Set(profile.nodes.map((n) => n.id));
  assert.ok(
    profile.samples.every((id) => ids.has(id)),
    'every sample names a node of the tree',
  );
});

test('seconds outside 1 to 300, or not a whole number, is a 400', async (t) => {
  const { base } = await start(t);
  for (const bad of ['0', '301', '1.5', 'abc', '-1', '', '0001']) {
    const res = await fetch(`${base}/debug/pprof/profile?seconds=${bad}`);
    assert.equal(res.status, 400, bad);
    assert.match(await res.text(), new RegExp(`${PROFILE_SECONDS.min} to ${PROFILE_SECONDS.max}`));
  }
});

test('one profile at a time: a second request meanwhile gets 409, and the slot frees when the first is done', async (t) => {
  const { base, logs } = await start(t);
  const first = fetch(`${base}/debug/pprof/profile?seconds=2`);
  await taking(logs);
  assert.equal((await fetch(`${base}/debug/pprof/heap`)).status, 409);
  assert.equal((await fetch(`${base}/debug/pprof/profile?seconds=1`)).status, 409);
  assert.equal((await first).status, 200);
  await (await first).arrayBuffer();
  assert.equal((await fetch(`${base}/debug/pprof/profile?seconds=1`)).status, 200);
});

test('a client that goes away ends its CPU profile at once and frees the slot', async (t) => {
  const { base, logs } = await start(t);
  const gone = new AbortController();
  const long = fetch(`${base}/debug/pprof/profile?seconds=300`, { signal: gone.signal });
  await taking(logs);
  gone.abort();
  await assert.rejects(long);
  while (!logs.some((l) => l.outcome === 'abandoned')) await sleep(10);
  assert.equal((await fetch(`${base}/debug/pprof/profile?seconds=1`)).status, 200);
});

test('the index lists both profiles; other paths are 404, other methods 405', async (t) => {
  const { base } = await start(t);
  const index = await fetch(`${base}/debug/pprof/`);
  assert.equal(index.status, 200);
  const text = await index.text();
  assert.match(text, /\/debug\/pprof\/heap/);
  assert.match(text, /\/debug\/pprof\/profile\?seconds=N/);
  assert.equal((await fetch(`${base}/debug/pprof/goroutine`)).status, 404);
  assert.equal((await fetch(`${base}/metrics`)).status, 404);
  const post = await fetch(`${base}/debug/pprof/heap`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});
