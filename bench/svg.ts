// A latency CDF as a small standalone SVG (log-scale time axis), written by the bench from this run's samples.

export interface Series {
  label: string
  values: readonly number[]
  color: string
}

const W = 720
const PLOT_H = 400
const M = {left: 60, right: 20, top: 48, bottom: 50}

function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

export function cdfSvg(title: string, xLabel: string, series: Series[], note = ''): string {
  const H = PLOT_H + 14 + Math.ceil(series.length / 2) * 18
  const all = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v))
  if (all.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60"><text x="10" y="30">${esc(title)}: no data</text></svg>\n`
  let lo = 10 ** Math.floor(Math.log10(Math.min(...all)))
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...all)))
  if (hi / lo < 10) hi = lo * 10
  lo = Math.max(lo, 1e-3)
  const x = (v: number): number =>
    M.left +
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - M.left - M.right)
  const y = (p: number): number => PLOT_H - M.bottom - p * (PLOT_H - M.top - M.bottom)
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  )
  // Grid: decades and 2×, 5× marks on x; tenths on y.
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m
      if (v > hi * 1.0001) continue
      const px = x(v)
      out.push(
        `<line x1="${px.toFixed(1)}" y1="${M.top}" x2="${px.toFixed(1)}" y2="${PLOT_H - M.bottom}" stroke="${m === 1 ? '#bbb' : '#eee'}"/>`,
        `<text x="${px.toFixed(1)}" y="${PLOT_H - M.bottom + 16}" text-anchor="middle" fill="#333">${v >= 1 ? v.toFixed(0) : v.toPrecision(1)}</text>`,
      )
    }
  }

  for (let p = 0; p <= 1.0001; p += 0.1) {
    const py = y(p)
    out.push(
      `<line x1="${M.left}" y1="${py.toFixed(1)}" x2="${W - M.right}" y2="${py.toFixed(1)}" stroke="${Math.abs(p - 0.5) < 1e-9 || Math.abs(p - 1) < 1e-9 ? '#bbb' : '#eee'}"/>`,
      `<text x="${M.left - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end" fill="#333">${p.toFixed(1)}</text>`,
    )
  }

  const p99 = y(0.99)
  out.push(
    `<line x1="${M.left}" y1="${p99.toFixed(1)}" x2="${W - M.right}" y2="${p99.toFixed(1)}" stroke="#c88" stroke-dasharray="4 3"/>`,
    `<text x="${W - M.right - 4}" y="${(p99 - 4).toFixed(1)}" text-anchor="end" fill="#a66">p99</text>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${PLOT_H - 12}" text-anchor="middle">${esc(xLabel)} (log scale)</text>`,
    `<text x="16" y="${(M.top + PLOT_H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(M.top + PLOT_H - M.bottom) / 2})">fraction of (message, receiver) pairs</text>`,
  )

  const drawn: Array<Array<[number, number]>> = []
  for (const s of series) {
    const sorted = s.values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
    if (sorted.length === 0) continue
    // At most ~600 points: enough for a smooth step curve.
    const stride = Math.max(1, Math.floor(sorted.length / 600))
    const points: Array<[number, number]> = [[x(sorted[0]), y(0)]]
    for (let i = 0; i < sorted.length; i += stride) points.push([x(sorted[i]), y((i + 1) / sorted.length)])
    points.push([x(sorted.at(-1)!), y(1)])
    drawn.push(points)
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`,
    )
  }

  // The legend: below the axis title, two entries a row, clear of the curves.
  const legendTop = PLOT_H + 10
  for (const [k, s] of series.entries()) {
    const lx = M.left + (k % 2) * 300
    const ly = legendTop + Math.floor(k / 2) * 18
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 24}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${ly}" fill="#222">${esc(s.label)}</text>`,
    )
  }

  if (note) out.push(`<text x="${W - M.right}" y="38" text-anchor="end" fill="#666" font-size="11">${esc(note)}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
