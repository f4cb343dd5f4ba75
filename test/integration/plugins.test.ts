// Plugins for real: `chat plugins link` the example echo bot (and a plugin whose hook throws) into a temporary data
// directory, run two `chat start` nodes that load them, and talk to the bot.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ChatProcess, freePort, PROJECT_ROOT, runChat, tempDir} from '../helpers/cli.js'

const ECHO_BOT = join(PROJECT_ROOT, 'examples', 'plugin-echo-bot')

describe('plugins: chat plugins link, hooks in chat start, plugin commands', function () {
  this.timeout(60_000)
  let dirs: {data: {path: string; remove(): void}; logs: {path: string; remove(): void}}
  let env: NodeJS.ProcessEnv
  const procs: ChatProcess[] = []

  const chat = (...args: string[]) => runChat(args, {env, timeoutMs: 30_000})

  beforeEach(() => {
    dirs = {data: tempDir('chat-plugins-data-'), logs: tempDir('chat-plugins-logs-')}
    // oclif keeps the list of installed and linked plugins in the data dir: a fresh one per test, nothing global.
    env = {
      CHAT_DATA_DIR: dirs.data.path,
      CHAT_CACHE_DIR: join(dirs.data.path, 'cache'),
      CHAT_CONFIG_DIR: join(dirs.data.path, 'config'),
      CHAT_LOG_DIR: dirs.logs.path,
      // Unset: bin/run.js itself silences oclif's "linked ESM module" warning, which users would see too.
      OCLIF_DISABLE_LINKED_ESM_WARNING: undefined,
    }
  })

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill()))
    dirs.data.remove()
    dirs.logs.remove()
  })

  /** A plugin whose chat:message hook always throws. */
  function brokenPlugin(): string {
    const root = join(dirs.data.path, 'broken-plugin')
    mkdirSync(join(root, 'hooks'), {recursive: true})
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'chat-plugin-broken',
        version: '0.0.1',
        type: 'module',
        oclif: {hooks: {'chat:message': './hooks/message.js'}},
      }),
    )
    writeFileSync(
      join(root, 'hooks', 'message.js'),
      "export default async function () { throw new Error('this plugin is broken') }\n",
    )
    return root
  }

  it('links the example without a network install, lists it, runs its command, and uninstalls it', async () => {
    const link = await chat('plugins', 'link', ECHO_BOT)
    expect(link.code, link.stderr).to.equal(0)
    const list = await chat('plugins')
    expect(list.stdout).to.match(/chat-plugin-echo-bot 1\.0\.0 \(link\)/)

    const status = await chat('bot', 'status', '--json')
    expect(status.code, status.stderr).to.equal(0)
    for (const run of [list, status]) expect(run.stderr).to.not.include('linked ESM module')
    expect(JSON.parse(status.stdout)).to.include({
      plugin: 'chat-plugin-echo-bot',
      trigger: '!ping',
      answer: 'pong',
      answered: 0,
    })
    const help = await chat('help', 'bot', 'status')
    expect(help.stdout).to.include('$ chat bot status [--json]')
    const topics = await chat('--help')
    expect(topics.stdout).to.match(/\n\s+bot\s+The echo bot plugin/)

    const uninstall = await chat('plugins', 'uninstall', 'chat-plugin-echo-bot')
    expect(uninstall.code, uninstall.stderr).to.equal(0)
    const gone = await chat('bot', 'status')
    expect(gone.code).to.not.equal(0)
    expect(gone.stderr).to.match(/bot status is not a chat command/i)
  })

  it('answers !ping with pong from a linked plugin; a plugin that throws is reported once and disabled, and the node runs on', async () => {
    for (const dir of [ECHO_BOT, brokenPlugin()]) {
      const link = await chat('plugins', 'link', '--no-install', dir)
      expect(link.code, link.stderr).to.equal(0)
    }

    const [pb, pu] = [await freePort(), await freePort()]
    const bot = new ChatProcess(['start', '--json', '--port', String(pb), '--name', 'Bot'], {env})
    procs.push(bot)
    await bot.waitForLine(/"event":"ready"/)
    const user = new ChatProcess(
      ['start', '--json', '--port', String(pu), '--name', 'User', '--join', `127.0.0.1:${pb}`],
      {env},
    )
    procs.push(user)
    await user.waitForLine(/"event":"peer_joined"/)

    user.type('!ping')
    const pong = JSON.parse(await user.waitForLine(/"event":"message".*"text":"pong"/)) as {
      from: {name: string; port: number}
    }
    expect(pong.from).to.include({name: 'Bot', port: pb})

    // The broken plugin threw on the bot's node when !ping arrived: one report, as a JSON error event.
    const report = JSON.parse(await bot.waitForLine(/"code":"plugin"/)) as {message: string}
    expect(report.message).to.equal(
      'warning: plugin chat-plugin-broken failed in its chat:message hook (this plugin is broken): its chat hooks are disabled for this session',
    )

    user.type('!ping')
    user.type('hello, bot')
    await user.waitForLines(/"event":"message".*"text":"pong"/, 2)
    await bot.waitForLine(/"event":"message".*"text":"hello, bot"/)
    expect(bot.lines.filter((line) => line.includes('"code":"plugin"'))).to.have.length(1)
    expect(bot.child.exitCode).to.equal(null)

    const status = await chat('bot', 'status', '--json')
    expect(JSON.parse(status.stdout)).to.include({answered: 2})

    // --no-plugins: no hooks at all.
    const quiet = new ChatProcess(
      [
        'start',
        '--json',
        '--no-plugins',
        '--port',
        String(await freePort()),
        '--name',
        'Quiet',
        '--join',
        `127.0.0.1:${pu}`,
      ],
      {env},
    )
    procs.push(quiet)
    await quiet.waitForLine(/"event":"peer_joined"/)
    user.type('!ping')
    await quiet.waitForLine(/"event":"message".*"text":"!ping"/)
    await user.waitForLines(/"event":"message".*"text":"pong"/, 3) // still the bot, not Quiet
    await new Promise((resolve) => {
      setTimeout(resolve, 300)
    })
    expect(user.lines.filter((line) => /"name":"Quiet".*"text":"pong"/.test(line))).to.deep.equal([])
  })
})

describe('shell completion, --version and help conventions', function () {
  this.timeout(60_000)
  let cache: {path: string; remove(): void}
  let env: NodeJS.ProcessEnv

  beforeEach(() => {
    cache = tempDir('chat-autocomplete-')
    env = {
      CHAT_CACHE_DIR: cache.path,
      CHAT_DATA_DIR: join(cache.path, 'data'),
      CHAT_CONFIG_DIR: join(cache.path, 'config'),
    }
  })

  afterEach(() => cache.remove())

  it('prints setup instructions for bash and zsh, and the completion really completes', async () => {
    for (const shell of ['bash', 'zsh']) {
      const setup = await runChat(['autocomplete', shell], {env})
      expect(setup.code, setup.stderr).to.equal(0)
      expect(setup.stdout).to.include(`printf "$(chat autocomplete script ${shell})" >> ~/.${shell}rc`)
    }

    const zsh = readFileSync(join(cache.path, 'autocomplete', 'functions', 'zsh', '_chat'), 'utf8')
    expect(zsh).to.include('#compdef chat')
    expect(zsh).to.match(/send/)
    // zsh offers the values of --lang (chat start, chat send, chat log tail, chat room invite, chat dht bootstrap); bash completes flag names only.
    expect(zsh.match(/--lang"\[[^\n]*:lang options:\(pt en\)"/g)).to.have.length(5)

    const script = await runChat(['autocomplete', 'script', 'bash'], {env})
    expect(script.stdout).to.include(join(cache.path, 'autocomplete', 'bash_setup'))
    // What bash does on <TAB>: source the setup, then call the completion function for a partial command line.
    const complete = (words: string[]): string =>
      execFileSync(
        'bash',
        [
          '-c',
          `${script.stdout}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _chat_autocomplete; echo "\${COMPREPLY[*]}"`,
        ],
        {
          encoding: 'utf8',
        },
      ).trim()
    expect(complete(['chat', 'se'])).to.equal('send')
    expect(complete(['chat', 'send', '--ti'])).to.equal('--timeout')
    expect(complete(['chat', 'start', '--disc'])).to.equal('--discover')
  })

  it('says a mistyped command is not one and where the list is (a terminal is asked "Did you mean start?")', async () => {
    const typo = await runChat(['strat', '--port', '5000'], {env})
    expect(typo.code).to.equal(127)
    expect(typo.stderr).to.include('strat is not a chat command')
    expect(typo.stderr).to.include('Run chat help for a list of available commands')
    expect(typo.stdout).to.equal('')
  })

  it('answers --version and -v the oclif way', async () => {
    const version = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version as string
    for (const flag of ['--version', '-v']) {
      const result = await runChat([flag], {env})
      expect(result.code).to.equal(0)
      expect(result.stdout).to.match(
        new RegExp(`^chat/${version.replaceAll('.', String.raw`\.`)} \\S+ node-v\\d+\\.\\d+\\.\\d+$`),
      )
    }
  })

  it("shows every flag's env var in help, all named CHAT_*, and -h is help everywhere", async () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {flags: Record<string, {env?: string}>}>
    }
    expect(Object.keys(manifest.commands)).to.include.members(['start', 'send', 'log:tail', 'room:invite'])
    for (const [id, command] of Object.entries(manifest.commands)) {
      const help = await runChat(['help', ...id.split(':')], {env: {...env, COLUMNS: '200'}})
      expect(help.code, help.stderr).to.equal(0)
      const short = await runChat([...id.split(':'), '-h'], {env: {...env, COLUMNS: '200'}})
      expect(short.stdout, `${id} -h`).to.equal(help.stdout)
      for (const [name, flag] of Object.entries(command.flags)) {
        if (flag.env === undefined) continue
        expect(flag.env, `${id} --${name}`).to.match(/^CHAT_[A-Z_]+$/)
        expect(help.stdout, `${id} --${name}`).to.match(
          new RegExp(`--(\\[no-\\])?${name}\\b[^\\n]*env: ${flag.env}\\]`),
        )
      }
    }
  })
})
