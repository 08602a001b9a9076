import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { keyDigests, KEY_DIGEST_LENGTH } from '../../../src/config/key-digests.ts';

/** An independent statement of the digest: SHA-256, base64url, first 128 bits' worth of characters. */
function expectedDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');

describe('keyDigests', () => {
  test('a ConfigMap: data as UTF-8 text, binaryData as decoded bytes; metadata never counts', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web-settings',
        namespace: 'shop',
        labels: { app: 'web' },
        annotations: { note: 'x' },
        resourceVersion: '12',
      },
      data: { 'app.yaml': 'port: 8080\nname: café ☕\n', empty: '' },
      binaryData: { 'logo.png': b64(png) },
    };
    const digests = keyDigests('ConfigMap', configMap);
    assert.deepEqual(
      digests,
      new Map([
        ['app.yaml', expectedDigest(Buffer.from('port: 8080\nname: café ☕\n', 'utf8'))],
        ['empty', expectedDigest(new Uint8Array())],
        ['logo.png', expectedDigest(png)],
      ]),
    );
    const relabelled = {
      ...configMap,
      metadata: { ...configMap.metadata, labels: { app: 'other' }, annotations: {}, resourceVersion: '13' },
    };
    assert.deepEqual(keyDigests('ConfigMap', relabelled), digests);
  });

  test('a Secret: data values base64-decoded; stringData and type are ignored', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: { name: 'db-credentials' },
      data: { username: b64('admin'), password: b64('s3cr3t!') },
      stringData: { password: 'something else entirely' },
    };
    assert.deepEqual(
      keyDigests('Secret', secret),
      new Map([
        ['username', expectedDigest(Buffer.from('admin'))],
        ['password', expectedDigest(Buffer.from('s3cr3t!'))],
      ]),
    );
  });

  test('a Secret has no binaryData and a ConfigMap key holds only what the ConfigMap fields say', () => {
    assert.deepEqual(keyDigests('Secret', { data: {}, binaryData: { k: b64('x') } }), new Map());
    assert.deepEqual(keyDigests('ConfigMap', { stringData: { k: 'x' } }), new Map());
  });

  test('objects without data yield no keys', () => {
    for (const obj of [{}, { data: null }, { data: {}, binaryData: null }, { metadata: { name: 'x' } }]) {
      assert.equal(keyDigests('ConfigMap', obj).size, 0);
      assert.equal(keyDigests('Secret', obj).size, 0);
    }
  });

  test('a key in both data and binaryData (the API forbids it): binaryData wins', () => {
    const digests = keyDigests('ConfigMap', { data: { k: 'text' }, binaryData: { k: b64('bytes') } });
    assert.equal(digests.get('k'), expectedDigest(Buffer.from('bytes')));
  });

  test('malformed values throw an error naming the key and field, never the value', () => {
    const cases: ['ConfigMap' | 'Secret', unknown, string, string][] = [
      ['ConfigMap', { data: { 'app.yaml': 42 } }, 'app.yaml', 'data'],
      ['ConfigMap', { data: { ok: 'fine', nested: { value: 'top-secret-value' } } }, 'nested', 'data'],
      ['ConfigMap', { binaryData: { 'logo.png': null } }, 'logo.png', 'binaryData'],
      ['ConfigMap', { binaryData: { 'logo.png': 'top-secret-value!' } }, 'logo.png', 'binaryData'],
      ['Secret', { data: { password: ['top-secret-value'] } }, 'password', 'data'],
      ['Secret', { data: { password: 'top-secret-value' } }, 'password', 'data'],
      ['Secret', { data: { token: b64('top-secret-value').replace(/=+$/, '') + '\n' } }, 'token', 'data'],
    ];
    for (const [kind, obj, key, field] of cases) {
      assert.throws(
        () => keyDigests(kind, obj),
        (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.ok(err.message.includes(`"${key}"`), err.message);
          assert.ok(err.message.includes(field), err.message);
          assert.ok(!err.message.includes('top-secret-value'), 'the value stays out of the message');
          assert.ok(
            !err.message.includes(b64('top-secret-value').slice(0, 12)),
            'the encoded value stays out of the message',
          );
          return true;
        },
      );
    }
  });

  test('a malformed object or field throws rather than reading as empty', () => {
    for (const obj of [null, undefined, 'x', 7, []]) assert.throws(() => keyDigests('Secret', obj), Error);
    assert.throws(() => keyDigests('ConfigMap', { data: ['a'] }), /data/);
    assert.throws(() => keyDigests('ConfigMap', { binaryData: 'x' }), /binaryData/);
    assert.throws(() => keyDigests('Secret', { data: 5 }), /data/);
  });

  test('keys that look like Object.prototype members are ordinary keys', () => {
    const obj = JSON.parse('{"data":{"__proto__":"a","constructor":"b","toString":"c"}}') as unknown;
    assert.deepEqual([...keyDigests('ConfigMap', obj).keys()].sort(), ['__proto__', 'constructor', 'toString']);
  });

  test('property: digests are 22 base64url characters of SHA-256 of the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const digest = keyDigests('Secret', { data: { k: b64(bytes) } }).get('k');
        assert.equal(digest, expectedDigest(bytes));
        assert.equal(digest.length, KEY_DIGEST_LENGTH);
        assert.match(digest, /^[A-Za-z0-9_-]{22}$/);
      }),
    );
  });

  test('property: the same bytes digest alike in a Secret, in ConfigMap binaryData, and (for text) in ConfigMap data', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 64 }), {
          maxKeys: 8,
        }),
        (texts) => {
          const encoded = Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, b64(v)]));
          const fromData = keyDigests('ConfigMap', { data: texts });
          assert.deepEqual(keyDigests('ConfigMap', { binaryData: encoded }), fromData);
          assert.deepEqual(keyDigests('Secret', { data: encoded }), fromData);
        },
      ),
    );
  });

  test('property: base64 round trips, and different bytes give different digests', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        fc.pre(!Buffer.from(a).equals(Buffer.from(b)));
        const encodedA = b64(a);
        assert.deepEqual(Uint8Array.from(Buffer.from(encodedA, 'base64')), a);
        const digests = keyDigests('ConfigMap', { binaryData: { a: encodedA, b: b64(b) } });
        assert.notEqual(digests.get('a'), digests.get('b'));
      }),
    );
  });

  test('property: a Secret value is accepted exactly when it is padded standard base64', () => {
    // The grammar as a reference on short strings; the code checks with native scans, no regex.
    const grammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const char = fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', ' ', '\n');
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 12 }).map((cs) => cs.join('')),
        (text) => {
          let accepted = true;
          try {
            keyDigests('Secret', { data: { k: text } });
          } catch {
            accepted = false;
          }
          assert.equal(accepted, grammar.test(text), JSON.stringify(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('a 1 MiB Secret value, valid or with a bad last character, is checked in one pass', () => {
    const valid = Buffer.alloc(768 * 1024, 7).toString('base64');
    assert.equal(keyDigests('Secret', { data: { k: valid } }).size, 1);
    for (const bad of [`${valid.slice(0, -1)}!`, `${valid}A`, `${valid.slice(0, -4)}A===`]) {
      assert.throws(() => keyDigests('Secret', { data: { k: bad } }), /key "k": value is not valid base64/);
    }
  });

  test('property: every key of the object gets a digest, and only those', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.string()),
        fc.dictionary(fc.string(), fc.uint8Array({ maxLength: 8 })),
        (data, binary) => {
          const binaryData = Object.fromEntries(Object.entries(binary).map(([k, v]) => [k, b64(v)]));
          const keys = [...keyDigests('ConfigMap', { data, binaryData }).keys()].sort();
          assert.deepEqual(keys, [...new Set([...Object.keys(data), ...Object.keys(binaryData)])].sort());
        },
      ),
    );
  });
});
