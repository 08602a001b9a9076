import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { configHash, configMac, unkeyedConfigHash, type CountedConfig } from '../../../src/reload/config-hash.ts';
import type { ConfigKind } from '../../../src/model/config-kind.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';

function counted(
  kind: ConfigKind,
  name: string,
  keys: 'all' | string[],
  digests: Record<string, string> | undefined,
): CountedConfig {
  const ref: ConfigReference = { kind, name, keys, optional: false, containers: ['app'] };
  return { ref, digests: digests === undefined ? undefined : new Map(Object.entries(digests)) };
}

function withDigests(config: CountedConfig, digests: ReadonlyMap<string, string> | undefined): CountedConfig {
  return { ref: config.ref, digests };
}

// Generators: small alphabets so that names, keys and digests collide often.
const kind = fc.constantFrom<ConfigKind>('ConfigMap', 'Secret');
const name = fc.constantFrom('app', 'db', 'tls', 'a/b', '1:x');
const key = fc.constantFrom('k1', 'k2', 'k3', 'k4', 'P', 'M', 'D', '2:k');
const digest = fc.string({ minLength: 0, maxLength: 4 });
const digestMap = fc.dictionary(key, digest).map((d) => new Map(Object.entries(d)));
const keys = fc.oneof(
  fc.constant<'all'>('all'),
  fc.uniqueArray(key, { minLength: 1 }).map((ks) => [...ks].sort()),
);
const config: fc.Arbitrary<CountedConfig> = fc.record({
  ref: fc.record({ kind, name, keys, optional: fc.boolean(), containers: fc.array(fc.constantFrom('a', 'b')) }),
  digests: fc.option(digestMap, { nil: undefined }),
});
// Distinct (kind, name) pairs, as a workload's references always are.
const configs = fc.uniqueArray(config, { selector: (c) => `${c.ref.kind}/${c.ref.name}`, maxLength: 5 });

function visibleKeys(c: CountedConfig): string[] {
  return c.ref.keys === 'all' ? [...(c.digests?.keys() ?? [])] : [...c.ref.keys];
}

describe('configHash', () => {
  test('is SHA-256 hex', () => {
    assert.match(configHash([counted('ConfigMap', 'app', 'all', { a: 'x' })]), /^[0-9a-f]{64}$/);
    assert.match(configHash([]), /^[0-9a-f]{64}$/);
  });

  test('is deterministic: equal inputs built separately hash equal', () => {
    const build = (): CountedConfig[] => [
      counted('Secret', 'db', ['password', 'username'], { password: 'p1', username: 'u1', unused: 'z' }),
      counted('ConfigMap', 'web', 'all', { 'app.yaml': 'd1', 'log.yaml': 'd2' }),
    ];
    assert.equal(configHash(build()), configHash(build()));
  });

  test('absent differs from present with no keys, for a key list and for all keys', () => {
    assert.notEqual(
      configHash([counted('ConfigMap', 'app', 'all', undefined)]),
      configHash([counted('ConfigMap', 'app', 'all', {})]),
    );
    assert.notEqual(
      configHash([counted('ConfigMap', 'app', ['k'], undefined)]),
      configHash([counted('ConfigMap', 'app', ['k'], {})]),
    );
  });

  test('a listed key missing from the object differs from every digest, even an empty one', () => {
    const missing = configHash([counted('Secret', 's', ['k'], {})]);
    for (const d of ['', 'M', 'A', '0:'])
      assert.notEqual(missing, configHash([counted('Secret', 's', ['k'], { k: d })]));
  });

  test('kind, name and key are all part of the description', () => {
    const base = configHash([counted('ConfigMap', 'app', ['k'], { k: 'd' })]);
    assert.notEqual(base, configHash([counted('Secret', 'app', ['k'], { k: 'd' })]));
    assert.notEqual(base, configHash([counted('ConfigMap', 'app2', ['k'], { k: 'd' })]));
    assert.notEqual(base, configHash([counted('ConfigMap', 'app', ['j'], { j: 'd' })]));
  });

  test('which containers use a config, and whether it is optional, do not count', () => {
    const a: CountedConfig = {
      ref: { kind: 'Secret', name: 's', keys: 'all', optional: false, containers: ['a'] },
      digests: new Map([['k', 'd']]),
    };
    const b: CountedConfig = {
      ref: { kind: 'Secret', name: 's', keys: 'all', optional: true, containers: ['b', 'c'] },
      digests: new Map([['k', 'd']]),
    };
    assert.equal(configHash([a]), configHash([b]));
  });

  test('concatenation cannot make two descriptions meet', () => {
    // Each pair would read the same if fields were simply joined.
    const pairs: [CountedConfig[], CountedConfig[]][] = [
      [[counted('ConfigMap', 'ab', 'all', { c: 'd' })], [counted('ConfigMap', 'a', 'all', { bc: 'd' })]],
      [
        [counted('ConfigMap', 'a', 'all', { k: 'd1', j: 'x' })],
        [counted('ConfigMap', 'a', 'all', { k: 'd1j', '': 'x' })],
      ],
      [
        [counted('ConfigMap', 'a', 'all', {}), counted('ConfigMap', 'b', 'all', {})],
        [counted('ConfigMap', 'a', 'all', { CConfigMap: 'b' })],
      ],
      [[counted('Secret', 'x', ['k'], {})], [counted('Secret', 'x', ['kM'], {})]],
      [[counted('ConfigMap', 'x', 'all', { k: 'dP0:' })], [counted('ConfigMap', 'xP1:kDd', 'all', {})]],
      [[counted('ConfigMap', 'x', ['k'], { k: 'd' })], [counted('ConfigMap', 'x', ['kDd'], {})]],
    ];
    for (const [a, b] of pairs) assert.notEqual(configHash(a), configHash(b));
  });

  test('property: the order of configs does not matter', () => {
    fc.assert(
      fc.property(
        configs.chain((cs) =>
          fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length })),
        ),
        ([cs, shuffled]) => {
          assert.equal(configHash(shuffled), configHash(cs));
        },
      ),
    );
  });

  test('property: the order of configs does not matter even with a repeated (kind, name)', () => {
    fc.assert(
      fc.property(fc.array(config, { maxLength: 5 }), (cs) => {
        assert.equal(configHash([...cs].reverse()), configHash(cs));
      }),
    );
  });

  test('property: the order of listed keys and of digests does not matter', () => {
    fc.assert(
      fc.property(configs, (cs) => {
        const reordered = cs.map((c) => ({
          ref: { ...c.ref, keys: c.ref.keys === 'all' ? c.ref.keys : [...c.ref.keys].reverse() },
          digests: c.digests === undefined ? undefined : new Map([...c.digests].reverse()),
        }));
        assert.equal(configHash(reordered), configHash(cs));
      }),
    );
  });

  test('property: changing the digest of a visible key changes the hash', () => {
    fc.assert(
      fc.property(configs, fc.nat(), fc.nat(), digest, (cs, i, j, replacement) => {
        const visible = cs.flatMap((c, at) =>
          c.digests === undefined
            ? []
            : visibleKeys(c)
                .filter((k) => c.digests?.has(k))
                .map((k) => ({ at, k })),
        );
        fc.pre(visible.length > 0);
        const { at, k } = visible[i % visible.length] ?? { at: 0, k: '' };
        const target = cs[at];
        fc.pre(target?.digests !== undefined && target.digests.get(k) !== replacement);
        const changed = cs.map((c, n) =>
          n === at ? withDigests(c, new Map([...(c.digests ?? []), [k, replacement]])) : c,
        );
        assert.notEqual(configHash(changed), configHash(cs), `changed ${k} in config ${j % cs.length}`);
      }),
    );
  });

  test('property: a listed key appearing in, or vanishing from, the object changes the hash', () => {
    fc.assert(
      fc.property(configs, fc.nat(), digest, (cs, i, d) => {
        const listed = cs.flatMap((c, at) =>
          c.ref.keys === 'all' || c.digests === undefined ? [] : c.ref.keys.map((k) => ({ at, k })),
        );
        fc.pre(listed.length > 0);
        const { at, k } = listed[i % listed.length] ?? { at: 0, k: '' };
        const flip = (m: ReadonlyMap<string, string>): Map<string, string> => {
          const copy = new Map(m);
          if (copy.has(k)) copy.delete(k);
          else copy.set(k, d);
          return copy;
        };
        const changed = cs.map((c, n) => (n === at && c.digests !== undefined ? withDigests(c, flip(c.digests)) : c));
        assert.notEqual(configHash(changed), configHash(cs));
      }),
    );
  });

  test('property: changing, adding or removing a key a key-list reference does not see leaves the hash alone', () => {
    fc.assert(
      fc.property(configs, fc.nat(), key, fc.option(digest, { nil: undefined }), (cs, i, k, d) => {
        const listed = cs.flatMap((c, at) =>
          c.ref.keys !== 'all' && c.digests !== undefined && !c.ref.keys.includes(k) ? [at] : [],
        );
        fc.pre(listed.length > 0);
        const at = listed[i % listed.length];
        const changed = cs.map((c, n) => {
          if (n !== at || c.digests === undefined) return c;
          const copy = new Map(c.digests);
          if (d === undefined) copy.delete(k);
          else copy.set(k, d);
          return withDigests(c, copy);
        });
        assert.equal(configHash(changed), configHash(cs));
      }),
    );
  });

  test('property: adding a key to an object seen whole changes the hash', () => {
    fc.assert(
      fc.property(configs, fc.nat(), key, digest, (cs, i, k, d) => {
        const whole = cs.flatMap((c, at) =>
          c.ref.keys === 'all' && c.digests !== undefined && !c.digests.has(k) ? [at] : [],
        );
        fc.pre(whole.length > 0);
        const at = whole[i % whole.length];
        const changed = cs.map((c, n) => (n === at ? withDigests(c, new Map([...(c.digests ?? []), [k, d]])) : c));
        assert.notEqual(configHash(changed), configHash(cs));
      }),
    );
  });

  test('property: an object vanishing changes the hash, and so does adding or dropping a config', () => {
    fc.assert(
      fc.property(configs, fc.nat(), (cs, i) => {
        fc.pre(cs.length > 0);
        const at = i % cs.length;
        const target = cs[at];
        if (target?.digests !== undefined) {
          assert.notEqual(configHash(cs.map((c, n) => (n === at ? withDigests(c, undefined) : c))), configHash(cs));
        }
        assert.notEqual(configHash(cs.filter((_, n) => n !== at)), configHash(cs));
      }),
    );
  });

  test('property: different visible data never hashes equal (no collisions on generated inputs)', () => {
    // Two inputs describe the same data exactly when, config by config, the
    // absent flag and the visible key -> digest-or-missing pairs agree.
    const describeData = (cs: readonly CountedConfig[]): string =>
      JSON.stringify(
        cs
          .map(
            (c) =>
              [
                c.ref.kind,
                c.ref.name,
                c.digests === undefined
                  ? null
                  : visibleKeys(c)
                      .sort()
                      .map((k) => [k, c.digests?.get(k) ?? null]),
              ] as const,
          )
          .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
      );
    fc.assert(
      fc.property(configs, configs, (a, b) => {
        fc.pre(describeData(a) !== describeData(b));
        assert.notEqual(configHash(a), configHash(b));
      }),
      { numRuns: 500 },
    );
  });

  test("property: it is keyed by each present config's uid: another uid, another hash and digest", () => {
    fc.assert(
      fc.property(config, fc.uuid(), fc.uuid(), (c, one, two) => {
        fc.pre(one !== two && c.digests !== undefined);
        assert.notEqual(configHash([{ ...c, uid: one }]), configHash([{ ...c, uid: two }]));
        assert.notEqual(configMac({ ...c, uid: one }), configMac({ ...c, uid: two }));
      }),
    );
  });

  test('an absent config has no key: its part of the hash does not depend on a uid', () => {
    const absent = counted('Secret', 'db', 'all', undefined);
    assert.equal(configHash([{ ...absent, uid: 'one' }]), configHash([{ ...absent, uid: 'two' }]));
  });

  test('the keyed digest is the HMAC-SHA-256 of the documented bytes under the uid', () => {
    const c = { ...counted('ConfigMap', 'app', ['b', 'a'], { a: 'x', b: 'y' }), uid: 'u-1' };
    const seen = 'C9:ConfigMap3:appP2:1:aD1:x1:bD1:y';
    const mac = configMac(c);
    assert.equal(mac, createHmac('sha256', 'u-1').update(`mini-reloader/config-mac/v2${seen}`).digest('hex'));
    assert.equal(
      configHash([c]),
      createHash('sha256').update(`mini-reloader/config-hash/v2C9:ConfigMap3:appK64:${mac}`).digest('hex'),
    );
    assert.equal(
      unkeyedConfigHash([c]),
      createHash('sha256').update(`mini-reloader/config-hash/v1${seen}`).digest('hex'),
      'version 1, for records of earlier releases',
    );
  });
});
