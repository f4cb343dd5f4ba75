import {expect} from 'chai'

import {fitTable, formatClock, formatStamp, formatTable} from '../../src/repl/format.js'

describe('repl format', () => {
  it('formats a local clock time as HH:MM', () => {
    expect(formatClock(new Date(2026, 10, 25, 7, 5, 59))).to.equal('07:05')
    expect(formatClock(new Date(2026, 10, 25, 23, 59).getTime())).to.equal('23:59')
  })

  it('adds the date to a time that is not today', () => {
    const now = new Date(2026, 10, 25, 12, 0)
    expect(formatStamp(new Date(2026, 10, 25, 9, 30).toISOString(), now)).to.equal('09:30')
    expect(formatStamp(new Date(2026, 10, 24, 9, 30).toISOString(), now)).to.equal('2026-11-24 09:30')
    expect(formatStamp('not a date', now)).to.equal('?')
  })

  it('aligns columns two spaces apart, without trailing spaces', () => {
    expect(
      formatTable([
        ['name', 'address', 'dir'],
        ['Pedro', '127.0.0.1:5001', 'in'],
        ['Ana', '10.0.0.1:5', 'out'],
      ]),
    ).to.deep.equal(['  name   address         dir', '  Pedro  127.0.0.1:5001  in', '  Ana    10.0.0.1:5      out'])
  })

  it('pads by terminal columns and outside the colour codes', () => {
    const red = (s: string) => `<${s}>`
    const lines = formatTable(
      [
        [{text: '日本', paint: red}, 'x'],
        [{text: 'abcde', paint: red}, 'y'],
      ],
      '',
    )
    // 日本 takes four columns of the five: one space of padding, then the two between columns
    expect(lines).to.deep.equal(['<日本>   x', '<abcde>  y'])
  })

  it('drops the last columns, one at a time, until the table fits; none when the fewest do not', () => {
    const rows = [
      ['name', 'address', 'dir'],
      ['Pedro', '127.0.0.1:5001', 'in'],
    ]
    expect(fitTable(rows, undefined, 2)).to.deep.equal(formatTable(rows))
    expect(fitTable(rows, 28, 2)).to.deep.equal(formatTable(rows))
    expect(fitTable(rows, 27, 2)).to.deep.equal(['  name   address', '  Pedro  127.0.0.1:5001'])
    expect(fitTable(rows, 22, 2)).to.equal(undefined)
  })
})
