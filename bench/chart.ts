import type { Step } from './ramp.ts';

export interface Series { label: string; color: string; dashed: boolean; points: Array<[number, number]> }

const W = 720;
const H = 420;
const M = { left: 70, right: 170, top: 40, bottom: 55 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The ramp's p50 and p99 against the offered rate, per NOTIFY setting, on a log latency axis. */
export function latencySeries(ramps: Array<{ notify: boolean; steps: Step[] }>): Series[] {
  return ramps.flatMap(({ notify, steps }) => [
    { label: `p50, NOTIFY ${notify ? 'on' : 'off'}`, color: notify ? '#1f77b4' : '#d62728', dashed: false, points: steps.map((s) => [s.offered, s.latency.p50] as [number, number]) },
    { label: `p99, NOTIFY ${notify ? 'on' : 'off'}`, color: notify ? '#1f77b4' : '#d62728', dashed: true, points: steps.map((s) => [s.offered, s.latency.p99] as [number, number]) },
  ]);
}

/** Hand-written SVG: axes, grid, one polyline per series, a legend. No dependencies. */
export function renderChart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points).filter(([, y]) => y > 0 && Number.isFinite(y));
  const xMax = niceCeil(Math.max(100, ...all.map(([x]) => x)));
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all.map(([, y]) => y)))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...all.map(([, y]) => y))));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x: number) => M.left + (x / xMax) * pw;
  const py = (y: number) => M.top + ph - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (let d = yMin; d <= yMax * 1.0001; d *= 10) {
    for (const k of [1, 2, 5]) {
      const y = d * k;
      if (y > yMax * 1.0001) break;
      out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${M.left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${y >= 1 ? y : y.toFixed(1)}</text>`);
    }
  }
  for (let i = 0; i <= 5; i++) {
    const x = (xMax / 5) * i;
    out.push(`<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">posting rate offered (messages/s, 3 replicas)</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">latency POST to other replicas' streams (ms, log)</text>`);
  const limit = py(1000);
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${limit.toFixed(1)}" y2="${limit.toFixed(1)}" stroke="#999" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${M.left + 6}" y="${(limit - 5).toFixed(1)}" fill="#777">p99 limit of the ramp: 1 s</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${s.color}"/>`);
    const ly = M.top + 10 + i * 20;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= x) return k * p;
  return 10 * p;
}
