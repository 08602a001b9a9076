import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionalSum, samples, sum } from '../../../tools/bench/compare/prometheus-text.ts';

const TEXT = [
  '# HELP reloader_events_received_total Events received.',
  '# TYPE reloader_events_received_total counter',
  'reloader_events_received_total{event_type="add",resource_type="configMaps"} 104',
  'reloader_events_received_total{event_type="add",resource_type="secrets"} 101',
  'reloader_events_received_total{event_type="update",resource_type="secrets"} 7',
  'reloader_events_received_total_extra{event_type="add"} 1000',
  'go_memstats_heap_alloc_bytes 2.5e+06',
  'odd{path="a\\"b,c=d}",n="line\\nbreak"} 3 1700000000000',
].join('\n');

test('samples reads labels, escaped quotes, commas and braces inside values, and a trailing timestamp', () => {
  assert.deepEqual(samples(TEXT, 'odd'), [{ name: 'odd', labels: { path: 'a"b,c=d}', n: 'line\nbreak' }, value: 3 }]);
});

test('sum adds only the samples of that exact name whose labels match', () => {
  assert.equal(sum(TEXT, 'reloader_events_received_total', { event_type: 'add' }), 205);
  assert.equal(sum(TEXT, 'reloader_events_received_total'), 212);
  assert.equal(sum(TEXT, 'reloader_events_received_total', { event_type: 'delete' }), 0);
});

test('optionalSum reads unlabelled samples in exponent notation and tells a missing metric from zero', () => {
  assert.equal(optionalSum(TEXT, 'go_memstats_heap_alloc_bytes'), 2_500_000);
  assert.equal(optionalSum(TEXT, 'nodejs_heap_size_used_bytes'), undefined);
});
