// The REPL in a real terminal: tmux runs test/tty/fixtures/chat-tty.ts (a Repl over in-process ChatNodes) in a
// detached 100x30 window; keys go in with `send-keys`, the screen comes back with `capture-pane`. Every wait polls
// the screen until a deadline; no fixed sleep decides a result.

import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {poll} from '../helpers/wait.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURE = fileURLToPath(new URL('fixtures/chat-tty.ts', import.meta.url))
const WAIT_MS = 15_000
const POLL_MS = 40

/**
 * Runs the command given after it and prints its exit status on the screen (tmux 3.3's #{pane_dead_status} is
 * not always filled in). No shell quoting: the command is passed as arguments.
 */
const REPORT_EXIT = ['sh', '-c', '"$@"; echo "[exit $?]"', 'sh']

const hasTmux = spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0

/** A received line as the plain format shows it. */
const FROM_PEDRO = /^\[Pedro \(127\.0\.0\.1:\d+\) said\]: /
const SGR = /\u001B\[[\d;]*m/

describe('REPL in a real terminal (tmux)', function () {
  this.timeout(60_000)

  let dir = ''
  let socket = ''
  const sessions: string[] = []
  let counter = 0

  before(function () {
    if (!hasTmux) {
      console.log('    (skipped: tmux is not on PATH; install it, e.g. `apt-get install -y tmux`, to run these tests)')
      this.skip()
    }

    dir = mkdtempSync(join(tmpdir(), 'chat-tty-'))
    // A private server: no user configuration, and nothing of anyone's own tmux is touched.
    socket = join(dir, 'tmux.sock')
    // A session that lives as long as the suite: tmux exits when its last session ends, and a test's new-session
    // racing that exit failed with "server exited unexpectedly".
    tmux('new-session', '-d', '-s', 'keeper', 'cat')
  })

  afterEach(() => {
    for (const session of sessions.splice(0)) {
      spawnSync('tmux', ['-S', socket, 'kill-session', '-t', session], {stdio: 'ignore'})
    }
  })

  after(() => {
    if (!hasTmux) return
    spawnSync('tmux', ['-S', socket, 'kill-server'], {stdio: 'ignore'})
    rmSync(dir, {recursive: true, force: true})
  })

  function tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {encoding: 'utf8'})
  }

  /**
   * Starts the fixture in a new window. `env` is set for it (an undefined value unsets the variable, so the
   * environment the tests run in cannot turn colour on or off behind their back).
   */
  function start(args: string[], env: Record<string, string | undefined> = {}): string {
    counter += 1
    const session = `chat-tty-${process.pid}-${counter}`
    const entries = Object.entries({NO_COLOR: undefined, FORCE_COLOR: undefined, ...env})
    // env(1) takes its -u options before the assignments
    const envArgs = [
      ...entries.flatMap(([key, value]) => (value === undefined ? ['-u', key] : [])),
      ...entries.flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`])),
    ]
    const command = [
      ...REPORT_EXIT,
      'env',
      ...envArgs,
      process.execPath,
      '--import',
      'tsx',
      FIXTURE,
      '--lang',
      'en',
      ...args,
    ]
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '100',
      '-y',
      '30',
      '-c',
      ROOT,
      ...command,
      ';',
      'set-option',
      '-t',
      session,
      'remain-on-exit',
      'on',
    )
    sessions.push(session)
    return session
  }

  function restart(session: string, args: string[]): void {
    const command = [
      ...REPORT_EXIT,
      'env',
      '-u',
      'NO_COLOR',
      '-u',
      'FORCE_COLOR',
      process.execPath,
      '--import',
      'tsx',
      FIXTURE,
      '--lang',
      'en',
      ...args,
    ]
    tmux('respawn-pane', '-k', '-t', session, '-c', ROOT, ...command)
  }

  /** The visible lines, trailing blanks trimmed; with `escapes`, colours and attributes as SGR codes. */
  function screen(session: string, escapes = false): string[] {
    const text = tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session)
    const lines = text.split('\n').map((line) => line.trimEnd())
    while (lines.length > 0 && lines.at(-1) === '') lines.pop()
    return lines
  }

  async function until(
    session: string,
    what: string,
    check: (lines: string[]) => boolean,
    escapes = false,
  ): Promise<string[]> {
    let lines: string[] = []
    try {
      return await poll(
        what,
        () => {
          lines = screen(session, escapes)
          return check(lines) && lines
        },
        {intervalMs: POLL_MS, timeoutMs: WAIT_MS},
      )
    } catch {
      throw new Error(`timed out waiting for ${what}; the screen was:\n${lines.join('\n')}`)
    }
  }

  const lastLine = (lines: string[]): string => lines.at(-1) ?? ''

  function promptIs(session: string, text: string): Promise<string[]> {
    return until(session, `the prompt line "${text}"`, (lines) => lastLine(lines) === text)
  }

  function keys(session: string, ...names: string[]): void {
    tmux('send-keys', '-t', session, ...names)
  }

  function type(session: string, text: string): void {
    tmux('send-keys', '-t', session, '-l', text)
  }

  async function exitStatus(session: string): Promise<number> {
    const lines = await until(session, 'the fixture to exit', (l) => l.some((line) => /^\[exit \d+\]$/.test(line)))
    return Number(/\d+/.exec(lines.find((line) => line.startsWith('[exit ')) ?? '')?.[0])
  }

  const floodNumbers = (lines: string[]): number[] =>
    lines.flatMap((line) => {
      const match = /said\]: flood (\d+)$/.exec(line)
      return match ? [Number(match[1])] : []
    })

  it('keeps the half-typed line intact while 50 messages a second arrive', async () => {
    const s = start(['--peer', 'Pedro', '--flood', '50', '--flood-count', '200'])
    await until(s, 'the flood to start', (lines) => Math.max(0, ...floodNumbers(lines)) >= 10)
    const text = 'typing while the flood goes on'
    for (const char of text) {
      type(s, char)
      // pace the keys like a fast typist, so they land between messages rather than in one burst
      await new Promise((resolve) => {
        setTimeout(resolve, 15)
      })
    }

    const during = await promptIs(s, `Julia> ${text}`)
    // The flood was still going on while typing ended.
    expect(Math.max(...floodNumbers(during))).to.be.below(200)
    const after = await until(s, 'the end of the flood', (lines) => floodNumbers(lines).includes(200))
    expect(lastLine(after)).to.equal(`Julia> ${text}`)
    // Every other row is one whole message: no prompt fragment, no message cut or glued to another.
    const rows = after.slice(0, -1).filter((line) => line !== '')
    for (const row of rows) expect(row).to.match(/^\[Pedro \(127\.0\.0\.1:\d+\) said\]: flood \d+$/)
    const numbers = floodNumbers(rows)
    expect(numbers).to.deep.equal(numbers.map((_, i) => numbers[0] + i))

    keys(s, 'Enter')
    await until(s, 'the sent line', (lines) => lines.includes(`You: ${text}`))
    await promptIs(s, 'Julia>')
  })

  it('recalls earlier lines with the arrows, also after a restart; /quit is not recalled', async () => {
    const historyDir = join(dir, 'history')
    const s = start(['--history-dir', historyDir])
    await promptIs(s, 'Julia>')
    for (const line of ['first line', 'second line']) {
      type(s, line)
      keys(s, 'Enter')
      await until(s, line, (lines) => lines.includes(`You: ${line}`))
    }

    keys(s, 'Up')
    await promptIs(s, 'Julia> second line')
    keys(s, 'Up')
    await promptIs(s, 'Julia> first line')
    keys(s, 'Down')
    await promptIs(s, 'Julia> second line')
    keys(s, 'Down')
    await promptIs(s, 'Julia>')
    type(s, '/quit')
    keys(s, 'Enter')
    expect(await exitStatus(s)).to.equal(0)

    restart(s, ['--history-dir', historyDir])
    await until(s, 'the new session', (lines) => lines.at(-1) === 'Julia>' && !lines.includes('You: first line'))
    keys(s, 'Up')
    await promptIs(s, 'Julia> second line')
    keys(s, 'Up')
    await promptIs(s, 'Julia> first line')
  })

  it('moves by word with Alt+B/F and Ctrl+←/→, and asks before sending a pasted block of lines', async () => {
    const s = start([])
    await promptIs(s, 'Julia>')
    type(s, 'oi Ana tudo')
    keys(s, 'M-b', 'M-b')
    type(s, 'X')
    keys(s, 'C-Right')
    type(s, '!')
    keys(s, 'C-Left', 'C-Left', 'M-f')
    type(s, '-')
    await promptIs(s, 'Julia> oi- XAna! tudo')
    keys(s, 'End', 'C-u')
    await promptIs(s, 'Julia>')
    // tmux wraps the buffer in ESC[200~ … ESC[201~ only because the prompt turned bracketed paste on.
    tmux('set-buffer', '-b', 'block', 'first\n/quit is text here\nthird')
    tmux('paste-buffer', '-p', '-d', '-b', 'block', '-t', s)
    await until(s, 'the question', (lines) => lines.includes('Pasted 3 lines: Enter sends 3 messages, Esc cancels.'))
    keys(s, 'Enter')
    const lines = await until(s, 'the three messages', (l) => l.includes('You: third'))
    expect(lines.filter((line) => line.startsWith('You: '))).to.deep.equal([
      'You: first',
      'You: /quit is text here',
      'You: third',
    ])
    await promptIs(s, 'Julia>')
  })

  it('completes commands and peer names with Tab, and lists the choices when it cannot decide', async () => {
    const s = start(['--peer', 'Pedro'])
    await until(s, 'Pedro joining', (lines) =>
      lines.some((line) => /^\* Pedro \(127\.0\.0\.1:\d+\) joined\.$/.test(line)),
    )
    type(s, '/pe')
    keys(s, 'Tab')
    // (capture-pane drops the space Tab adds after a whole word)
    await promptIs(s, 'Julia> /peers')
    keys(s, 'Enter')
    const table = await until(s, 'the peers table', (lines) => lines.some((line) => /^ {2}Pedro /.test(line)))
    expect(table).to.include('Connected peers (1):')
    expect(table).to.include('  name   address          fingerprint  since  direction  via  score')
    expect(table.find((line) => line.startsWith('  Pedro '))).to.match(
      /^ {2}Pedro {2}127\.0\.0\.1:\d{5} {2}[\da-f]{4}:[\da-f]{4} {4}\d\d:\d\d {2}in {9}tcp {2}[\d.]+$/,
    )

    type(s, 'hi @Pe')
    keys(s, 'Tab')
    await promptIs(s, 'Julia> hi @Pedro')
    keys(s, 'C-c')
    await promptIs(s, 'Julia>')
    type(s, '/h')
    keys(s, 'Tab')
    const choices = await until(s, 'the choices', (lines) => lines.at(-2) === '/help  /history')
    expect(lastLine(choices)).to.equal('Julia> /h')
  })

  it('colours names, mentions and notices on a terminal', async () => {
    const s = start(['--peer', 'Pedro', '--say', 'hello @Julia'])
    const lines = await until(s, 'the mention', (l) => l.some((line) => line.includes('@Julia')), true)
    const message = lines.find((line) => line.includes('@Julia')) ?? ''
    // the name is coloured (a 256- or 16-colour foreground), the mention highlighted and marked in reverse video
    expect(message).to.match(/\u001B\[(?:[\d;]*;)?(?:38;5;\d+|3\d|9\d)m(?:\u001B\[[\d;]*m)*Pedro/)
    expect(message).to.match(/\u001B\[7m@Julia/)
    const joined = lines.find((line) => line.includes('joined')) ?? ''
    expect(joined).to.match(SGR)
  })

  it('is plain text with NO_COLOR, in the exact formats, with --timestamps', async () => {
    const s = start(['--peer', 'Pedro', '--say', 'hello @Julia', '--timestamps'], {NO_COLOR: '1'})
    const lines = await until(
      s,
      'the message',
      (l) => l.some((line) => line.includes('@Julia')) && l.at(-1) === 'Julia>',
      true,
    )
    for (const line of lines) expect(line).not.to.match(SGR)
    const message = lines.find((line) => line.includes('@Julia')) ?? ''
    expect(message.slice(6)).to.match(FROM_PEDRO)
    expect(message).to.match(/^\d\d:\d\d \[Pedro \(127\.0\.0\.1:\d+\) said\]: hello @Julia$/)
    expect(lines[0]).to.equal('Interface ready. Type /help to see the available commands.')
  })

  it('shows your own message once: `You: …` replaces the typed line; a long one wraps under its text', async () => {
    const s = start(['--peer', 'Pedro'])
    await promptIs(s, 'Julia>')
    type(s, 'ola')
    keys(s, 'Enter')
    await until(s, 'the sent line', (lines) => lines.includes('You: ola'))
    await promptIs(s, 'Julia>')
    expect(screen(s)).not.to.include('Julia> ola')

    const long = Array.from({length: 24}, (_, i) => `palavra${i + 1}`).join(' ')
    type(s, long)
    keys(s, 'Enter')
    const lines = await until(s, 'the long line', (l) => l.some((line) => line.includes('palavra24')))
    const first = lines.findIndex((line) => line.startsWith('You: palavra1 '))
    const last = lines.findIndex((line) => line.includes('palavra24'))
    expect(first).to.be.at.least(0)
    const rows = lines.slice(first, last + 1)
    expect(rows.length).to.be.greaterThan(1)
    // every row within the 100 columns, continuation rows under the text ("You: " is 5 wide), no word cut
    for (const row of rows) expect(row.length).to.be.at.most(100)
    for (const row of rows.slice(1)) expect(row).to.match(/^ {5}palavra\d+( palavra\d+)*$/)
    expect(rows.map((row) => row.trim()).join(' ')).to.equal(`You: ${long}`)
    expect(lines.join('\n')).not.to.include(`Julia> ${long.slice(0, 40)}`)
  })

  it('completes /msg Ana M to the quoted "Ana Maria", and refuses /msg Ana Maria when Ana is there too', async () => {
    const s = start(['--peer', 'Ana', '--peer', 'Ana Maria'])
    await until(
      s,
      'both peers',
      (lines) =>
        lines.some((line) => line.startsWith('* Ana Maria (')) && lines.some((line) => line.startsWith('* Ana (')),
    )
    type(s, '/msg Ana M')
    keys(s, 'Tab')
    // (capture-pane drops the space Tab adds after the name)
    await promptIs(s, 'Julia> /msg "Ana Maria"')
    keys(s, 'C-u')
    await promptIs(s, 'Julia>')
    // the nodes announce their keys for direct messages shortly after connecting: ask again until /msg knows them
    let asked = 0
    await until(s, 'the refusal', (lines) => {
      if (lines.some((line) => line.includes('could mean more than one node'))) return true
      if (Date.now() - asked > 500) {
        asked = Date.now()
        type(s, '/msg Ana Maria hello')
        keys(s, 'Enter')
      }

      return false
    })
    const refused = screen(s).join(' ')
    expect(refused).to.match(
      /"Ana" could mean more than one node: Ana \(127\.0\.0\.1:\d+\) [\da-f]{4}:[\da-f]{4}, Ana Maria/,
    )
    expect(refused).not.to.include('[you → Ana]')
  })

  it('/ignore hides an author at once (Tab completes the name), /ignore lists, /unignore shows them again', async () => {
    const s = start(['--peer', 'Pedro', '--flood', '10'])
    await until(s, 'Pedro talking', (lines) => floodNumbers(lines).length > 0)
    type(s, '/ign')
    keys(s, 'Tab')
    await promptIs(s, 'Julia> /ignore')
    type(s, 'Pe') // after the space Tab added
    keys(s, 'Tab')
    await promptIs(s, 'Julia> /ignore Pedro')
    keys(s, 'Enter')
    const ignoring = /^Ignoring Pedro \([\da-f]{4}:[\da-f]{4}\): their messages are no longer shown or logged here/
    await until(s, 'the ignore notice', (lines) => lines.some((line) => ignoring.test(line)))
    // Ten messages a second keep coming: none shows under the notice (a second and a half of them).
    const deadline = Date.now() + 1500
    while (Date.now() < deadline) {
      const lines = screen(s)
      const at = lines.findIndex((line) => ignoring.test(line))
      expect(floodNumbers(lines.slice(at + 1)), 'messages shown after /ignore').to.deep.equal([])
      await new Promise((resolve) => {
        setTimeout(resolve, 100)
      })
    }

    type(s, '/ignore')
    keys(s, 'Enter')
    const list = await until(s, 'the list', (lines) => lines.some((line) => line.startsWith('Ignored (1): Pedro ')))
    expect(list.find((line) => line.startsWith('Ignored (1)'))).to.match(
      /^Ignored \(1\): Pedro [\da-f]{4}:[\da-f]{4}\. \d+ messages hidden this session\.$/,
    )
    type(s, '/unignore P')
    keys(s, 'Tab')
    await promptIs(s, 'Julia> /unignore Pedro')
    keys(s, 'Enter')
    await until(s, 'Pedro back', (lines) => {
      const at = lines.findIndex((line) => / is no longer ignored\.$/.test(line))
      return at !== -1 && floodNumbers(lines.slice(at + 1)).length > 0
    })
    keys(s, 'C-c')
  })

  it('clears a typed line with Ctrl+C, and leaves with Ctrl+C on an empty line', async () => {
    const s = start([])
    await promptIs(s, 'Julia>')
    type(s, 'never sent')
    await promptIs(s, 'Julia> never sent')
    keys(s, 'C-c')
    await promptIs(s, 'Julia>')
    keys(s, 'C-c')
    expect(await exitStatus(s)).to.equal(0)
    const lines = screen(s)
    expect(lines).to.include('[fixture] bye')
    expect(lines.join('\n')).not.to.include('You: never sent')
  })

  it('leaves with Ctrl+D on an empty line', async () => {
    const s = start([])
    await promptIs(s, 'Julia>')
    keys(s, 'C-d')
    expect(await exitStatus(s)).to.equal(0)
    expect(screen(s)).to.include('[fixture] bye')
  })
})
