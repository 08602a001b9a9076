/** What `/metrics` answers with: the Prometheus text exposition format, version 0.0.4. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** A value for every label name of a metric. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

/** One line of a metric family: the name's suffix (`_bucket`, `_sum`, `_count`, or none), its labels, its value. */
export interface Sample {
  readonly suffix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Something that renders metric families when scraped, each as renderFamily makes it. */
export interface Collector {
  render(): readonly string[] | Promise<readonly string[]>;
}

export interface MetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  /** The labels every series has, in the order the exposition shows them; none: one series, there from the start at 0. */
  readonly labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, ascending and finite; `+Inf` is added. */
  readonly buckets: readonly number[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Metrics of one process or test, rendered in the order they were declared.
 * Declaring a metric is one call (`registry.counter({ name, help, labelNames })`);
 * names are checked once, there, and may not repeat.
 */
export class Registry {
  readonly contentType = CONTENT_TYPE;
  readonly #collectors: Collector[] = [];
  readonly #names = new Set<string>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#declare(options, new Counter(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#declare(options, new Gauge(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#declare(options, new Histogram(options));
  }

  /** Adds families computed at scrape time (e.g. the process metrics), rendered after those declared before. */
  register(collector: Collector): void {
    this.#collectors.push(collector);
  }

  /** Every family in the exposition format, a blank line between two. */
  async metrics(): Promise<string> {
    const families: string[] = [];
    for (const collector of this.#collectors) families.push(...(await collector.render()));
    return families.join('\n');
  }

  #declare<M extends Collector>(options: MetricOptions<string>, metric: M): M {
    if (this.#names.has(options.name)) throw new Error(`metric ${options.name} is declared twice`);
    this.#names.add(options.name);
    this.register(metric);
    return metric;
  }
}

/** The series of one metric, one per distinct set of label values, in the order first seen. */
class SeriesSet<L extends string, S> {
  readonly #name: string;
  readonly #labelNames: readonly L[];
  readonly #make: () => S;
  readonly #series = new Map<string, { readonly labels: Labels<L>; readonly state: S }>();

  constructor(options: MetricOptions<L>, reserved: readonly string[], make: () => S) {
    const labelNames = options.labelNames ?? [];
    if (!METRIC_NAME.test(options.name)) throw new Error(`${JSON.stringify(options.name)} is not a metric name`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || reserved.includes(label))
        throw new Error(`${options.name}: ${JSON.stringify(label)} is not a label name it may have`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`${options.name}: a label name repeats`);
    this.#name = options.name;
    this.#labelNames = labelNames;
    this.#make = make;
    if (labelNames.length === 0) this.get(undefined);
  }

  /** The series for `labels`, made on first use. Throws when a label has no string value. */
  get(labels: Labels<L> | undefined): S {
    const values = this.#values(labels);
    const key = JSON.stringify(values);
    let entry = this.#series.get(key);
    if (entry === undefined) {
      entry = {
        labels: Object.fromEntries(this.#labelNames.map((label, i) => [label, values[i]])) as Labels<L>,
        state: this.#make(),
      };
      this.#series.set(key, entry);
    }
    return entry.state;
  }

  /** The series for `labels` if it exists. */
  find(labels: Labels<L> | undefined): S | undefined {
    return this.#series.get(JSON.stringify(this.#values(labels)))?.state;
  }

  entries(): IterableIterator<{ readonly labels: Labels<L>; readonly state: S }> {
    return this.#series.values();
  }

  #values(labels: Labels<L> | undefined): string[] {
    return this.#labelNames.map((label) => {
      const value: unknown = labels?.[label];
      if (typeof value !== 'string') throw new Error(`${this.#name}: label ${label} needs a string value`);
      return value;
    });
  }
}

/** Splits the (labels, number) and (number) call forms. */
function labelsAndNumber<L extends string>(
  a: Labels<L> | number | undefined,
  b: number | undefined,
  fallback: number,
): [Labels<L> | undefined, number] {
  return typeof a === 'number' ? [undefined, a] : [a, b ?? fallback];
}

/** A number per series; what a counter and a gauge hold. */
interface Cell {
  value: number;
}

/** What a counter and a gauge share: one number per series. */
class NumberMetric<L extends string> implements Collector {
  readonly name: string;
  readonly #help: string;
  readonly #type: MetricType;
  readonly #series: SeriesSet<L, Cell>;

  constructor(options: MetricOptions<L>, type: MetricType) {
    this.name = options.name;
    this.#help = options.help;
    this.#type = type;
    this.#series = new SeriesSet(options, [], () => ({ value: 0 }));
  }

  /** Every series with its value. */
  values(): { readonly labels: Labels<L>; readonly value: number }[] {
    return [...this.#series.entries()].map(({ labels, state }) => ({ labels, value: state.value }));
  }

  render(): string[] {
    return [renderFamily(this.name, this.#help, this.#type, this.values())];
  }

  protected cell(labels: Labels<L> | undefined): Cell {
    return this.#series.get(labels);
  }
}

/** A value that only goes up (or restarts at 0 with the process). */
export class Counter<L extends string = never> extends NumberMetric<L> {
  constructor(options: MetricOptions<L>) {
    super(options, 'counter');
  }

  /** Adds `by` (default 1, never negative); `inc(labels, 0)` makes the series visible at 0. */
  inc(labels: Labels<L>, by?: number): void;
  inc(by?: number): void;
  inc(a?: Labels<L> | number, b?: number): void {
    const [labels, by] = labelsAndNumber(a, b, 1);
    if (!(by >= 0)) throw new Error(`${this.name}: a counter cannot go down (inc by ${by})`);
    this.cell(labels).value += by;
  }
}

/** A value that is set to what it is now. */
export class Gauge<L extends string = never> extends NumberMetric<L> {
  constructor(options: MetricOptions<L>) {
    super(options, 'gauge');
  }

  set(labels: Labels<L>, value: number): void;
  set(value: number): void;
  set(a: Labels<L> | number, b?: number): void {
    const [labels, value] = labelsAndNumber(a, b, Number.NaN);
    this.cell(labels).value = value;
  }
}

/** Observations counted into buckets; each series keeps a count per bucket, the sum and the count. */
interface HistogramCells {
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Where observations fell; rendered with cumulative `_bucket{le}` lines, `_sum` and `_count`. */
export class Histogram<L extends string = never> implements Collector {
  readonly #options: HistogramOptions<L>;
  readonly #bounds: readonly number[];
  readonly #series: SeriesSet<L, HistogramCells>;

  constructor(options: HistogramOptions<L>) {
    const bounds = options.buckets;
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] ?? b)))) {
      throw new Error(`${options.name}: buckets must be finite and strictly ascending`);
    }
    this.#options = options;
    this.#bounds = [...bounds, Number.POSITIVE_INFINITY];
    this.#series = new SeriesSet(options, ['le'], () => ({ counts: this.#bounds.map(() => 0), sum: 0, count: 0 }));
  }

  observe(labels: Labels<L>, value: number): void;
  observe(value: number): void;
  observe(a: Labels<L> | number, b?: number): void {
    const [labels, value] = labelsAndNumber(a, b, Number.NaN);
    const cells = this.#series.get(labels);
    const found = this.#bounds.findIndex((bound) => value <= bound);
    // NaN is below no bound, so it counts in +Inf only, as in the Go client.
    const bucket = found === -1 ? cells.counts.length - 1 : found;
    cells.counts[bucket] = (cells.counts[bucket] ?? 0) + 1;
    cells.sum += value;
    cells.count += 1;
  }

  /** One series: cumulative bucket counts (by upper bound, +Inf last), sum and count; undefined before its first observation. */
  snapshot(labels: Labels<L>):
    | {
        readonly buckets: readonly { readonly le: number; readonly count: number }[];
        readonly sum: number;
        readonly count: number;
      }
    | undefined {
    const cells = this.#series.find(labels);
    if (cells === undefined) return undefined;
    let running = 0;
    const buckets = this.#bounds.map((le, i) => ({ le, count: (running += cells.counts[i] ?? 0) }));
    return { buckets, sum: cells.sum, count: cells.count };
  }

  render(): string[] {
    const samples: Sample[] = [];
    for (const { labels, state } of this.#series.entries()) {
      let running = 0;
      this.#bounds.forEach((bound, i) => {
        running += state.counts[i] ?? 0;
        samples.push({ suffix: '_bucket', labels: { le: formatNumber(bound), ...labels }, value: running });
      });
      samples.push({ suffix: '_sum', labels, value: state.sum }, { suffix: '_count', labels, value: state.count });
    }
    return [renderFamily(this.#options.name, this.#options.help, 'histogram', samples)];
  }
}

/** One family in the exposition format: `# HELP`, `# TYPE`, then a line per sample, each line ending in "\n". */
export function renderFamily(name: string, help: string, type: MetricType, samples: Iterable<Sample>): string {
  let out = `# HELP ${name} ${help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n# TYPE ${name} ${type}\n`;
  for (const { suffix = '', labels = {}, value } of samples) {
    const pairs = Object.entries(labels).map(([label, v]) => `${label}="${escapeLabelValue(v)}"`);
    out += `${name}${suffix}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${formatNumber(value)}\n`;
  }
  return out;
}

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A sample value or bucket bound as the format spells it: `+Inf`, `-Inf`, `NaN`, else JavaScript's shortest form. */
function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}
