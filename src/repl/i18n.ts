// Every sentence the REPL shows, in Portuguese and English. Templates only: callers pass raw values and the human
// renderer sanitises whole lines, so nothing here needs to know about terminals.

import type {ChatNodeErrorDetail} from '../p2p/errors.js'
import {formatAddress} from '../p2p/address.js'
import type {Address, PeerDirection} from '../p2p/types.js'
import type {SwarmRoute, TransportKind} from '../p2p/transport.js'
import {COMMANDS, type CommandName} from './commands.js'

export const LANGS = ['pt', 'en'] as const
export type Lang = (typeof LANGS)[number]

/** A node or peer as it appears in a line: a name and its listening address. */
export interface Who extends Address {
  name: string
}

/** One REPL command for /help. `usage` is the same in every language; `description` and `details` are translated. */
export interface HelpEntry {
  command: CommandName
  usage: string
  /** one short line, for the list */
  description: string
  /** a sentence or two, for `/help COMMAND` */
  details: string
}

/** Column titles of the /peers table. */
export interface PeerColumns {
  name: string
  address: string
  fingerprint: string
  since: string
  direction: string
  via: string
}

export interface Catalog {
  readyHint: string
  received(from: Who, text: string): string
  own(text: string): string
  prompt(name: string): string
  peerJoined(peer: Who): string
  peerLeft(peer: Who, reason: string): string
  peersHeader(count: number): string
  peerLine(peer: Who, fingerprint: string): string
  noPeers: string
  /** Prefix of a message received from a peer's recent history when joining: sent before we were here. */
  historyMark(time: string): string
  /** The same display name seen with two different identity keys: someone may be impersonating someone. */
  nameClash(name: string, fingerprints: string[]): string
  help: HelpEntry[]
  /** After the /help list: how to get the details of one command. */
  helpMore: string
  unknownCommand(name: string): string
  connectUsage: string
  meUsage: string
  historyUsage: string
  msgUsage: string
  /** A direct message to you, and one you sent. */
  directReceived(from: Who, text: string): string
  directSent(to: Who, text: string): string
  msgUnknown(name: string, known: string[]): string
  msgAmbiguous(name: string, candidates: string[]): string
  peerColumns: PeerColumns
  direction(direction: PeerDirection): string
  /** How a peer is connected: over TCP, or over the swarm (and whether through a relay). */
  via(transport: TransportKind, route?: SwarmRoute): string
  /** A message from the history, where only the author's name is known. */
  receivedFrom(name: string, text: string): string
  historyHeader(count: number): string
  historyEmpty: string
  historyUnavailable: string
  /** /history with --no-log. */
  historyOff: string
  /** The history file existed with access for others (`was`, permission bits); `now` is what it has now. */
  historyLoose(path: string, was: number, now: number): string
  historyFailed(reason: string): string
  /** The recall file of the input line could not be read or written. */
  inputHistoryFailed(reason: string): string
  connected(peer: Who): string
  connectFailed(reason: string): string
  /** A rejected send: worded from the engine error's detail (empty, too_long, not_running), else its English message. */
  sendFailed(detail: ChatNodeErrorDetail | undefined, message: string): string
  warning(message: string): string
  /** The swarm's warnings, worded here rather than taken from the engine's English. */
  dhtUnreachable(where: string): string
  /** `chat start --relay`: the key others pass to --relay-through. */
  relayRunning(key: string): string
  /** `chat dht bootstrap`: where it runs and how to use it (stderr; the flags alone go to stdout). */
  bootstrapReady(nodes: string, relayKey: string | undefined): string
  bootstrapStopped: string
  swarmUnreachable(fingerprint: string, relaying: boolean): string
}

/** Permission bits as `ls -l` users know them from chmod: 0644. */
const mode = (bits: number): string => `0${(bits & 0o777).toString(8).padStart(3, '0')}`

const who = (peer: Who): string => `${peer.name} (${formatAddress(peer)})`

const USAGES: Readonly<Record<CommandName, string>> = {
  help: '/help [COMMAND]',
  connect: '/connect HOST PORT',
  peers: '/peers',
  msg: '/msg NAME TEXT',
  me: '/me ACTION',
  history: '/history [N]',
  quit: '/quit',
}

/** The commands in the order of COMMANDS, which /help follows. */
function helpEntries(texts: Record<CommandName, [description: string, details: string]>): HelpEntry[] {
  return COMMANDS.map(({name}) => ({command: name, usage: USAGES[name], description: texts[name][0], details: texts[name][1]}))
}

/** How an action (`/me waves`) reads, in every language: `* Julia waves`. */
export function actionText(name: string, action: string): string {
  return `* ${name} ${action}`
}

const pt: Catalog = {
  readyHint: 'Interface pronta. Digite /help para ver os comandos disponíveis.',
  received: (from, text) => `[${who(from)} disse]: ${text}`,
  own: (text) => `Você: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} entrou.`,
  peerLeft: (peer, reason) => `* ${who(peer)} saiu (${reason}).`,
  peersHeader: (count) => `Peers conectados (${count}):`,
  peerLine: (peer, fingerprint) => `  ${who(peer)} ${fingerprint}`,
  noPeers: 'Nenhum peer conectado.',
  historyMark: (time) => `(histórico ${time}) `,
  nameClash: (name, fingerprints) => `! O nome "${name}" é usado por chaves diferentes (${fingerprints.join(', ')}): confira com /peers quem é quem.`,
  help: helpEntries({
    help: ['mostra esta ajuda', 'Sem argumento, lista os comandos; /help COMANDO explica um deles, por exemplo /help connect.'],
    connect: [
      'conecta a outro nó (também aceita HOST:PORT)',
      'Conecta ao endereço em que outro nó escuta (o --host e a --port dele): /connect 127.0.0.1 5001, /connect 127.0.0.1:5001 ou, em IPv6, /connect [::1]:5001. As mensagens passam a chegar por ele e por todos os nós a que ele está ligado.',
    ],
    peers: ['lista os peers conectados', 'Mostra uma tabela dos peers diretos: nome, endereço, impressão digital da chave, hora da conexão e direção (entrada: ele conectou a você; saída: você a ele).'],
    msg: [
      'mensagem privada',
      '/msg Pedro oi envia "oi" só para Pedro, mesmo a vários saltos: os nós do caminho não conseguem ler. Um nome com espaços vai entre aspas (/msg "Ana Maria" oi; Tab completa); NOME pode ser a impressão digital (ab12:cd34) se dois usam o mesmo nome. Se o destinatário puder ser mais de um, nada é enviado.',
    ],
    me: ['envia uma ação', '/me acena mostra a todos "* Julia acena", com o seu nome: uma ação, que ninguém pode imitar digitando "* Julia acena".'],
    history: ['mostra as últimas mensagens', 'Reimprime as últimas N mensagens (20 se N faltar, até 1000) do arquivo de histórico deste nó, com data e hora.'],
    quit: ['sai do chat', 'Avisa os peers, grava o histórico e sai. Ctrl+C numa linha vazia e Ctrl+D também saem.'],
  }),
  helpMore: 'Digite /help COMANDO para os detalhes de um comando.',
  unknownCommand: (name) => `Comando desconhecido: /${name}. Digite /help para ver os comandos disponíveis.`,
  connectUsage: 'Uso: /connect HOST PORT (porta de 1 a 65535)',
  meUsage: 'Uso: /me AÇÃO (por exemplo: /me acena)',
  msgUsage: 'Uso: /msg NOME TEXTO (por exemplo: /msg Pedro oi, /msg "Ana Maria" oi)',
  directReceived: (from, text) => `[${from.name} → você]: ${text}`,
  directSent: (to, text) => `[você → ${to.name}]: ${text}`,
  msgUnknown: (name, known) =>
    known.length === 0
      ? `Ninguém chamado ${name} é conhecido ainda (os nós anunciam a sua chave ao entrar; tente de novo em instantes).`
      : `Ninguém chamado ${name} é conhecido. Conhecidos: ${known.join(', ')}.`,
  msgAmbiguous: (name, candidates) =>
    `"${name}" pode ser mais de um nó: ${candidates.join(', ')}. Nada foi enviado: escreva o nome entre aspas (/msg "Ana Maria" TEXTO) ou use a impressão digital (/msg ab12:cd34 TEXTO).`,
  historyUsage: 'Uso: /history [N] (N de 1 a 1000)',
  peerColumns: {name: 'nome', address: 'endereço', fingerprint: 'impressão digital', since: 'desde', direction: 'direção', via: 'via'},
  direction: (direction) => (direction === 'inbound' ? 'entrada' : 'saída'),
  via: (transport, route) => (transport === 'tcp' ? 'tcp' : route === 'relayed' ? 'swarm, por relay' : route === 'direct' ? 'swarm, direta' : 'swarm'),
  receivedFrom: (name, text) => `[${name} disse]: ${text}`,
  historyHeader: (count) => (count === 1 ? 'Última mensagem:' : `Últimas ${count} mensagens:`),
  historyEmpty: 'Nenhuma mensagem no histórico.',
  historyUnavailable: 'O histórico não está disponível aqui.',
  historyOff: 'O histórico está desligado (--no-log): nada é gravado em disco.',
  historyLoose: (path, was, now) =>
    (now & 0o077) === 0
      ? `O arquivo de histórico ${path} podia ser lido por outros usuários (modo ${mode(was)}); agora só você pode lê-lo (${mode(now)}).`
      : `aviso: o arquivo de histórico ${path} pode ser lido por outros usuários (modo ${mode(was)}) e não foi possível mudar isso; ele guarda as suas mensagens privadas. Use chmod 600 ou --no-log.`,
  historyFailed: (reason) => `Não foi possível ler o histórico: ${reason}`,
  inputHistoryFailed: (reason) => `aviso: as linhas digitadas não serão lembradas na próxima sessão: ${reason}`,
  connected: (peer) => `Conectado a ${who(peer)}.`,
  connectFailed: (reason) => `Não foi possível conectar: ${reason}`,
  sendFailed(detail, message) {
    const n = (x: number): string => x.toLocaleString('pt-BR')
    if (detail?.code === 'too_long') return `Mensagem longa demais: ${n(detail.length)} caracteres (o limite é ${n(detail.limit)}).`
    if (detail?.code === 'empty') return 'Mensagem vazia não é enviada.'
    if (detail?.code === 'not_running') return 'Não foi possível enviar: o nó não está em execução.'
    return `Não foi possível enviar: ${message}`
  },
  warning: (message) => `aviso: ${message}`,
  relayRunning: (key) => `Relay cego ativo: quem não consegue atravessar os NATs pode usar --relay-through ${key}`,
  bootstrapReady: (nodes, relayKey) =>
    `DHT privada em ${nodes} (UDP)${relayKey ? ', com um relay cego' : ''}. Inicie os nós com as opções da linha acima: chat start --swarm … (Ctrl+C encerra)`,
  bootstrapStopped: 'DHT privada encerrada.',
  dhtUnreachable: (where) => `aviso: a DHT não responde (${where}): ninguém será encontrado pelo swarm; o nó continua no TCP`,
  swarmUnreachable: (fingerprint, relaying) =>
    `aviso: ${fingerprint} foi encontrado na DHT, mas os NATs impedem a conexão: ${relaying ? 'tentando pelo relay' : 'um relay (--relay-through) pode conectar vocês'}`,
}

const en: Catalog = {
  readyHint: 'Interface ready. Type /help to see the available commands.',
  received: (from, text) => `[${who(from)} said]: ${text}`,
  own: (text) => `You: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} joined.`,
  peerLeft: (peer, reason) => `* ${who(peer)} left (${reason}).`,
  peersHeader: (count) => `Connected peers (${count}):`,
  peerLine: (peer, fingerprint) => `  ${who(peer)} ${fingerprint}`,
  noPeers: 'No peers connected.',
  historyMark: (time) => `(history ${time}) `,
  nameClash: (name, fingerprints) => `! The name "${name}" is used by different keys (${fingerprints.join(', ')}): check with /peers who is who.`,
  help: helpEntries({
    help: ['show this help', 'Without an argument, lists the commands; /help COMMAND explains one, for example /help connect.'],
    connect: [
      'connect to another node (HOST:PORT works too)',
      "Connects to the address another node listens on (its --host and --port): /connect 127.0.0.1 5001, /connect 127.0.0.1:5001 or, for IPv6, /connect [::1]:5001. Messages then arrive through it from every node it is connected to.",
    ],
    peers: ['list the connected peers', 'Shows a table of the direct peers: name, address, key fingerprint, time connected and direction (in: they connected to you; out: you to them).'],
    msg: [
      'private message',
      '/msg Pedro hi sends "hi" to Pedro only, even several hops away: the nodes on the way cannot read it. A name with spaces goes in quotes (/msg "Ana Maria" hi; Tab completes it); NAME may be the key fingerprint (ab12:cd34) when two use the same name. When it could be for more than one node, nothing is sent.',
    ],
    me: ['send an action', '/me waves shows everyone "* Julia waves", with your name: an action, which nobody can fake by typing "* Julia waves".'],
    history: ['show the latest messages', "Prints again the last N messages (20 if N is left out, up to 1000) from this node's history file, with date and time."],
    quit: ['leave the chat', 'Tells the peers, writes the history and leaves. Ctrl+C on an empty line and Ctrl+D leave too.'],
  }),
  helpMore: 'Type /help COMMAND for the details of one command.',
  unknownCommand: (name) => `Unknown command: /${name}. Type /help to see the available commands.`,
  connectUsage: 'Usage: /connect HOST PORT (port 1-65535)',
  meUsage: 'Usage: /me ACTION (for example: /me waves)',
  msgUsage: 'Usage: /msg NAME TEXT (for example: /msg Pedro hi, /msg "Ana Maria" hi)',
  directReceived: (from, text) => `[${from.name} → you]: ${text}`,
  directSent: (to, text) => `[you → ${to.name}]: ${text}`,
  msgUnknown: (name, known) =>
    known.length === 0
      ? `Nobody called ${name} is known yet (nodes announce their key when they join; try again in a moment).`
      : `Nobody called ${name} is known. Known: ${known.join(', ')}.`,
  msgAmbiguous: (name, candidates) =>
    `"${name}" could mean more than one node: ${candidates.join(', ')}. Nothing was sent: put the name in quotes (/msg "Ana Maria" TEXT) or use the fingerprint (/msg ab12:cd34 TEXT).`,
  historyUsage: 'Usage: /history [N] (N from 1 to 1000)',
  peerColumns: {name: 'name', address: 'address', fingerprint: 'fingerprint', since: 'since', direction: 'direction', via: 'via'},
  direction: (direction) => (direction === 'inbound' ? 'in' : 'out'),
  via: (transport, route) => (transport === 'tcp' ? 'tcp' : route === 'relayed' ? 'swarm, relayed' : route === 'direct' ? 'swarm, direct' : 'swarm'),
  receivedFrom: (name, text) => `[${name} said]: ${text}`,
  historyHeader: (count) => (count === 1 ? 'Last message:' : `Last ${count} messages:`),
  historyEmpty: 'No messages in the history.',
  historyUnavailable: 'The history is not available here.',
  historyOff: 'The history is off (--no-log): nothing is written to disk.',
  historyLoose: (path, was, now) =>
    (now & 0o077) === 0
      ? `The history file ${path} was readable by other users (mode ${mode(was)}); now only you can read it (${mode(now)}).`
      : `warning: the history file ${path} is readable by other users (mode ${mode(was)}) and this could not be changed; it holds your private messages. Use chmod 600 or --no-log.`,
  historyFailed: (reason) => `Could not read the history: ${reason}`,
  inputHistoryFailed: (reason) => `warning: typed lines will not be remembered for the next session: ${reason}`,
  connected: (peer) => `Connected to ${who(peer)}.`,
  connectFailed: (reason) => `Could not connect: ${reason}`,
  sendFailed(detail, message) {
    const n = (x: number): string => x.toLocaleString('en')
    if (detail?.code === 'too_long') return `Message too long: ${n(detail.length)} characters (the limit is ${n(detail.limit)}).`
    if (detail?.code === 'empty') return 'An empty message is not sent.'
    if (detail?.code === 'not_running') return 'Could not send: the node is not running.'
    return `Could not send: ${message}`
  },
  warning: (message) => `warning: ${message}`,
  relayRunning: (key) => `Blind relay running: peers that cannot punch through their NATs can use --relay-through ${key}`,
  bootstrapReady: (nodes, relayKey) =>
    `Private DHT on ${nodes} (UDP)${relayKey ? ', with a blind relay' : ''}. Start nodes with the options on the line above: chat start --swarm … (Ctrl+C stops it)`,
  bootstrapStopped: 'Private DHT stopped.',
  dhtUnreachable: (where) => `warning: the DHT cannot be reached (${where}): no peers will be found on the swarm; the node keeps running on TCP`,
  swarmUnreachable: (fingerprint, relaying) =>
    `warning: found ${fingerprint} on the DHT but cannot reach it through your NATs: ${relaying ? 'retrying through the relay' : 'a relay (--relay-through) can connect you'}`,
}

export const catalogs: Readonly<Record<Lang, Catalog>> = {pt, en}

/** Lines of /help: usages padded to one column, one line per command, then how to ask about one. */
export function helpLines(catalog: Catalog): string[] {
  const width = Math.max(...catalog.help.map((entry) => entry.usage.length))
  return [...catalog.help.map((entry) => `${entry.usage.padEnd(width)}  ${entry.description}`), catalog.helpMore]
}

/** Lines of `/help COMMAND`: its usage line, then the details, indented. Undefined for an unknown command. */
export function helpTopicLines(catalog: Catalog, command: string): string[] | undefined {
  const entry = catalog.help.find((e) => e.command === command)
  return entry && [`${entry.usage}  ${entry.description}`, `  ${entry.details}`]
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value)
}

/**
 * The language to speak: the flag when given (`pt`, `en`, also `pt-BR` and the like), else Portuguese when the
 * locale for messages is Portuguese, else English. The locale is the first set of LC_ALL, LC_MESSAGES, LANG, in
 * POSIX precedence order, so `LC_ALL=C` overrides a Portuguese LANG as it does for every other program.
 */
export function resolveLang(flag?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  const fromFlag = flag?.trim().toLowerCase().slice(0, 2)
  if (fromFlag && isLang(fromFlag)) return fromFlag
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '')
  return locale?.toLowerCase().startsWith('pt') ? 'pt' : 'en'
}
