// Small pure formatters of the human output: clock times and aligned tables (cut to a terminal's width).

import {displayWidth, padEnd} from './width.js'

const two = (n: number): string => String(n).padStart(2, '0')

/** `HH:MM` in local time. */
export function formatClock(time: Date | number): string {
  const date = typeof time === 'number' ? new Date(time) : time
  return `${two(date.getHours())}:${two(date.getMinutes())}`
}

/** `HH:MM` for a time today, `YYYY-MM-DD HH:MM` for any other day (local time); `?` for an unreadable time. */
export function formatStamp(time: Date | number | string, now: Date | number = Date.now()): string {
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return '?'
  const today = new Date(now)
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate()
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`
  return sameDay ? formatClock(date) : `${day} ${formatClock(date)}`
}

/** A table cell: sanitised text, and how to colour it once padded widths are known. */
export interface Cell {
  text: string
  paint?: (text: string) => string
}

/**
 * Rows aligned in columns two spaces apart, each line starting with `indent`. Widths are terminal columns, padding
 * goes outside the colour codes, and the last column is not padded (no trailing spaces).
 */
export function formatTable(rows: ReadonlyArray<ReadonlyArray<Cell | string>>, indent = '  '): string[] {
  const {cells, widths} = measure(rows)
  return cells.map((row) => {
    const parts = row.map((cell, i) => {
      const painted = cell.paint ? cell.paint(cell.text) : cell.text
      return i === row.length - 1 ? painted : painted + padEnd('', widths[i] - displayWidth(cell.text))
    })
    return indent + parts.join('  ')
  })
}

/** The terminal columns the widest line of `formatTable(rows, indent)` takes. */
export function tableWidth(rows: ReadonlyArray<ReadonlyArray<Cell | string>>, indent = '  '): number {
  const {cells, widths} = measure(rows)
  return Math.max(
    0,
    ...cells.map(
      (row) =>
        displayWidth(indent) +
        row.reduce((sum, cell, i) => sum + (i === row.length - 1 ? displayWidth(cell.text) : widths[i] + 2), 0),
    ),
  )
}

/**
 * `formatTable(rows)` with as many of its columns as fit in `columns` terminal columns (all when undefined): the last
 * ones go first, one at a time, keeping at least `fewest`. Undefined when not even those fit.
 */
export function fitTable(
  rows: ReadonlyArray<ReadonlyArray<Cell | string>>,
  columns: number | undefined,
  fewest: number,
): string[] | undefined {
  for (let keep = Math.max(0, ...rows.map((row) => row.length)); keep >= fewest; keep--) {
    const table = rows.map((row) => row.slice(0, keep))
    if (columns === undefined || tableWidth(table) <= columns) return formatTable(table)
  }

  return undefined
}

function measure(rows: ReadonlyArray<ReadonlyArray<Cell | string>>): {cells: Cell[][]; widths: number[]} {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? {text: cell} : cell)))
  const columns = Math.max(0, ...cells.map((row) => row.length))
  const widths = Array.from({length: columns}, (_, i) =>
    Math.max(0, ...cells.map((row) => displayWidth(row[i]?.text ?? ''))),
  )
  return {cells, widths}
}
