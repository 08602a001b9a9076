import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ParsedJson } from '../../../src/kube/json-bytes.ts';
import { ListItemScanner, type ListEnvelope } from '../../../src/kube/list-items.ts';

const encoder = new TextEncoder();

interface Scanned {
  readonly items: ParsedJson[];
  readonly envelope: ListEnvelope;
}

/** Feeds `text` cut at `cuts` (byte offsets, taken modulo its length). */
function scan(text: string, cuts: readonly number[] = [], maxValueBytes?: number): Scanned {
  const bytes = encoder.encode(text);
  const scanner = new ListItemScanner(maxValueBytes);
  const items: ParsedJson[] = [];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const p of [...points, bytes.length]) {
    // A copy, zeroed after the push, as a sensitive reflector does with its chunks.
    const chunk = bytes.slice(start, p);
    scanner.push(chunk, (item) => {
      items.push(item);
    });
    chunk.fill(0);
    start = p;
  }
  return { items, envelope: scanner.end() };
}

const ok = (value: unknown): ParsedJson => ({ ok: true, value });

/** Strings that stress the scanner: quotes, backslashes, brackets, commas and multi-byte characters. */
const tricky = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'items', 'metadata', 'ä', '😀', '\n', '\u0000'),
  }),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    tricky,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
})).value;
const item = fc.record({
  metadata: fc.record({ name: tricky, resourceVersion: fc.string() }),
  data: fc.dictionary(tricky, tricky, { maxKeys: 3 }),
  extra: json,
});
const metadata = fc.record({
  resourceVersion: fc.stringMatching(/^[0-9]{1,8}$/),
  continue: fc.option(tricky, { nil: undefined }),
});

test('any cut of any list gives back its items, in order, and its metadata, whatever else the response holds', () => {
  fc.assert(
    fc.property(
      fc.array(item, { maxLength: 6 }),
      metadata,
      fc.dictionary(fc.constantFrom('kind', 'apiVersion', 'status', 'x-items', 'Items'), json),
      fc.boolean(),
      fc.constantFrom('', ' ', '\n  '),
      fc.array(fc.nat(), { maxLength: 12 }),
      (items, meta, others, itemsFirst, space, cuts) => {
        const parts = [
          `"metadata":${JSON.stringify(meta)}`,
          `"items":${space}[${space}${items.map((i) => JSON.stringify(i)).join(`${space},${space}`)}${space}]`,
        ];
        if (itemsFirst) parts.reverse();
        const text = `${space}{${[...Object.entries(others).map(([k, v]) => `"${k}":${JSON.stringify(v)}`), ...parts].join(`,${space}`)}}${space}`;
        const got = scan(text, cuts);
        assert.deepEqual(
          got.items,
          items.map((i) => ok(JSON.parse(JSON.stringify(i)))),
        );
        assert.deepEqual(got.envelope.metadata, ok(JSON.parse(JSON.stringify(meta))));
      },
    ),
  );
});

test('a multi-byte character cut anywhere survives', () => {
  const text = JSON.stringify({ metadata: { resourceVersion: '1' }, items: [{ name: 'zäöü€😀' }, { name: '"\\😀' }] });
  for (let cut = 0; cut <= encoder.encode(text).length; cut++) {
    assert.deepEqual(scan(text, [cut]).items, [ok({ name: 'zäöü€😀' }), ok({ name: '"\\😀' })]);
  }
});

test('every cut of one list, byte by byte, agrees with a whole parse', () => {
  const text =
    '{"kind":"List","items":[{"a":"x\\"],{"},{"b":[1,[2,{"c":"]"}]]},null,"s\\\\",7],"metadata":{"continue":"t\\"k","resourceVersion":"9"}}';
  const bytes = encoder.encode(text);
  const whole = JSON.parse(text) as { items: unknown[]; metadata: unknown };
  const cuts = Array.from({ length: bytes.length }, (_, i) => i);
  const got = scan(text, cuts);
  assert.deepEqual(got.items, whole.items.map(ok));
  assert.deepEqual(got.envelope.metadata, ok(whole.metadata));
});

test('only the top-level items count: nested "items" keys and escaped keys are skipped', () => {
  const text =
    '{"status":{"items":[{"no":1}]},"it\\u0065ms":[{"no":2}],"spec":[{"items":[3]}],"items":[{"yes":1}],"metadata":{"resourceVersion":"1"}}';
  assert.deepEqual(scan(text).items, [ok({ yes: 1 })]);
});

test('items null, an empty list, and no metadata', () => {
  assert.deepEqual(scan('{"items":null,"metadata":{"resourceVersion":"2"}}'), {
    items: [],
    envelope: { metadata: ok({ resourceVersion: '2' }) },
  });
  assert.deepEqual(scan('{"items":[ ]}'), { items: [], envelope: { metadata: undefined } });
});

test('an item that is not JSON is reported by length only, and the items around it still parse', () => {
  const got = scan('{"items":[{"a":1},{"password":hunter2},{"b":2}]}', [5, 20]);
  assert.deepEqual(got.items, [ok({ a: 1 }), { ok: false, length: '{"password":hunter2}'.length }, ok({ b: 2 })]);
  assert.ok(!JSON.stringify(got).includes('hunter2'));
});

test('an item or metadata beyond the size bound throws, also when it arrives in pieces', () => {
  const big = JSON.stringify({ data: 'x'.repeat(100) });
  assert.throws(() => scan(`{"items":[${big}]}`, [], 64), /item exceeds 64 bytes/);
  assert.throws(() => scan(`{"items":[${big}]}`, [20, 40, 60, 80], 64), /item exceeds 64 bytes/);
  assert.throws(() => scan(`{"metadata":${big},"items":[]}`, [30], 64), /metadata exceeds 64 bytes/);
  assert.deepEqual(scan(`{"items":[${big},${big}]}`, [], 200).items.length, 2);
});

test('top-level values other than items and metadata may be of any size: they are skipped, not kept', () => {
  const huge = 'y'.repeat(300_000);
  const got = scan(
    `{"kind":"${huge}","status":{"deep":[["${huge}"]]},"items":[{"n":1}]}`,
    [1000, 150_000, 450_000],
    1024,
  );
  assert.deepEqual(got.items, [ok({ n: 1 })]);
});

test('deep nesting is scanned without recursion', () => {
  const depth = 100_000;
  const text = `{"items":[${'['.repeat(depth)}${']'.repeat(depth)}],"metadata":{"resourceVersion":"1"}}`;
  const got = scan(text, [], depth * 2 + 10);
  assert.equal(got.items.length, 1);
  assert.equal(got.items[0]?.ok, true);
  assert.deepEqual(got.envelope.metadata, ok({ resourceVersion: '1' }));
});

test('what is not a list response throws', () => {
  assert.throws(() => scan('[{"items":[]}]'), /not a JSON object/);
  assert.throws(() => scan('{"items":[{"a":1}'), /ended inside a value/);
  assert.throws(() => scan('{"items":["open'), /ended inside a value/);
  assert.throws(() => scan(''), /ended inside a value/);
  assert.throws(() => scan('{}]'), /never opened/);
});
