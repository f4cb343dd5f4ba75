import {Command, Flags} from '@oclif/core'

import {langFlag} from '../../cli/flags.js'
import {guardPipe} from '../../io/broken-pipe.js'
import {startBootstrap} from '../../p2p/swarm/bootstrap.js'
import {catalogs, resolveLang} from '../../repl/i18n.js'

export default class DhtBootstrap extends Command {
  static override summary = 'Run a private DHT for --swarm nodes: three bootstrap nodes and a blind relay'
  // One paragraph per line: oclif wraps help text to the terminal's width.
  static override description = [
    'Runs three persistent DHT nodes on UDP ports PORT, PORT+1 and PORT+2 of HOST (hyperdht needs several to tell what kind of NAT a peer is behind, or hole punching fails), and a blind relay beside the first for peers whose NATs cannot be punched through. Nodes started with --swarm and these --bootstrap addresses use it instead of the public bootstrap nodes: for a class, a company, or tests.',
    'Prints the options to give "chat start" on stdout (one line), a hint on stderr, and runs until Ctrl+C or SIGTERM. HOST must be the IPv4 address the nodes reach this machine at. With --json, prints {"event":"ready","bootstrap":[…],"relay":"…"} instead.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> --port 49737',
    '<%= config.bin %> <%= command.id %> --port 49737 --host 192.168.1.10',
  ]
  static override flags = {
    port: Flags.integer({
      char: 'p',
      description: 'UDP port of the first node (the next two are used too)',
      max: 65_533,
      min: 1,
      required: true,
    }),
    host: Flags.string({default: '127.0.0.1', description: 'IPv4 address peers reach this machine at (not 0.0.0.0)'}),
    relay: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'run a blind relay beside the first node (--no-relay: none)',
    }),
    json: Flags.boolean({
      default: false,
      description: 'print one JSON line when ready instead of the options and the hint',
    }),
    lang: langFlag('the hint'),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DhtBootstrap)
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(flags.host) || flags.host === '0.0.0.0') {
      this.error(`--host must be the IPv4 address peers reach this machine at, not "${flags.host}"`, {exit: 2})
    }

    guardPipe(process.stdout)
    const catalog = catalogs[resolveLang(flags.lang)]
    let running
    try {
      running = await startBootstrap({port: flags.port, host: flags.host, relay: flags.relay})
    } catch (error) {
      const {code} = error as NodeJS.ErrnoException
      const why =
        code === 'EADDRINUSE'
          ? `a port from ${flags.port} to ${flags.port + 2} is in use: choose another --port`
          : (error as Error).message
      this.error(`cannot run the DHT on ${flags.host}:${flags.port}: ${why}`, {exit: 2})
    }

    const addresses = running.nodes.map(({host, port}) => `${host}:${port}`)
    if (flags.json) {
      this.log(
        JSON.stringify({
          event: 'ready',
          bootstrap: addresses,
          ...(running.relay ? {relay: running.relay.publicKey} : {}),
        }),
      )
    } else {
      const relay = running.relay ? ` --relay-through ${running.relay.publicKey}` : ''
      this.log(addresses.map((address) => `--bootstrap ${address}`).join(' ') + relay)
      this.logToStderr(catalog.bootstrapReady(addresses.join(', '), running.relay?.publicKey))
    }

    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    await running.close()
    if (!flags.json) this.logToStderr(catalog.bootstrapStopped)
  }
}
