import type { RE2JS } from 're2js';

/** The longest entry of a named list; a longer one is skipped. Config names have at most 253 characters. */
export const MAX_ENTRY_LENGTH = 256;
/** The longest named list, in characters and in distinct entries; a longer one is ignored whole. */
export const MAX_LIST_LENGTH = 4096;
export const MAX_LIST_ENTRIES = 64;
/** Distinct lists kept compiled; the least recently used goes first. */
const CACHE_SIZE = 128;

/** A named-mode entry, or a whole list, that is not used: reported, and skipped. */
export interface InvalidPattern {
  readonly annotation: string;
  readonly pattern: string;
  readonly error: string;
}

/** One named list (`configmap.reloader.stakater.com/reload: "a,b-.*"`), compiled. */
export interface NameList {
  /** Whether some usable entry matches the whole name. */
  matches(name: string): boolean;
  /** What is not used: entries RE2 rejects or that are too long, or the whole list when it is too long. */
  readonly invalid: readonly Omit<InvalidPattern, 'annotation'>[];
}

type Engine = typeof RE2JS;

/**
 * Compiles Stakater's named lists: each comma-separated entry is a Go
 * regexp (RE2 syntax) that must match the whole name, as `^(?:entry)$`.
 * Matching runs on re2js, a port of RE2 that never backtracks, so its cost
 * is linear in the name for a given list whatever a tenant writes. The
 * usable entries of a list become one alternation, matched in one pass.
 *
 * re2js costs about 11 MiB of RSS once loaded, so it is loaded only by
 * `load()`, which the caller awaits before the first `compile()` of a
 * non-empty list. Each distinct list is compiled once and kept in a small
 * cache, not on every reconcile.
 */
export class NameListCompiler {
  #engine: Engine | undefined;
  #loading: Promise<void> | undefined;
  readonly #cache = new Map<string, NameList>();

  /** Whether `load()` has completed, so that `compile()` may be called synchronously. */
  get loaded(): boolean {
    return this.#engine !== undefined;
  }

  /** Loads the regex engine once; later calls resolve at once. */
  async load(): Promise<void> {
    this.#loading ??= import('re2js').then((m) => {
      this.#engine = m.RE2JS;
    });
    await this.#loading;
  }

  /** The compiled form of an annotation value; throws when a non-empty list comes before `load()`. */
  compile(value: string): NameList {
    const cached = this.#cache.get(value);
    if (cached !== undefined) {
      this.#cache.delete(value);
      this.#cache.set(value, cached);
      return cached;
    }
    const list = this.#build(value);
    if (value.length <= MAX_LIST_LENGTH) this.#cache.set(value, list);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value ?? '');
    return list;
  }

  #build(value: string): NameList {
    const entries = value.length > MAX_LIST_LENGTH ? [] : commaList(value);
    if (value.length > MAX_LIST_LENGTH || entries.length > MAX_LIST_ENTRIES) {
      return {
        matches: () => false,
        invalid: [
          {
            pattern: value,
            error: `the list is longer than ${MAX_LIST_LENGTH} characters or ${MAX_LIST_ENTRIES} entries, so none of it is used`,
          },
        ],
      };
    }
    if (entries.length === 0) return { matches: () => false, invalid: [] };
    const engine = this.#engine;
    if (engine === undefined) throw new Error('NameListCompiler.load() must complete before a named list is compiled');
    const invalid: { pattern: string; error: string }[] = [];
    const usable: string[] = [];
    for (const pattern of entries) {
      if (pattern.length > MAX_ENTRY_LENGTH) {
        invalid.push({ pattern, error: `longer than ${MAX_ENTRY_LENGTH} characters` });
        continue;
      }
      try {
        engine.compile(pattern);
        usable.push(pattern);
      } catch (err) {
        invalid.push({
          pattern,
          error: `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    if (usable.length === 0) return { matches: () => false, invalid };
    // Each entry compiled alone, so wrapping it in a group keeps its meaning.
    const re = engine.compile(usable.map((p) => `(?:${p})`).join('|'));
    return { matches: (name) => re.matches(name), invalid };
  }
}

/** A comma list's distinct entries, trimmed, without empty ones. */
export function commaList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}
