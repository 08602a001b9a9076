import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { referenceKey } from '../../../src/model/config-id.ts';
import type { ConfigKind } from '../../../src/model/config-kind.ts';
import { podConfigUses, podReferences } from '../../../src/workload/pod-references.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';

/** A Deployment's `spec.template.spec`, as the API returns it. */
function webAppPodSpec(): unknown {
  return {
    serviceAccountName: 'web',
    imagePullSecrets: [{ name: 'registry-credentials' }],
    initContainers: [
      {
        name: 'migrate',
        image: 'example/web:1.2.3',
        envFrom: [{ configMapRef: { name: 'web-settings' } }],
        env: [
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
      },
    ],
    containers: [
      {
        name: 'web',
        image: 'example/web:1.2.3',
        ports: [{ containerPort: 8080 }],
        envFrom: [
          { prefix: 'APP_', configMapRef: { name: 'web-settings' } },
          { secretRef: { name: 'web-extra', optional: true } },
        ],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'username' } } },
          { name: 'FEATURE_X', valueFrom: { configMapKeyRef: { name: 'feature-flags', key: 'x', optional: true } } },
        ],
        volumeMounts: [
          { name: 'tls', mountPath: '/etc/tls', readOnly: true },
          { name: 'bundle', mountPath: '/etc/bundle' },
        ],
      },
      {
        name: 'proxy',
        image: 'example/proxy:4',
        env: [
          { name: 'FEATURE_Y', valueFrom: { configMapKeyRef: { name: 'feature-flags', key: 'y', optional: true } } },
        ],
        volumeMounts: [
          { name: 'proxy-conf', mountPath: '/etc/proxy' },
          { name: 'tls', mountPath: '/tls' },
        ],
      },
    ],
    volumes: [
      { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 0o400 } },
      {
        name: 'proxy-conf',
        configMap: {
          name: 'proxy-config',
          items: [
            { key: 'proxy.yaml', path: 'proxy.yaml' },
            { key: 'routes.yaml', path: 'r.yaml' },
          ],
        },
      },
      {
        name: 'bundle',
        projected: {
          sources: [
            { configMap: { name: 'ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { secret: { name: 'db-credentials', items: [{ key: 'ca.pem', path: 'db-ca.pem' }], optional: true } },
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          ],
        },
      },
      { name: 'cache', emptyDir: {} },
      { name: 'unused-settings', configMap: { name: 'legacy-settings', optional: true } },
    ],
  };
}

describe('podReferences', () => {
  test('a realistic Deployment pod spec: every kind of reference, merged per object, sorted by kind then name', () => {
    const expected: ConfigReference[] = [
      { kind: 'ConfigMap', name: 'ca-bundle', keys: ['ca.crt'], optional: false, containers: ['web'] },
      { kind: 'ConfigMap', name: 'feature-flags', keys: ['x', 'y'], optional: true, containers: ['web', 'proxy'] },
      { kind: 'ConfigMap', name: 'legacy-settings', keys: 'all', optional: true, containers: [] },
      {
        kind: 'ConfigMap',
        name: 'proxy-config',
        keys: ['proxy.yaml', 'routes.yaml'],
        optional: false,
        containers: ['proxy'],
      },
      { kind: 'ConfigMap', name: 'web-settings', keys: 'all', optional: false, containers: ['migrate', 'web'] },
      {
        kind: 'Secret',
        name: 'db-credentials',
        keys: ['ca.pem', 'password', 'username'],
        optional: false,
        containers: ['migrate', 'web'],
      },
      { kind: 'Secret', name: 'web-extra', keys: 'all', optional: true, containers: ['web'] },
      { kind: 'Secret', name: 'web-tls', keys: 'all', optional: false, containers: ['web', 'proxy'] },
    ];
    assert.deepEqual(podReferences(webAppPodSpec()), expected);
  });

  test('imagePullSecrets, service account tokens and downward API sources are not config references', () => {
    const names = podReferences(webAppPodSpec()).map((r) => r.name);
    assert.ok(!names.includes('registry-credentials'));
    assert.equal(names.length, new Set(names).size);
  });

  test('a whole-object use dominates key uses of the same object, in either order', () => {
    const keyThenAll = {
      containers: [
        {
          name: 'app',
          env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } }],
          envFrom: [{ configMapRef: { name: 'cfg' } }],
        },
      ],
    };
    const allThenKey = {
      volumes: [{ name: 'v', configMap: { name: 'cfg' } }],
      containers: [{ name: 'app', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } }] }],
    };
    for (const spec of [keyThenAll, allThenKey])
      assert.deepEqual(
        podReferences(spec).map((r) => r.keys),
        ['all'],
      );
  });

  test('key sets union into sorted, unique names', () => {
    const spec = {
      containers: [
        {
          name: 'app',
          env: [
            { name: 'Z', valueFrom: { secretKeyRef: { name: 's', key: 'zeta' } } },
            { name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'alpha' } } },
            { name: 'A2', valueFrom: { secretKeyRef: { name: 's', key: 'alpha' } } },
          ],
          volumeMounts: [{ name: 'files', mountPath: '/f' }],
        },
      ],
      volumes: [
        {
          name: 'files',
          secret: {
            secretName: 's',
            items: [
              { key: 'beta', path: 'b' },
              { key: 'alpha', path: 'a' },
            ],
          },
        },
      ],
    };
    assert.deepEqual(podReferences(spec), [
      { kind: 'Secret', name: 's', keys: ['alpha', 'beta', 'zeta'], optional: false, containers: ['app'] },
    ]);
  });

  test('optional only when every use is optional', () => {
    const env = (optional: boolean | undefined): unknown => ({
      name: 'E',
      valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional } },
    });
    const spec = (uses: (boolean | undefined)[]): unknown => ({ containers: [{ name: 'app', env: uses.map(env) }] });
    assert.equal(podReferences(spec([true, true]))[0]?.optional, true);
    assert.equal(podReferences(spec([true, false]))[0]?.optional, false);
    assert.equal(podReferences(spec([true, undefined]))[0]?.optional, false);
    // Only the boolean true counts: the API never sends "true" as a string, and a pod that needs the object is the safe reading.
    const stringly = { containers: [{ name: 'app', envFrom: [{ secretRef: { name: 's', optional: 'true' } }] }] };
    assert.equal(podReferences(stringly)[0]?.optional, false);
  });

  test('ConfigMap and Secret of the same name are different objects', () => {
    const spec = {
      containers: [{ name: 'app', envFrom: [{ secretRef: { name: 'same' } }, { configMapRef: { name: 'same' } }] }],
    };
    assert.deepEqual(
      podReferences(spec).map((r) => referenceKey(r.kind, r.name)),
      ['ConfigMap/same', 'Secret/same'],
    );
  });

  test('containers: init containers first, then containers, in spec order, each once', () => {
    const spec = {
      containers: [
        {
          name: 'b',
          volumeMounts: [
            { name: 'v', mountPath: '/1' },
            { name: 'v', mountPath: '/2' },
          ],
        },
        { name: 'a', envFrom: [{ configMapRef: { name: 'cfg' } }] },
        { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
      ],
      initContainers: [{ name: 'z-init', volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      volumes: [{ name: 'v', configMap: { name: 'cfg' } }],
    };
    assert.deepEqual(podReferences(spec)[0]?.containers, ['z-init', 'b', 'a', 'c']);
  });

  test('a projected volume carries each of its sources to the containers that mount it', () => {
    const spec = {
      containers: [{ name: 'app', volumeMounts: [{ name: 'all-in-one', mountPath: '/etc/app' }] }, { name: 'other' }],
      volumes: [
        {
          name: 'all-in-one',
          projected: {
            sources: [
              { configMap: { name: 'cfg', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
              { configMap: { name: 'cfg', items: [{ key: 'log.yaml', path: 'log.yaml' }] } },
              { secret: { name: 'creds' } },
            ],
          },
        },
      ],
    };
    assert.deepEqual(podReferences(spec), [
      { kind: 'ConfigMap', name: 'cfg', keys: ['app.yaml', 'log.yaml'], optional: false, containers: ['app'] },
      { kind: 'Secret', name: 'creds', keys: 'all', optional: false, containers: ['app'] },
    ]);
  });

  test('items: an empty list projects every key; items without a usable key are skipped', () => {
    const volume = (items: unknown): unknown => ({ volumes: [{ name: 'v', configMap: { name: 'cfg', items } }] });
    assert.deepEqual(podReferences(volume([]))[0]?.keys, 'all');
    assert.deepEqual(podReferences(volume('nonsense'))[0]?.keys, 'all');
    assert.deepEqual(podReferences(volume([{ path: 'p' }, null, { key: 7 }]))[0]?.keys, 'all');
    assert.deepEqual(podReferences(volume([{ path: 'p' }, { key: 'k', path: 'k' }]))[0]?.keys, ['k']);
  });

  test('sorts names by code unit, not by locale', () => {
    const spec = {
      containers: [{ name: 'app', envFrom: ['b', 'B', 'a', 'a-1', 'a.1'].map((name) => ({ configMapRef: { name } })) }],
    };
    assert.deepEqual(
      podReferences(spec).map((r) => r.name),
      ['B', 'a', 'a-1', 'a.1', 'b'],
    );
  });

  test('malformed input yields no references and never throws', () => {
    for (const spec of [
      undefined,
      null,
      42,
      'spec',
      [],
      [{ containers: [] }],
      { containers: 'x' },
      { containers: {} },
      { volumes: 5 },
    ]) {
      assert.deepEqual(podReferences(spec), []);
    }
  });

  test('entries without a name, or key references without a key, are skipped; the rest of the spec still counts', () => {
    const spec = {
      initContainers: null,
      containers: [
        null,
        'container',
        {
          name: 'app',
          envFrom: [
            null,
            { configMapRef: null },
            { configMapRef: {} },
            { configMapRef: { name: '' } },
            { secretRef: { name: 9 } },
            { configMapRef: { name: 'good' } },
          ],
          env: [
            null,
            { name: 'A' },
            { name: 'B', valueFrom: 'x' },
            { name: 'C', valueFrom: { configMapKeyRef: { name: 'nokey' } } },
            { name: 'D', valueFrom: { secretKeyRef: { key: 'noname' } } },
            { name: 'E', valueFrom: { secretKeyRef: { name: 'ok', key: 'k' } } },
          ],
          volumeMounts: [null, { mountPath: '/x' }, { name: 42 }, { name: 'vol' }],
        },
      ],
      volumes: [
        null,
        { name: 'vol', configMap: { items: [{ key: 'k' }] } },
        { name: 'vol2', secret: { name: 'wrong-field-for-a-secret-volume' } },
        { name: 'vol3', projected: { sources: 'x' } },
        {
          name: 'vol4',
          projected: { sources: [null, { configMap: 'x' }, { secret: { secretName: 'wrong-field-for-projected' } }] },
        },
      ],
    };
    assert.deepEqual(podReferences(spec), [
      { kind: 'ConfigMap', name: 'good', keys: 'all', optional: false, containers: ['app'] },
      { kind: 'Secret', name: 'ok', keys: ['k'], optional: false, containers: ['app'] },
    ]);
  });

  test('a container without a name still contributes its references; a volume without a name still counts', () => {
    const spec = {
      containers: [
        { envFrom: [{ configMapRef: { name: 'cfg' } }] },
        { name: 7, env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      ],
      volumes: [{ secret: { secretName: 'unnamed-volume' } }],
    };
    assert.deepEqual(podReferences(spec), [
      { kind: 'ConfigMap', name: 'cfg', keys: 'all', optional: false, containers: [] },
      { kind: 'Secret', name: 's', keys: ['k'], optional: false, containers: [] },
      { kind: 'Secret', name: 'unnamed-volume', keys: 'all', optional: false, containers: [] },
    ]);
  });

  test('never throws on arbitrary JSON, and its output keeps its invariants', () => {
    const junk = fc.jsonValue({ maxDepth: 3 });
    const named = fc.constantFrom('a', 'b', '', undefined);
    const ref = fc.record(
      { name: named, key: fc.oneof(named, junk), optional: fc.oneof(fc.boolean(), junk) },
      { requiredKeys: [] },
    );
    const container = fc.record(
      {
        name: fc.oneof(named, junk),
        envFrom: fc.oneof(
          junk,
          fc.array(fc.record({ configMapRef: fc.oneof(ref, junk), secretRef: ref }, { requiredKeys: [] })),
        ),
        env: fc.oneof(
          junk,
          fc.array(
            fc.record({
              valueFrom: fc.oneof(junk, fc.record({ configMapKeyRef: ref, secretKeyRef: ref }, { requiredKeys: [] })),
            }),
          ),
        ),
        volumeMounts: fc.oneof(junk, fc.array(fc.record({ name: fc.oneof(named, junk) }))),
      },
      { requiredKeys: [] },
    );
    const source = fc.record(
      {
        name: named,
        secretName: named,
        items: fc.oneof(junk, fc.array(fc.record({ key: fc.oneof(named, junk) }))),
        optional: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    const volume = fc.record(
      {
        name: fc.oneof(named, junk),
        configMap: fc.oneof(source, junk),
        secret: source,
        projected: fc.oneof(
          junk,
          fc.record({
            sources: fc.oneof(
              junk,
              fc.array(fc.record({ configMap: source, secret: fc.oneof(source, junk) }, { requiredKeys: [] })),
            ),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    const spec = fc.oneof(
      fc.anything(),
      fc.record(
        {
          initContainers: fc.oneof(junk, fc.array(container)),
          containers: fc.oneof(junk, fc.array(container)),
          volumes: fc.oneof(junk, fc.array(volume)),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(spec, (s) => {
        const refs = podReferences(s);
        const slots = refs.map((r) => [r.kind, r.name] as const);
        for (let i = 1; i < slots.length; i++) {
          const [pk, pn] = slots[i - 1] ?? ['', ''];
          const [k, n] = slots[i] ?? ['', ''];
          assert.ok(pk < k || (pk === k && pn < n), 'sorted by kind then name, each object once');
        }
        for (const r of refs) {
          assert.ok(r.name !== '');
          if (r.keys !== 'all') {
            assert.ok(r.keys.length > 0);
            assert.deepEqual([...r.keys], [...new Set(r.keys)].sort());
          }
          assert.equal(new Set(r.containers).size, r.containers.length);
        }
      }),
    );
  });

  test('matches a simple model of the merge rules on generated well-formed pod specs', () => {
    type Use = { kind: ConfigKind; name: string; keys: 'all' | string[]; optional: boolean };
    const kind = fc.constantFrom<ConfigKind>('ConfigMap', 'Secret');
    const name = fc.constantFrom('app', 'db', 'tls');
    const key = fc.constantFrom('k1', 'k2', 'k3');
    const use = fc.record({
      kind,
      name,
      keys: fc.oneof(fc.constant<'all'>('all'), fc.uniqueArray(key, { minLength: 1 })),
      optional: fc.boolean(),
    });
    const keyUse = fc.record({ kind, name, keys: key.map((k) => [k]), optional: fc.boolean() });
    const volumes = fc.array(
      fc.record({ projected: fc.boolean(), uses: fc.array(use, { minLength: 1, maxLength: 3 }) }),
      { maxLength: 4 },
    );
    const container = fc.record({
      whole: fc.array(use.map((u) => ({ ...u, keys: 'all' as const }))),
      keyed: fc.array(keyUse),
      mounts: fc.array(fc.nat(5)),
    });
    const pod = fc.record({
      init: fc.array(container, { maxLength: 2 }),
      main: fc.array(container, { minLength: 1, maxLength: 3 }),
      volumes,
    });

    fc.assert(
      fc.property(pod, ({ init, main, volumes: vols }) => {
        const items = (u: Use): unknown => (u.keys === 'all' ? undefined : u.keys.map((k) => ({ key: k, path: k })));
        const plain = (u: Use): Record<string, unknown> =>
          u.kind === 'ConfigMap'
            ? { configMap: { name: u.name, items: items(u), optional: u.optional } }
            : { secret: { secretName: u.name, items: items(u), optional: u.optional } };
        const projected = (u: Use): unknown =>
          u.kind === 'ConfigMap'
            ? { configMap: { name: u.name, items: items(u), optional: u.optional } }
            : { secret: { name: u.name, items: items(u), optional: u.optional } };
        // A plain volume carries one object, so extra uses become further volumes.
        const volumeList = vols.flatMap((v, i) =>
          v.projected
            ? [{ name: `vol${i}`, projected: { sources: v.uses.map(projected) } }]
            : v.uses.map((u, j) => ({ name: j === 0 ? `vol${i}` : `vol${i}-${j}`, ...plain(u) })),
        );
        const renderContainer = (
          c: { whole: Use[]; keyed: Use[]; mounts: number[] },
          containerName: string,
        ): unknown => ({
          name: containerName,
          envFrom: c.whole.map((u) =>
            u.kind === 'ConfigMap'
              ? { configMapRef: { name: u.name, optional: u.optional } }
              : { secretRef: { name: u.name, optional: u.optional } },
          ),
          env: c.keyed.map((u) => ({
            name: 'E',
            valueFrom: {
              [u.kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef']: {
                name: u.name,
                key: u.keys[0],
                optional: u.optional,
              },
            },
          })),
          volumeMounts: c.mounts.map((m) => ({ name: `vol${m}`, mountPath: `/m${m}` })),
        });
        const named = [...init.map((c, i) => ({ c, n: `init${i}` })), ...main.map((c, i) => ({ c, n: `main${i}` }))];
        const spec = {
          initContainers: init.map((c, i) => renderContainer(c, `init${i}`)),
          containers: main.map((c, i) => renderContainer(c, `main${i}`)),
          volumes: volumeList,
        };

        // The model: every use with the containers it reaches, then grouped.
        const reached: { use: Use; container: string | undefined }[] = [];
        vols.forEach((v, i) => {
          const users = named.filter(({ c }) => c.mounts.includes(i)).map(({ n }) => n);
          v.uses.forEach((u, j) => {
            const mountedBy = v.projected || j === 0 ? users : [];
            reached.push({ use: u, container: undefined }, ...mountedBy.map((n) => ({ use: u, container: n })));
          });
        });
        for (const { c, n } of named) for (const u of [...c.whole, ...c.keyed]) reached.push({ use: u, container: n });
        const expected = new Map<string, ConfigReference>();
        for (const k of ['ConfigMap', 'Secret'] as const) {
          for (const nm of ['app', 'db', 'tls']) {
            const mine = reached.filter((r) => r.use.kind === k && r.use.name === nm);
            if (mine.length === 0) continue;
            const all = mine.some((r) => r.use.keys === 'all');
            const keys = all ? 'all' : [...new Set(mine.flatMap((r) => r.use.keys))].sort();
            const containers = named.map(({ n }) => n).filter((n) => mine.some((r) => r.container === n));
            expected.set(referenceKey(k, nm), {
              kind: k,
              name: nm,
              keys,
              optional: mine.every((r) => r.use.optional),
              containers,
            });
          }
        }
        assert.deepEqual(podReferences(spec), [...expected.values()]);
      }),
    );
  });
});

describe('referenceKey', () => {
  test('names the kind and the object, and tells kinds apart', () => {
    assert.equal(referenceKey('ConfigMap', 'app-settings'), 'ConfigMap/app-settings');
    assert.notEqual(referenceKey('ConfigMap', 'x'), referenceKey('Secret', 'x'));
  });
});

describe('CSI volumes', () => {
  test('a CSI volume names its SecretProviderClass, whole and not optional, for the containers that mount it', () => {
    const spec = {
      volumes: [
        {
          name: 'secrets',
          csi: { driver: 'secrets-store.csi.k8s.io', volumeAttributes: { secretProviderClass: 'vault-db' } },
        },
        { name: 'other', csi: { driver: 'x' } },
      ],
      containers: [{ name: 'app', volumeMounts: [{ name: 'secrets', mountPath: '/mnt' }] }, { name: 'side' }],
    };
    assert.deepEqual(podReferences(spec), [
      { kind: 'SecretProviderClass', name: 'vault-db', keys: 'all', optional: false, containers: ['app'] },
    ]);
  });
});

describe('podConfigUses', () => {
  test('every single use of the realistic pod spec, by container in spec order, init containers first, then the volumes no one mounts', () => {
    const uses = podConfigUses(webAppPodSpec()).map((u) =>
      [
        u.init ? `init ${u.container}` : (u.container ?? '-'),
        u.via,
        `${u.kind}/${u.name}`,
        u.volume ?? '',
        u.keys === 'all' ? '*' : u.keys.join(','),
        u.optional ? 'optional' : '',
      ].join(' '),
    );
    assert.deepEqual(uses, [
      'init migrate envFrom ConfigMap/web-settings  * ',
      'init migrate env Secret/db-credentials  password ',
      'web envFrom ConfigMap/web-settings  * ',
      'web envFrom Secret/web-extra  * optional',
      'web env Secret/db-credentials  username ',
      'web env ConfigMap/feature-flags  x optional',
      'web volume Secret/web-tls tls * ',
      'web projected ConfigMap/ca-bundle bundle ca.crt ',
      'web projected Secret/db-credentials bundle ca.pem optional',
      'proxy env ConfigMap/feature-flags  y optional',
      'proxy volume ConfigMap/proxy-config proxy-conf proxy.yaml,routes.yaml ',
      'proxy volume Secret/web-tls tls * ',
      '- volume ConfigMap/legacy-settings unused-settings * optional',
    ]);
  });

  test('a CSI volume is a use of its SecretProviderClass; a volume no container mounts has no container', () => {
    const csi = { volumes: [{ name: 'store', csi: { volumeAttributes: { secretProviderClass: 'vault' } } }] };
    assert.deepEqual(podConfigUses(csi), [
      {
        kind: 'SecretProviderClass',
        name: 'vault',
        via: 'csi',
        keys: 'all',
        optional: false,
        volume: 'store',
        container: undefined,
        init: false,
      },
    ]);
  });
});
