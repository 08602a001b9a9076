import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_TYPE, Registry } from '../../../src/prometheus/registry.ts';

test('a counter without labels is shown at 0 from the start; one with labels shows each series once used, labels in declared order', async () => {
  const registry = new Registry();
  const plain = registry.counter({ name: 'jobs_total', help: 'Jobs done.' });
  const labelled = registry.counter({ name: 'rolls_total', help: 'Rolls.', labelNames: ['kind', 'result'] });
  assert.equal(
    await registry.metrics(),
    '# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 0\n\n# HELP rolls_total Rolls.\n# TYPE rolls_total counter\n',
  );
  plain.inc();
  plain.inc(2.5);
  labelled.inc({ result: 'success', kind: 'Deployment' });
  labelled.inc({ kind: 'Deployment', result: 'success' }, 2);
  labelled.inc({ kind: 'Job', result: 'failure' }, 0);
  assert.equal(
    await registry.metrics(),
    [
      '# HELP jobs_total Jobs done.',
      '# TYPE jobs_total counter',
      'jobs_total 3.5',
      '',
      '# HELP rolls_total Rolls.',
      '# TYPE rolls_total counter',
      'rolls_total{kind="Deployment",result="success"} 3',
      'rolls_total{kind="Job",result="failure"} 0',
      '',
    ].join('\n'),
  );
  assert.deepEqual(labelled.values(), [
    { labels: { kind: 'Deployment', result: 'success' }, value: 3 },
    { labels: { kind: 'Job', result: 'failure' }, value: 0 },
  ]);
});

test('label values escape backslash, double quote and newline; help escapes backslash and newline', async () => {
  const registry = new Registry();
  const errors = registry.counter({
    name: 'errors_total',
    help: 'Errors\\by "type"\nsecond line',
    labelNames: ['type'],
  });
  errors.inc({ type: 'a"b\\c\nd' });
  assert.equal(
    await registry.metrics(),
    [
      '# HELP errors_total Errors\\\\by "type"\\nsecond line',
      '# TYPE errors_total counter',
      'errors_total{type="a\\"b\\\\c\\nd"} 1',
      '',
    ].join('\n'),
  );
});

test('a histogram renders cumulative buckets with le first and +Inf last, then _sum and _count, per series', async () => {
  const registry = new Registry();
  const duration = registry.histogram({
    name: 'op_seconds',
    help: 'Op time.',
    labelNames: ['kind'],
    buckets: [0.5, 1],
  });
  const observed = [0.1, 0.5, 1, 5];
  for (const v of observed) duration.observe({ kind: 'a' }, v);
  duration.observe({ kind: 'b' }, 2);
  const sum = observed.reduce((a, b) => a + b, 0);
  assert.equal(
    await registry.metrics(),
    [
      '# HELP op_seconds Op time.',
      '# TYPE op_seconds histogram',
      'op_seconds_bucket{le="0.5",kind="a"} 2',
      'op_seconds_bucket{le="1",kind="a"} 3',
      'op_seconds_bucket{le="+Inf",kind="a"} 4',
      `op_seconds_sum{kind="a"} ${String(sum)}`,
      'op_seconds_count{kind="a"} 4',
      'op_seconds_bucket{le="0.5",kind="b"} 0',
      'op_seconds_bucket{le="1",kind="b"} 0',
      'op_seconds_bucket{le="+Inf",kind="b"} 1',
      'op_seconds_sum{kind="b"} 2',
      'op_seconds_count{kind="b"} 1',
      '',
    ].join('\n'),
  );
  assert.deepEqual(duration.snapshot({ kind: 'a' }), {
    buckets: [
      { le: 0.5, count: 2 },
      { le: 1, count: 3 },
      { le: Number.POSITIVE_INFINITY, count: 4 },
    ],
    sum,
    count: 4,
  });
  assert.equal(duration.snapshot({ kind: 'never' }), undefined);
});

test('gauges are set to a value, with or without labels; special values are spelled as the format wants', async () => {
  const registry = new Registry();
  const depth = registry.gauge({ name: 'depth', help: 'Depth.' });
  const size = registry.gauge({ name: 'size', help: 'Size.', labelNames: ['resource'] });
  depth.set(7);
  depth.set(3);
  size.set({ resource: 'up' }, Number.POSITIVE_INFINITY);
  size.set({ resource: 'down' }, Number.NEGATIVE_INFINITY);
  size.set({ resource: 'none' }, Number.NaN);
  const text = await registry.metrics();
  assert.match(text, /^depth 3$/m);
  assert.match(text, /^size\{resource="up"\} \+Inf$/m);
  assert.match(text, /^size\{resource="down"\} -Inf$/m);
  assert.match(text, /^size\{resource="none"\} NaN$/m);
  assert.equal(registry.contentType, CONTENT_TYPE);
  assert.equal(CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
});

test('collectors render at scrape time, after the metrics declared before them', async () => {
  const registry = new Registry();
  registry.gauge({ name: 'first', help: 'First.' });
  let scrapes = 0;
  registry.register({
    render: () => Promise.resolve([`# HELP scrapes Scrapes.\n# TYPE scrapes counter\nscrapes ${String(++scrapes)}\n`]),
  });
  assert.match(await registry.metrics(), /^first 0\n\n# HELP scrapes Scrapes\.\n# TYPE scrapes counter\nscrapes 1\n$/m);
  assert.match(await registry.metrics(), /^scrapes 2$/m);
});

test('mistakes are refused where they are made: bad or repeated names, bad buckets, a counter going down, a missing label', () => {
  const registry = new Registry();
  registry.counter({ name: 'taken_total', help: 'x' });
  assert.throws(() => registry.counter({ name: 'taken_total', help: 'x' }), /declared twice/);
  assert.throws(() => registry.gauge({ name: 'bad-name', help: 'x' }), /not a metric name/);
  assert.throws(() => registry.gauge({ name: 'g', help: 'x', labelNames: ['__reserved'] }), /label name/);
  assert.throws(() => registry.histogram({ name: 'h1', help: 'x', labelNames: ['le'], buckets: [1] }), /label name/);
  assert.throws(() => registry.histogram({ name: 'h2', help: 'x', buckets: [1, 1] }), /ascending/);
  assert.throws(() => registry.histogram({ name: 'h3', help: 'x', buckets: [1, Number.POSITIVE_INFINITY] }), /finite/);
  const counter = registry.counter({ name: 'c_total', help: 'x', labelNames: ['kind'] });
  assert.throws(() => {
    counter.inc({ kind: 'a' }, -1);
  }, /cannot go down/);
  assert.throws(() => {
    counter.inc({} as { kind: string });
  }, /label kind/);
  assert.deepEqual(counter.values(), []);
});
