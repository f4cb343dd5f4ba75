// Whom a /msg is for. The rule under test: a direct message never reaches a node the sender did not clearly name;
// anything that reads two ways is refused with the candidates.
import {expect} from 'chai'

import type {NodeInfo} from '../../src/p2p/types.js'

import {fingerprint, generateIdentity} from '../../src/p2p/identity.js'
import {parseLine} from '../../src/repl/commands.js'
import {quoteName, readQuoted, resolveRecipient} from '../../src/repl/recipient.js'

const node = (name: string, port: number): NodeInfo => ({id: generateIdentity().id, name, host: '127.0.0.1', port})
const ANA = node('Ana', 5001)
const ANA_MARIA = node('Ana Maria', 5002)
const PEDRO = node('Pedro', 5003)

/** What a typed `/msg` line resolves to, through the real parser. */
function resolve(line: string, known: NodeInfo[]): ReturnType<typeof resolveRecipient> | 'usage' {
  const command = parseLine(line)
  if (command.kind === 'usage') return 'usage'
  if (command.kind !== 'msg') throw new Error(`${line} is not a /msg`)
  return resolveRecipient(command.target, known)
}

describe('repl /msg recipient', () => {
  it('never sends "Maria hello" to Ana when Ana Maria is known too (issue 12)', () => {
    const verdict = resolve('/msg Ana Maria hello', [ANA, ANA_MARIA, PEDRO])
    expect(verdict).to.deep.include({kind: 'ambiguous', name: 'Ana'})
    expect(verdict).to.have.property('candidates').that.has.deep.members([ANA, ANA_MARIA])
  })

  it('takes a quoted name exactly, whatever else is known', () => {
    expect(resolve('/msg "Ana Maria" hello  there', [ANA, ANA_MARIA])).to.deep.equal({
      kind: 'found',
      node: ANA_MARIA,
      text: 'hello  there',
    })
    expect(resolve('/msg "ana" Maria hello', [ANA, ANA_MARIA])).to.deep.equal({
      kind: 'found',
      node: ANA,
      text: 'Maria hello',
    })
    expect(resolve('/msg "Ana M" hi', [ANA, ANA_MARIA])).to.deep.equal({kind: 'unknown', name: 'Ana M'})
  })

  it('takes a fingerprint as that key', () => {
    const twin = node('Ana', 5009)
    expect(resolve(`/msg ${fingerprint(twin.id)} hi`, [ANA, twin])).to.deep.equal({
      kind: 'found',
      node: twin,
      text: 'hi',
    })
    expect(resolve('/msg 0000:0000 hi', [ANA])).to.deep.equal({kind: 'unknown', name: '0000:0000'})
  })

  it('takes the full name with spaces when no other reading exists', () => {
    expect(resolve('/msg Ana Maria hello', [ANA_MARIA, PEDRO])).to.deep.equal({
      kind: 'found',
      node: ANA_MARIA,
      text: 'hello',
    })
    expect(resolve('/msg ana maria hello', [ANA_MARIA])).to.deep.equal({kind: 'found', node: ANA_MARIA, text: 'hello'})
    // "Ana Maria" is not a reading of "Ana Mariana": names end at a word boundary
    expect(resolve('/msg Ana Mariana hi', [ANA, ANA_MARIA])).to.deep.equal({
      kind: 'found',
      node: ANA,
      text: 'Mariana hi',
    })
    expect(resolve('/msg Ana hello', [ANA, ANA_MARIA])).to.deep.equal({kind: 'found', node: ANA, text: 'hello'})
    expect(resolve('/msg @Pedro oi', [PEDRO])).to.deep.equal({kind: 'found', node: PEDRO, text: 'oi'})
  })

  it('refuses a name two keys use, listing both', () => {
    const twin = node('ana', 5009)
    const verdict = resolve('/msg Ana hi', [ANA, twin, PEDRO])
    expect(verdict).to.deep.equal({kind: 'ambiguous', name: 'Ana', candidates: [ANA, twin]})
  })

  it('refuses a line that could be a name without text for one node and a message for another', () => {
    // "/msg Ana Maria": Ana Maria with no text, or "Maria" for Ana
    expect(resolve('/msg Ana Maria', [ANA, ANA_MARIA])).to.have.property('kind', 'ambiguous')
    expect(resolve('/msg Ana Maria', [ANA_MARIA])).to.deep.equal({kind: 'usage'})
  })

  it('says who is unknown, and refuses malformed quoting', () => {
    expect(resolve('/msg Julia hi', [ANA])).to.deep.equal({kind: 'unknown', name: 'Julia'})
    expect(resolve('/msg @Julia hi', [ANA])).to.deep.equal({kind: 'unknown', name: 'Julia'})
    expect(resolve('/msg "Ana Maria hi', [ANA_MARIA])).to.equal('usage')
    expect(resolve('/msg "Ana Maria"hi', [ANA_MARIA])).to.equal('usage')
    expect(resolve('/msg "Ana Maria"', [ANA_MARIA])).to.equal('usage')
    expect(resolve('/msg ""  hi', [ANA_MARIA])).to.equal('usage')
    expect(resolve('/msg Pedro', [PEDRO])).to.equal('usage')
  })

  it('quotes names that need it, and reads them back', () => {
    for (const name of ['Ana Maria', 'say "hi"', String.raw`a \ b`, '@bot', 'ab12:cd34', ' lead']) {
      const quoted = quoteName(name)
      expect(quoted.startsWith('"'), name).to.equal(true)
      expect(readQuoted(`${quoted} text`)).to.deep.equal({name, rest: ' text'})
    }

    expect(quoteName('Pedro')).to.equal('Pedro')
    expect(quoteName('Zoë')).to.equal('Zoë')
    expect(quoteName(String.raw`back\slash`)).to.equal(String.raw`back\slash`)
    expect(readQuoted('no quote')).to.equal(undefined)
  })
})
