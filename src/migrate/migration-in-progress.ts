import { isMap, type Values } from './helm-values.ts';

/** The release a migrated file is written for: Stakater's watch list and HA anti-affinity name them, which a values file must spell out. */
export interface Release {
  readonly name: string;
  readonly namespace: string;
}
export const DEFAULT_RELEASE: Release = Object.freeze({ name: 'mini-reloader', namespace: 'mini-reloader' });

/** A migration being written: what each area's mapping reads from the Stakater file and writes to ours. */
export interface MigrationInProgress {
  readonly release: Release;
  /** The values written so far: the input's keys that are not Stakater's own, then what the mappings put. */
  readonly values: Values;
  /** Output path (dotted) to the sentences saying where its value came from. */
  readonly comments: Map<string, string[]>;
  /** Input keys this chart cannot honour, each with what to do instead. */
  readonly refused: string[];
  /** The input's value at a dotted path. */
  readonly at: (path: string) => unknown;
  /** The input's value at `reloader.<key>`. */
  readonly r: (key: string) => unknown;
  /** "from reloader.<key>", the comment of a value taken from it. */
  readonly from: (key: string) => string;
  /** Adds a comment to an output path. */
  readonly note: (path: string, text: string) => void;
  /** Writes a value at a dotted output path, with its comment. */
  readonly put: (path: string, value: unknown, text: string) => void;
  /** Refuses an input key, saying what to do instead. */
  readonly refuse: (path: string, text: string) => void;
}

/** A migration of `input` into `values`, with nothing mapped yet. */
export function startMigration(input: Values, values: Values, release: Release): MigrationInProgress {
  const comments = new Map<string, string[]>();
  const refused: string[] = [];
  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((node, k) => (isMap(node) ? node[k] : undefined), input);
  const note = (path: string, text: string): void => {
    comments.set(path, [...(comments.get(path) ?? []), text]);
  };
  const put = (path: string, value: unknown, text: string): void => {
    const keys = path.split('.');
    let node = values;
    for (const k of keys.slice(0, -1)) {
      if (!isMap(node[k])) node[k] = {};
      node = node[k] as Values;
    }
    node[keys.at(-1) ?? path] = value;
    note(path, text);
  };
  const refuse = (path: string, text: string): void => {
    refused.push(`${path}: ${text}`);
  };
  const r = (key: string): unknown => at(`reloader.${key}`);
  const from = (key: string): string => `from reloader.${key}`;
  return { release, values, comments, refused, at, r, from, note, put, refuse };
}
