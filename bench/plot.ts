import { quantile, TRAFFIC } from './cells';
import { cell, failRate, type LimitResults } from './report';
import type { Strategy } from './strategies';

const COLORS = ['#d62728', '#ff7f0e', '#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd'];
const W = 380;
const H = 250;
const M = { left: 52, right: 12, top: 34, bottom: 40 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number) => Number(x.toFixed(1)).toString();

interface Series {
  label: string;
  color: string;
  /** y per traffic level; null = not reached (drawn as an open marker at the top). */
  ys: (number | null)[];
  /** Wider for earlier series, so identical lines stay visible under later ones. */
  width: number;
}

function panel(x0: number, y0: number, title: string, yLabel: string, yMax: number, yTicks: number[], series: Series[]): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const lx = (t: number) => x0 + M.left + ((Math.log10(t) - Math.log10(TRAFFIC[0]!)) / (Math.log10(TRAFFIC.at(-1)!) - Math.log10(TRAFFIC[0]!))) * pw;
  const ly = (v: number) => y0 + M.top + ph - (Math.min(v, yMax) / yMax) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const t of yTicks) {
    out.push(`<line x1="${x0 + M.left}" x2="${x0 + M.left + pw}" y1="${fmt(ly(t))}" y2="${fmt(ly(t))}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + M.left - 5}" y="${fmt(ly(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  for (const t of TRAFFIC) {
    out.push(`<text x="${fmt(lx(t))}" y="${y0 + M.top + ph + 15}" text-anchor="middle">${t.toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${x0 + M.left + pw / 2}" y="${y0 + H - 6}" text-anchor="middle">sessions per minute (log scale)</text>`);
  out.push(`<text transform="translate(${x0 + 14},${y0 + M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  for (const s of series) {
    const pts = TRAFFIC.map((t, i) => ({ x: lx(t), y: s.ys[i] === null ? ly(yMax) : ly(s.ys[i]!), open: s.ys[i] === null }));
    const path = pts.map((p, i) => `${i ? 'L' : 'M'}${fmt(p.x)},${fmt(p.y)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="${s.width}" stroke-opacity="0.85"/>`);
    for (const p of pts) out.push(`<circle cx="${fmt(p.x)}" cy="${fmt(p.y)}" r="3.5" fill="${p.open ? 'white' : s.color}" stroke="${s.color}"/>`);
  }
  return out.join('\n');
}

/**
 * Per limit: median minutes to fail a 4× regression, and false rollbacks of
 * healthy releases at half the limit, against traffic, one line per strategy.
 */
export function buildPlot(limits: LimitResults[], strategies: Strategy[], windowSec: number): string {
  const rows = limits.length;
  const legendH = 26;
  const width = 2 * W;
  const height = rows * H + legendH;
  const parts: string[] = [];
  limits.forEach((r, i) => {
    const y0 = legendH + i * H;
    const strokeOf = (j: number) => 1.5 + 1.2 * (strategies.length - 1 - j);
    const detect = strategies.map((s, j) => ({
      label: s.label,
      color: COLORS[j % COLORS.length]!,
      width: strokeOf(j),
      ys: TRAFFIC.map((t) => {
        const m = quantile(cell(r, 'r4', t).byStrategy[s.key]!.failTimes, 0.5);
        return Number.isFinite(m) ? m / 60 : null;
      }),
    }));
    const falseRb = strategies.map((s, j) => ({
      label: s.label,
      color: COLORS[j % COLORS.length]!,
      width: strokeOf(j),
      ys: TRAFFIC.map((t) => 100 * failRate(cell(r, 'h0.5', t), s.key)),
    }));
    const peak = Math.max(5, ...falseRb.flatMap((s) => s.ys as number[]));
    const yMax = Math.ceil(peak / 10) * 10 || 10;
    const ticks = Array.from({ length: 6 }, (_, k) => Math.round((k * yMax) / 5));
    const win = windowSec / 60;
    parts.push(
      panel(
        0,
        y0,
        `4× regression, limit ${r.minCrashFree}: median minutes to fail`,
        'minutes (○ = most never)',
        win,
        [0, 2, 4, 6, 8, 10].filter((t) => t <= win),
        detect,
      ),
    );
    parts.push(panel(W, y0, `healthy 0.5×, limit ${r.minCrashFree}: false rollbacks`, '% of releases failed', yMax, ticks, falseRb));
  });
  const legend = strategies
    .map((s, j) => {
      const x = 10 + j * (width / strategies.length);
      return `<rect x="${fmt(x)}" y="8" width="14" height="4" fill="${COLORS[j % COLORS.length]}"/><text x="${fmt(x + 18)}" y="14">${esc(s.label)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${legend}
${parts.join('\n')}
</svg>
`;
}
