import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

type Labels = Record<string, string>;

/**
 * The replica's Prometheus registry, on prom-client: counters, gauges (set or read on scrape),
 * histograms, plus Node's own figures (event-loop lag, heap, GC, handles). Each instance has its
 * own prom-client Registry, not the global one, because tests run several replicas in one process.
 * A metric keeps the label names of its first use.
 */
export class Metrics {
  private registry = new Registry();
  private metrics = new Map<string, Metric>();
  private collectors: Array<() => void> = [];

  constructor(constLabels: Labels = {}) {
    this.registry.setDefaultLabels(constLabels);
    collectDefaultMetrics({ register: this.registry });
  }

  private get<T extends Metric>(name: string, make: () => T): T {
    let m = this.metrics.get(name);
    if (!m) this.metrics.set(name, (m = make()));
    return m as T;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const c = this.get(name, () => new Counter({ name, help, labelNames: Object.keys(labels), registers: [this.registry] }));
    c.inc(labels, by);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    const g = this.get(name, () => new Gauge({ name, help, labelNames: Object.keys(labels), registers: [this.registry] }));
    g.set(labels, value);
  }

  observe(name: string, help: string, value: number, buckets: number[]): void {
    this.get(name, () => new Histogram({ name, help, buckets, registers: [this.registry] })).observe(value);
  }

  /** Runs before every scrape, to read gauges that live elsewhere (pool use, open streams). */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    for (const fn of this.collectors) fn();
    return this.registry.metrics();
  }
}
