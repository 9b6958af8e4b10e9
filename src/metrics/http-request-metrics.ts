import type { Registry } from 'prom-client';

type Labels = { method: string; route: string; status: string };

/** One line of a metric as prom-client's registry prints it (lib/registry.js). */
interface Value {
  readonly metricName?: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** Upper bounds of the duration histogram's buckets, in seconds. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative; the last one is +Inf). */
  readonly buckets: number[];
}

/**
 * `http_requests_total` and `http_request_duration_seconds`, counted on every response and turned
 * into prom-client's format only when Prometheus scrapes. prom-client's own Counter and Histogram
 * validate and hash the label object on every call; here a request costs one Map lookup by a
 * string key and a few additions (it was the third largest cost of a request in a CPU profile).
 */
export class HttpRequestMetrics {
  private readonly series = new Map<string, Series>();

  constructor(registry: Registry) {
    registry.registerMetric(this.metric('http_requests_total', 'counter', this.requests));
    registry.registerMetric(
      this.metric('http_request_duration_seconds', 'histogram', this.durations),
    );
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
      };
      this.series.set(key, series);
    }
    series.count++;
    series.sum += seconds;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]!++;
  }

  private readonly requests = (): Value[] =>
    [...this.series.values()].map(({ labels, count }) => ({ labels, value: count }));

  private readonly durations = (): Value[] => {
    const name = 'http_request_duration_seconds';
    const values: Value[] = [];
    for (const { labels, count, sum, buckets } of this.series.values()) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += buckets[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative });
      });
      values.push({
        metricName: `${name}_bucket`,
        labels: { le: '+Inf', ...labels },
        value: count,
      });
      values.push({ metricName: `${name}_sum`, labels, value: sum });
      values.push({ metricName: `${name}_count`, labels, value: count });
    }
    return values;
  };

  /** What a prom-client registry needs of a metric: its name, type, help and values. */
  private metric(name: string, type: 'counter' | 'histogram', values: () => Value[]) {
    const help =
      type === 'counter'
        ? 'HTTP requests by method, route pattern and status.'
        : 'HTTP request duration by method, route pattern and status.';
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.series.clear(),
    };
    // prom-client types registerMetric's argument as its own Metric class; the registry only
    // reads name, type, get() and reset() (lib/registry.js), which this object has.
    return metric as unknown as Parameters<Registry['registerMetric']>[0];
  }
}
