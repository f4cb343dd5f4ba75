// What a plain `chat start --json` loads, and what its history writer loads: the lazy imports on the start path
// (docs/performance.md, "Start-up and memory") cannot regress silently. Real processes; each lists the modules it
// loaded through test/helpers/module-trace.mjs.
import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ChatProcess, freePort, tempDir} from '../helpers/cli.js'

const TRACE_HOOK = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url))

/** Modules a plain start must not load: each belongs to a flag, a terminal or another command line. */
const LAZY = {
  'enquirer (a terminal only)': /node_modules\/enquirer\//,
  'the prompt (a terminal only)': /dist\/(repl\/prompt\.js|chunks\/prompt-\w+\.js)$/,
  'multicast-dns (--discover)': /node_modules\/multicast-dns\//,
  'discovery (--discover)': /dist\/(discovery\/|chunks\/discovery-)/,
  'hyperswarm, hyperdht, blind-relay (--swarm)': /node_modules\/(hyperswarm|hyperdht|blind-relay)\//,
  'the swarm link (--swarm)': /dist\/(p2p\/swarm\/swarm\.js|chunks\/swarm-\w+\.js)$/,
  "semver (oclif's engine check)": /node_modules\/semver\//,
  'the core oclif plugins (help, plugins, autocomplete, not-found)': /node_modules\/@oclif\/plugin-/,
}

/** All a history writer may load besides Node's own modules: itself, the file and line helpers, its protocol. */
const WRITER_MODULES = new Set([
  'dist/history/writer-process.js',
  'dist/history/writer-protocol.js',
  'dist/history/events.js',
  'dist/history/lines.js',
  'dist/history/reader.js',
  'dist/history/tail-socket.js',
  'dist/io/errno.js',
  'dist/text/sanitize.js',
])

interface Trace {
  pid: number
  modules: string[]
}

function readTraces(dir: string): Trace[] {
  return readdirSync(dir).map((name) => ({
    pid: Number.parseInt(name, 10),
    modules: readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.slice(line.indexOf(' ') + 1).replace(/^file:\/\//, '')),
  }))
}

describe('chat start loads only what a plain start uses', function () {
  this.timeout(60_000)

  it('a plain chat start --json loads no lazy module and no core plugin; its history writer loads fs, its protocol and nothing of oclif or the engine', async () => {
    const traces = tempDir('chat-trace-')
    const work = tempDir()
    const port = await freePort()
    const node = new ChatProcess(
      ['start', '--json', '--port', String(port), '--name', 'lazy', '--log-dir', work.path],
      {
        cwd: work.path,
        // oclif's debug log says which plugins it loads; the trace hook, which modules.
        env: {NODE_OPTIONS: `--import ${TRACE_HOOK}`, CHAT_TEST_MODULE_TRACE: traces.path, DEBUG: 'oclif:config'},
      },
    )
    try {
      await node.waitForLine(/"event":"ready"/)
      node.type('hello')
      await node.waitForLine(/"event":"sent"/)
      node.type('/quit')
      expect((await node.exited).code).to.equal(0)

      const all = readTraces(traces.path)
      const main = all.find((trace) => trace.pid === node.child.pid)
      const writers = all.filter((trace) =>
        trace.modules.some((module) => module.endsWith('dist/history/writer-process.js')),
      )
      expect(main, 'the node lists its modules').to.not.equal(undefined)
      expect(writers, 'one history writer').to.have.length(1)

      // The trace sees the start path itself, and the command bundled (scripts/bundle-start.mjs): of dist/ only
      // bin/run.js's load options, the command and the chunks it shares with its lazy parts, not ~110 modules.
      const root = fileURLToPath(new URL('../..', import.meta.url))
      const dist = main!.modules
        .filter((module) => module.startsWith(`${root}dist/`))
        .map((module) => module.replace(root, ''))
      expect(dist).to.include.members(['dist/cli/load-options.js', 'dist/commands/start.js'])
      expect(
        dist.filter(
          (module) => !/^dist\/(cli\/load-options\.js|commands\/start\.js|chunks\/chunk-\w+\.js)$/.test(module),
        ),
        'dist modules beside the bundle',
      ).to.deep.equal([])
      expect(dist.length).to.be.below(10)
      expect(main!.modules.some((module) => module.includes('node_modules/@oclif/core/'))).to.equal(true)
      for (const [what, pattern] of Object.entries(LAZY)) {
        expect(
          main!.modules.filter((module) => pattern.test(module)),
          what,
        ).to.deep.equal([])
      }

      expect(
        node.errLines.filter((line) => /loading core plugin from .*@oclif\/plugin-/.test(line)),
        'core plugins loaded',
      ).to.deep.equal([])
      // …while the user's plugins are still looked for (their chat hooks run: plugins.test.ts).
      expect(node.errLines.some((line) => line.includes('reading user plugins pjson'))).to.equal(true)

      const ours = writers[0].modules
        .filter((module) => !module.startsWith('node:'))
        .map((module) => module.replace(root, ''))
      expect(
        ours.filter((module) => !WRITER_MODULES.has(module)),
        'the history writer loads only its own modules',
      ).to.deep.equal([])
    } finally {
      await node.kill('SIGKILL')
      traces.remove()
      work.remove()
    }
  })
})
