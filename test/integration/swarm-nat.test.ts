// Chat through NATs, for real: an "internet" namespace with a private DHT (`chat dht bootstrap`), and two homes, each
// behind its own router namespace that masquerades (nftables) and, like a home router, drops unsolicited traffic.
// Neither home is reachable from outside; the nodes find each other by the invite code alone. Every address is
// inside namespaces this test makes. Needs root, iproute2 and nftables; the suite says why when it skips.
import {expect} from 'chai'
import {execFileSync, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {tempDir} from '../helpers/cli.js'
import {cannotUseNamespaces, deleteNamespaces, ip, NamespacedChat} from '../helpers/netns.js'

const WAIT_MS = 30_000
const INTERNET = '10.77.0'
const BOOTSTRAP_PORT = 49_737

function nft(ns: string, script: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input: script,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 10_000,
  })
}

/** A home router: masquerade on the WAN (`random`: a new port per destination, a symmetric NAT), drop the unasked. */
function routerRules(symmetric: boolean): string {
  return `flush ruleset
table ip nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade${symmetric ? ' random' : ''}
  }
}
table ip filter {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "lan" accept
    ct state established,related accept
  }
}
`
}

describe('chat start --swarm through NATs (network namespaces, nftables masquerade)', function () {
  this.timeout(90_000)
  const suffix = `${process.pid % 100_000}${randomBytes(2).toString('hex')}`
  const ns = {
    pub: `cnat-pub-${suffix}`,
    rA: `cnat-ra-${suffix}`,
    rB: `cnat-rb-${suffix}`,
    hA: `cnat-ha-${suffix}`,
    hB: `cnat-hb-${suffix}`,
  }
  const procs: NamespacedChat[] = []
  const dirs: Array<{remove(): void}> = []
  let made = false
  let bootstrap: NamespacedChat | undefined
  let swarmArgs: string[] = []
  let relayKey = ''

  before(async function () {
    const why = cannotUseNamespaces() ?? cannotUseNft()
    if (why) {
      console.log(`      skipped: ${why}`)
      this.skip()
    }

    try {
      for (const name of Object.values(ns)) ip('netns', 'add', name)
      made = true
      for (const name of Object.values(ns)) ip('-n', name, 'link', 'set', 'lo', 'up')
      // The internet: one switch (a bridge) in the public namespace, where the DHT runs.
      ip('-n', ns.pub, 'link', 'add', 'br0', 'type', 'bridge')
      ip('-n', ns.pub, 'link', 'set', 'br0', 'up')
      ip('-n', ns.pub, 'addr', 'add', `${INTERNET}.1/24`, 'dev', 'br0')
      for (const [i, router, home] of [
        [2, ns.rA, ns.hA],
        [3, ns.rB, ns.hB],
      ] as const) {
        ip('-n', ns.pub, 'link', 'add', `wan${i}`, 'type', 'veth', 'peer', 'name', 'wan', 'netns', router)
        ip('-n', ns.pub, 'link', 'set', `wan${i}`, 'master', 'br0', 'up')
        ip('-n', router, 'addr', 'add', `${INTERNET}.${i}/24`, 'dev', 'wan')
        ip('-n', router, 'link', 'set', 'wan', 'up')
        ip('-n', router, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home)
        ip('-n', router, 'addr', 'add', `192.168.${i}.1/24`, 'dev', 'lan')
        ip('-n', router, 'link', 'set', 'lan', 'up')
        ip('-n', home, 'addr', 'add', `192.168.${i}.2/24`, 'dev', 'eth0')
        ip('-n', home, 'link', 'set', 'eth0', 'up')
        ip('-n', home, 'route', 'add', 'default', 'via', `192.168.${i}.1`)
        execFileSync('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'], {stdio: 'pipe'})
      }
    } catch (error) {
      console.log(`      skipped: could not set up the namespaces: ${(error as Error).message.split('\n')[0]}`)
      this.skip()
    }

    bootstrap = new NamespacedChat(ns.pub, ['--port', String(BOOTSTRAP_PORT), '--host', `${INTERNET}.1`], {}, [
      'dht',
      'bootstrap',
      '--json',
    ])
    const ready = await bootstrap.waitFor('the DHT', (e) => e.event === 'ready', WAIT_MS)
    swarmArgs = ['--swarm', ...(ready.bootstrap as string[]).flatMap((address) => ['--bootstrap', address])]
    relayKey = ready.relay as string
  })

  after(async () => {
    if (bootstrap?.child.exitCode === null) bootstrap.child.kill('SIGTERM')
    await bootstrap?.exited
    if (made) deleteNamespaces(Object.values(ns))
  })

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.quit()))
    for (const dir of dirs.splice(0)) dir.remove()
  })

  function routers(symmetric: boolean): void {
    for (const router of [ns.rA, ns.rB]) nft(router, routerRules(symmetric))
  }

  function home(namespace: string, name: string, secret: string, extra: string[] = []): NamespacedChat {
    const config = tempDir('chat-nat-config-')
    dirs.push(config)
    const env = {
      CHAT_CONFIG_DIR: config.path,
      CHAT_DATA_DIR: config.path,
      CHAT_CACHE_DIR: config.path,
      CHAT_SECRET: secret,
    }
    const proc = new NamespacedChat(
      namespace,
      ['--port', '5000', '--name', name, '--log-dir', config.path, '--history', '0', ...swarmArgs, ...extra],
      env,
    )
    procs.push(proc)
    return proc
  }

  async function chatBothWays(a: NamespacedChat, b: NamespacedChat): Promise<void> {
    a.type('hello from home A')
    b.type('hello from home B')
    await b.waitFor("A's message at B", (e) => e.event === 'message' && e.text === 'hello from home A', WAIT_MS)
    await a.waitFor("B's message at A", (e) => e.event === 'message' && e.text === 'hello from home B', WAIT_MS)
  }

  it('two homes behind ordinary NATs find each other by the invite code, punch through and chat both ways; the internet sees no name, text or secret', async () => {
    routers(false)
    const secret = `chat-invite-${randomBytes(32).toString('base64url')}`
    // The recording proxy of the private-room test, on the swarm: everything that crosses the "internet".
    const capture = tempDir('chat-nat-pcap-')
    dirs.push(capture)
    const pcap = join(capture.path, 'internet.pcap')
    // --immediate-mode: packets still in the kernel's ring when tcpdump is interrupted would otherwise be lost.
    const tcpdump = hasTcpdump()
      ? spawn(
          'ip',
          [
            'netns',
            'exec',
            ns.pub,
            'tcpdump',
            '--immediate-mode',
            '-Z',
            'root',
            '-i',
            'br0',
            '-U',
            '-s',
            '0',
            '-w',
            pcap,
          ],
          {stdio: 'pipe'},
        )
      : undefined
    if (tcpdump)
      await new Promise<void>((resolve) => {
        tcpdump.stderr.once('data', () => resolve())
      }) // "listening on br0"
    const names = [`Julia${randomBytes(3).toString('hex')}`, `Pedro${randomBytes(3).toString('hex')}`]
    const a = home(ns.hA, names[0], secret)
    const b = home(ns.hB, names[1], secret)
    const joined = await a.waitFor('Pedro joins', (e) => e.event === 'peer_joined' && e.name === names[1], WAIT_MS)
    await b.waitFor('Julia joins', (e) => e.event === 'peer_joined' && e.name === names[0], WAIT_MS)
    console.log(`      the library connected them: ${joined.transport}, ${joined.route}`)
    expect(joined).to.include({transport: 'swarm', route: 'direct'})
    await chatBothWays(a, b)
    if (!tcpdump) {
      console.log('      (no tcpdump: the capture of the internet is skipped)')
      return
    }

    tcpdump.kill('SIGINT')
    await new Promise((resolve) => {
      tcpdump.once('close', resolve)
    })
    const wire = readFileSync(pcap)
    expect(wire.length, 'packets were captured').to.be.above(1000)
    for (const clear of [...names, 'hello from home', secret, secret.slice('chat-invite-'.length)]) {
      expect(wire.includes(Buffer.from(clear)), `"${clear}" in clear on the internet`).to.equal(false)
    }
  })

  it('behind two symmetric NATs punching fails: one clear line says so; with a blind relay they chat', async () => {
    routers(true)
    const secret = `chat-invite-${randomBytes(32).toString('base64url')}`
    let a = home(ns.hA, 'Julia', secret)
    let b = home(ns.hB, 'Pedro', secret)
    const failed = await a.waitFor(
      'the could-not-connect line',
      (e) => e.event === 'error' && e.code === 'swarm_unreachable',
      WAIT_MS,
    )
    console.log(`      the library could not punch through: "${failed.message as string}"`)
    expect(a.events.filter((e) => e.event === 'peer_joined')).to.deep.equal([])
    await Promise.all(procs.splice(0).map((p) => p.quit()))

    a = home(ns.hA, 'Julia', secret, ['--relay-through', relayKey])
    b = home(ns.hB, 'Pedro', secret, ['--relay-through', relayKey])
    const joined = await a.waitFor(
      'Pedro joins through the relay',
      (e) => e.event === 'peer_joined' && e.name === 'Pedro',
      WAIT_MS,
    )
    await b.waitFor('Julia joins through the relay', (e) => e.event === 'peer_joined' && e.name === 'Julia', WAIT_MS)
    console.log(`      with --relay-through the library connected them: ${joined.transport}, ${joined.route}`)
    expect(joined).to.include({transport: 'swarm', route: 'relayed'})
    await chatBothWays(a, b)
  })
})

function hasTcpdump(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], {stdio: 'pipe'})
    return true
  } catch {
    return false
  }
}

function cannotUseNft(): string | undefined {
  try {
    execFileSync('nft', ['--version'], {stdio: 'pipe'})
  } catch {
    return '`nft` (nftables) is not installed'
  }

  return undefined
}
