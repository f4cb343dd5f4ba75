// Command wiring that needs no network and no second process: flag validation, exit codes, what goes to stdout and
// stderr. Run in this process with oclif's runCommand (on the built `dist/`); the end-to-end runs are elsewhere.
import {expect} from 'chai'

import {runInProcess, tempDir} from '../helpers/cli.js'

describe('commands (in process)', () => {
  describe('log tail', () => {
    for (const [what, args, pattern] of [
      ['no --port', [], /Missing required flag port/],
      ['a port out of range', ['--port', '70000'], /less than or equal to 65535/],
      ['port 0', ['--port', '0'], /greater than or equal to 1/],
      ['a port that is not a number', ['--port', 'abc'], /Expected an integer/],
      ['a negative -n', ['--port', '5000', '-n', '-1'], /greater than or equal to 0/],
      ['an unknown flag', ['--port', '5000', '--bogus'], /Nonexistent flag: --bogus/],
    ] as const) {
      it(`refuses ${what} with exit 2 and prints nothing`, async () => {
        const r = await runInProcess(['log', 'tail', ...args])
        expect(r.exit, r.message).to.equal(2)
        expect(r.message).to.match(pattern)
        expect(r.stdout).to.equal('')
      })
    }

    it('says there is no history for a port with exit 2', async () => {
      const dir = tempDir()
      try {
        const r = await runInProcess(['log', 'tail', '--port', '5999', '--log-dir', dir.path])
        expect(r.exit).to.equal(2)
        expect(r.message).to.match(/^no history for port 5999 in /)
      } finally {
        dir.remove()
      }
    })
  })

  describe('room invite', () => {
    it('prints only the code on stdout and the hint on stderr', async () => {
      const r = await runInProcess(['room', 'invite'])
      expect(r.exit).to.equal(0)
      expect(r.stdout).to.match(/^chat-invite-[\w-]{43}\n$/)
      expect(r.stderr).to.include('share it only with its members')
      expect(r.stderr).to.include(`CHAT_SECRET=${r.stdout.trim()} chat start`)
    })

    it('gives the hint in Portuguese with --lang pt, the code alone on stdout as before', async () => {
      const r = await runInProcess(['room', 'invite', '--lang', 'pt'])
      expect(r.exit).to.equal(0)
      expect(r.stdout).to.match(/^chat-invite-[\w-]{43}\n$/)
      expect(r.stderr).to.include('compartilhe-o só com os membros')
      expect(r.stderr).to.include(`CHAT_SECRET=${r.stdout.trim()} chat start`)
      expect(r.stderr).to.not.include('share it only')
    })

    it('prints one JSON object and no hint with --json, a new code each time', async () => {
      const [a, b] = [
        await runInProcess(['room', 'invite', '--json']),
        await runInProcess(['room', 'invite', '--json']),
      ]
      for (const r of [a, b]) {
        expect(r.stderr).to.equal('')
        expect(JSON.parse(r.stdout)).to.have.keys('invite')
      }

      expect(a.stdout).to.not.equal(b.stdout)
    })

    it('refuses an unknown flag with exit 2, and an extra word as no such command (127, as a shell does)', async () => {
      const flag = await runInProcess(['room', 'invite', '--bogus'])
      expect(flag.exit).to.equal(2)
      expect(flag.stdout).to.equal('')
      // With topics separated by spaces, `room invite extra` names a command `room invite extra`: oclif's
      // plugin-not-found says there is none and where the list is (on a terminal it asks "Did you mean …?").
      const word = await runInProcess(['room', 'invite', 'extra'])
      expect(word.exit).to.equal(127)
      expect(word.stderr + word.message).to.include('room invite extra is not a chat command')
      expect(word.stdout).to.equal('')
    })
  })

  describe('start', () => {
    for (const [what, args, pattern] of [
      ['a port out of range', ['--port', '70000'], /70000/],
      ['a port that is not a number', ['--port', 'abc'], /abc/],
      ['a malformed --join', ['--join', 'nohost'], /expected HOST:PORT/],
      ['a --join with a bad port', ['--join', '127.0.0.1:0'], /valid port/],
      ['an unknown --lang', ['--lang', 'fr'], /fr/],
    ] as const) {
      // Flag parsing fails before a node is built: nothing listens, nothing is written.
      it(`refuses ${what} with a clear message and exit 2`, async () => {
        const r = await runInProcess(['start', '--name', 'X', ...args])
        expect(r.exit, r.message).to.equal(2)
        expect(r.message).to.match(pattern)
        expect(r.stdout).to.equal('')
      })
    }
  })

  describe('send', () => {
    for (const [what, args, pattern] of [
      ['no --join', ['no --join'], /--join/],
      ['a malformed --join', ['--join', 'nohost', 'x'], /"nohost" is not an address: expected HOST:PORT/],
      ['no text', ['--join', '127.0.0.1:1'], /text/i],
      ['a timeout of 0', ['--join', '127.0.0.1:1', '--timeout', '0', 'x'], /greater than or equal to 1/],
      ['an unknown --lang', ['--join', '127.0.0.1:1', '--lang', 'fr', 'x'], /fr/],
    ] as const) {
      it(`refuses ${what} with exit 2, before any connection`, async () => {
        const r = await runInProcess(['send', ...args])
        expect(r.exit, r.message).to.equal(2)
        expect(r.message).to.match(pattern)
        expect(r.stdout).to.equal('')
      })
    }
  })
})
