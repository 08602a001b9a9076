import { invalid, q, type ValueParser } from './value-parser.ts';

const CSV_ALLOWED = 'comma-separated items; an item in double quotes may hold commas, and "" in it is one quote';

/**
 * The items of a value as Stakater's list flags (pflag StringSlice) read it:
 * one CSV record, as Go's encoding/csv reads it, so an item in double quotes
 * may hold commas. Unlike Go, blanks around a quoted item are allowed.
 * Linear in the length of `raw`.
 */
export function csvItems(raw: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (;;) {
    let at = start;
    while (raw[at] === ' ' || raw[at] === '\t') at++;
    if (raw[at] === '"') {
      let item = '';
      at++;
      for (;;) {
        const close = raw.indexOf('"', at);
        if (close === -1) return invalid(`${q(raw)} has a '"' without its closing '"' (allowed: ${CSV_ALLOWED})`);
        item += raw.slice(at, close);
        at = close + 1;
        if (raw[at] !== '"') break;
        item += '"';
        at++;
      }
      while (raw[at] === ' ' || raw[at] === '\t') at++;
      if (at < raw.length && raw[at] !== ',')
        invalid(`${q(raw)} has text after a closing '"' (allowed: ${CSV_ALLOWED})`);
      items.push(item);
    } else {
      const comma = raw.indexOf(',', at);
      at = comma === -1 ? raw.length : comma;
      const item = raw.slice(start, at);
      if (item.includes('"'))
        invalid(`${q(raw)} has a '"' inside an item that does not start with one (allowed: ${CSV_ALLOWED})`);
      items.push(item);
    }
    if (at >= raw.length) return items;
    start = at + 1;
  }
}

/** A comma list as Stakater's list flags take it (CSV): entries trimmed, empty ones dropped, each checked by `item`. */
export function commaList<T>(item: ValueParser<T>): ValueParser<T[]> {
  return (raw) =>
    csvItems(raw)
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map(item);
}

/** `list` without repeats, first occurrence first. */
export function distinct<T>(list: ValueParser<T[]>): ValueParser<T[]> {
  return (raw) => [...new Set(list(raw))];
}

/** How a repeated list flag adds up: every item once, first occurrence first. */
export const concat = <T>(a: T[], b: T[]): T[] => [...new Set([...a, ...b])];
