/** The objects of one benchmark scale, created before either controller runs. */
export interface Scale {
  readonly name: string;
  readonly configMaps: number;
  readonly secrets: number;
  /** Bytes in the one value of each ConfigMap and Secret. */
  readonly valueBytes: number;
  readonly deployments: number;
  readonly namespaces: number;
  /** How long a controller may take to sync before its run counts as failed. */
  readonly syncTimeoutMs: number;
}

/** The three scales of issue 10, where the footprint was measured, and the value-doubling check. */
export const SCALES: readonly Scale[] = [
  {
    name: 'small',
    configMaps: 100,
    secrets: 100,
    valueBytes: 1024,
    deployments: 150,
    namespaces: 5,
    syncTimeoutMs: 60_000,
  },
  {
    name: 'medium',
    configMaps: 2500,
    secrets: 2500,
    valueBytes: 8 * 1024,
    deployments: 600,
    namespaces: 20,
    syncTimeoutMs: 180_000,
  },
  {
    name: 'large',
    configMaps: 10_000,
    secrets: 10_000,
    valueBytes: 16 * 1024,
    deployments: 2100,
    namespaces: 50,
    syncTimeoutMs: 600_000,
  },
  {
    // Medium with every value twice as long: a controller that keeps no values barely moves.
    name: 'medium-values-x2',
    configMaps: 2500,
    secrets: 2500,
    valueBytes: 16 * 1024,
    deployments: 600,
    namespaces: 20,
    syncTimeoutMs: 180_000,
  },
];

/** What runs without --scales: the three scales of issue 10. */
export const DEFAULT_SCALES = 'small,medium,large';

/** The scales named in a comma list, in the order given. */
export function pickScales(list: string): Scale[] {
  return list.split(',').map((name) => {
    const scale = SCALES.find((s) => s.name === name.trim());
    if (scale === undefined)
      throw new Error(`unknown scale "${name}": pick from ${SCALES.map((s) => s.name).join(', ')}`);
    return scale;
  });
}
