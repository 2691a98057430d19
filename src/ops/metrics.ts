type Labels = Record<string, string>;

interface Series { help: string; type: 'counter' | 'gauge' | 'histogram'; values: Map<string, number> }

const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

/** A small Prometheus registry: counters, gauges (set or read on scrape) and fixed-bucket histograms. */
export class Metrics {
  private series = new Map<string, Series>();
  private collectors: Array<() => void> = [];

  constructor(private constLabels: Labels = {}) {}

  private get(name: string, help: string, type: Series['type']): Series {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { help, type, values: new Map() }));
    return s;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const s = this.get(name, help, 'counter');
    const key = labelKey({ ...this.constLabels, ...labels });
    s.values.set(key, (s.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.get(name, help, 'gauge').values.set(labelKey({ ...this.constLabels, ...labels }), value);
  }

  observe(name: string, help: string, value: number, buckets: number[]): void {
    const s = this.get(name, help, 'histogram');
    const base = this.constLabels;
    for (const le of buckets) {
      if (value <= le) {
        const key = labelKey({ ...base, le: String(le) });
        s.values.set(key, (s.values.get(key) ?? 0) + 1);
      } else if (!s.values.has(labelKey({ ...base, le: String(le) }))) {
        s.values.set(labelKey({ ...base, le: String(le) }), 0);
      }
    }
    const inf = labelKey({ ...base, le: '+Inf' });
    s.values.set(inf, (s.values.get(inf) ?? 0) + 1);
    this.inc(`${name}_sum`, help, {}, value);
  }

  /** Runs before every scrape, to read gauges that live elsewhere (pool use, open streams). */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const fn of this.collectors) fn();
    let out = '';
    for (const [name, s] of this.series) {
      if (name.endsWith('_sum') && this.series.get(name.slice(0, -4))?.type === 'histogram') continue;
      out += `# HELP ${name} ${s.help}\n# TYPE ${name} ${s.type}\n`;
      const suffix = s.type === 'histogram' ? '_bucket' : '';
      for (const [key, v] of s.values) out += `${name}${suffix}{${key}} ${v}\n`;
      if (s.type === 'histogram') {
        const count = s.values.get(labelKey({ ...this.constLabels, le: '+Inf' })) ?? 0;
        const sum = this.series.get(`${name}_sum`)?.values.get(labelKey(this.constLabels)) ?? 0;
        out += `${name}_sum{${labelKey(this.constLabels)}} ${sum}\n${name}_count{${labelKey(this.constLabels)}} ${count}\n`;
      }
    }
    return out;
  }
}
