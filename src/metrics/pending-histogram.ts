/**
 * A prom-client Histogram with one label whose observations are totalled in plain numbers and written into
 * it when it is scraped (its `collect`), not observed one by one: prom-client's `observe` makes a label
 * object, a closure and a label-key string for every value, and the control-software call histogram is
 * observed on every card read (docs/performance.md, round 7).
 *
 * The exposition stays byte for byte what `observe` would have made: the totals are kept as prom-client
 * keeps them (the sum grown value by value in the same order from 0, the count, one count per bucket bound
 * the value fits under) and written over its entry for the label value, created in the order the label
 * values were first seen. That entry is prom-client's internal `hashMap`, so whether it is there, shaped as
 * prom-client 15 shapes it, is checked once on a throw-away histogram; when it is not, every value is
 * observed directly as before. test/unit/metrics/pending-histogram.test.ts compares the exposition with a
 * plain Histogram fed the same values.
 */
import { Histogram, Registry } from 'prom-client';

interface Totals {
  sum: number;
  count: number;
  /** Per bucket bound, in the histogram's order. */
  readonly buckets: number[];
}

/** prom-client 15's entry per label set (histogram.js `createBaseValues`). */
interface PromEntry {
  labels: Record<string, string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

type EntryMap = Record<string, PromEntry>;

/** The label key prom-client files a one-label value under (util.js `hashObject`). */
const keyOf = (label: string, value: string): string => `${label}:${value},`;

function entriesOf(histogram: Histogram<string>): EntryMap | null {
  const map = (histogram as unknown as { hashMap?: unknown }).hashMap;
  return map !== null && typeof map === 'object' ? (map as EntryMap) : null;
}

/** Whether prom-client keeps a histogram's values where and as this file writes them. */
function promShapeAsExpected(): boolean {
  try {
    const probe = new Histogram({ name: 'probe', help: 'probe', labelNames: ['l'], buckets: [1, 2], registers: [new Registry()] });
    probe.observe({ l: 'x' }, 1.5);
    const entry = entriesOf(probe)?.[keyOf('l', 'x')];
    return (
      !!entry &&
      entry.sum === 1.5 &&
      entry.count === 1 &&
      entry.bucketValues['1'] === 0 &&
      entry.bucketValues['2'] === 1 &&
      entry.labels['l'] === 'x' &&
      Object.keys(entry).join() === 'labels,bucketValues,sum,count'
    );
  } catch {
    return false;
  }
}

let shapeChecked: boolean | undefined;

export class PendingHistogram {
  readonly #label: string;
  readonly #bounds: readonly number[];
  readonly #totals = new Map<string, Totals>();
  #histogram: Histogram<string> | null = null;
  readonly #direct: boolean;

  constructor(label: string, bounds: readonly number[]) {
    this.#label = label;
    this.#bounds = bounds;
    this.#direct = !(shapeChecked ??= promShapeAsExpected());
  }

  /** The histogram this one writes into; its `collect` must call {@link handOver}. */
  attach(histogram: Histogram<string>): void {
    this.#histogram = histogram;
  }

  observe(value: string, seconds: number): void {
    // prom-client refuses a value that is not a finite number (TypeError): let it, as before.
    if (this.#direct || !Number.isFinite(seconds)) {
      this.#histogram!.observe({ [this.#label]: value }, seconds);
      return;
    }
    let totals = this.#totals.get(value);
    if (!totals) this.#totals.set(value, (totals = { sum: 0, count: 0, buckets: this.#bounds.map(() => 0) }));
    totals.sum += seconds;
    totals.count += 1;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        totals.buckets[i]! += 1;
        break;
      }
    }
  }

  /**
   * Writes every label value's totals into the histogram (from its `collect`, before prom-client reads it):
   * a few dozen control-software functions at most, once per scrape.
   */
  handOver(): void {
    const histogram = this.#histogram;
    if (this.#direct || !histogram) return;
    const entries = entriesOf(histogram)!;
    for (const [value, totals] of this.#totals) {
      const key = keyOf(this.#label, value);
      let entry = entries[key];
      if (!entry) {
        // What prom-client's `observe` makes for a label set it has not seen, with every bound at 0.
        const bucketValues: Record<string, number> = {};
        for (const bound of this.#bounds) bucketValues[bound] = 0;
        entries[key] = entry = { labels: { [this.#label]: value }, bucketValues, sum: 0, count: 0 };
      }
      entry.sum = totals.sum;
      entry.count = totals.count;
      this.#bounds.forEach((bound, i) => (entry.bucketValues[bound] = totals.buckets[i]!));
    }
  }
}
