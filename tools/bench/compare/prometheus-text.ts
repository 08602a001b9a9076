/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * The samples of `name` in a Prometheus text exposition (comments and other
 * metrics skipped). One pass over each line, no regular expressions: label
 * values may hold any character, with `\\`, `\"` and `\n` escaped.
 */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const after = line.charAt(name.length);
    if (after !== '{' && after !== ' ') continue;
    const labels: Record<string, string> = {};
    let i = name.length;
    if (after === '{') {
      i++;
      while (i < line.length && line[i] !== '}') {
        const eq = line.indexOf('=', i);
        if (eq < 0 || line[eq + 1] !== '"') return out;
        const key = line.slice(i, eq).trim();
        let value = '';
        let j = eq + 2;
        for (; j < line.length && line[j] !== '"'; j++) {
          let c = line.charAt(j);
          if (c === '\\' && j + 1 < line.length) {
            j++;
            c = line.charAt(j) === 'n' ? '\n' : line.charAt(j);
          }
          value += c;
        }
        labels[key] = value;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const value = Number(line.slice(i).trim().split(' ')[0]);
    if (!Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/** The sum of every sample of `name` whose labels include `match`; 0 when there is none. */
export function sum(text: string, name: string, match: Readonly<Record<string, string>> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** Like `sum`, but undefined when the metric is not exposed at all. */
export function optionalSum(text: string, name: string): number | undefined {
  const found = samples(text, name);
  return found.length === 0 ? undefined : found.reduce((total, s) => total + s.value, 0);
}
