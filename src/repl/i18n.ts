// Every sentence the REPL shows, in Portuguese and English. Templates only: callers pass raw values and the human
// renderer sanitises whole lines, so nothing here needs to know about terminals.

import type {LogTexts} from '../history/format.js'
import type {SwarmRoute, TransportKind} from '../p2p/transport.js'
import type {Address, ConnectFailure, ConnectFailureCode, PeerDirection} from '../p2p/types.js'

import {formatAddress} from '../p2p/address.js'
import {type CommandName, COMMANDS} from './commands.js'
import {type CliTexts, enCli, ptCli} from './i18n-cli.js'
import {enEngine, type EngineTexts, ptEngine} from './i18n-engine.js'
import {enLog, ptLog} from './i18n-log.js'

export const LANGS = ['pt', 'en'] as const
export type Lang = (typeof LANGS)[number]

/** A node or peer as it appears in a line: a name and its listening address. */
export interface Who extends Address {
  name: string
}

/** One REPL command for /help: its usage (`/msg NOME TEXTO`), description and details, all in the reader's language. */
export interface HelpEntry {
  command: CommandName
  usage: string
  /** one short line, for the list */
  description: string
  /** a sentence or two, for `/help COMMAND` */
  details: string
}

/** Column titles of the /who table. */
export interface WhoColumns {
  name: string
  address: string
  fingerprint: string
  reach: string
  lastSeen: string
}

/** Column titles of the /peers table. */
export interface PeerColumns {
  name: string
  address: string
  fingerprint: string
  since: string
  direction: string
  via: string
  score: string
}

export interface Catalog {
  readyHint: string
  received(from: Who, text: string): string
  own(text: string): string
  prompt(name: string): string
  peerJoined(peer: Who): string
  peerLeft(peer: Who, reason: string): string
  /** A peer lost to the network (silence, no route, a reset), not a leave: the node dials it again. */
  peerLost(peer: Who, reason: string): string
  peersHeader(count: number): string
  peerLine(peer: Who, fingerprint: string): string
  noPeers: string
  /** Prefix of a message received from a peer's recent history when joining: sent before we were here. */
  historyMark(time: string): string
  /** Prefix of a message said while this node was away or cut off, arriving later: its author's time. */
  lateMark(time: string): string
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
  /** The identity key file can be read by other users (`mode`, permission bits). */
  identityLoose(file: string, mode: number): string
  historyFailed(reason: string): string
  /** A paste of several lines at the prompt: Enter sends them, one message each; Esc cancels. */
  pasteQuestion(lines: number): string
  pasteCancelled: string
  /** The recall file of the input line could not be read or written. */
  inputHistoryFailed(reason: string): string
  connected(peer: Who): string
  connectFailed(reason: string): string
  /** A rejected send; `reason` is already in this language. */
  sendFailed(reason: string): string
  warning(message: string): string
  /** `chat start --relay`: the key others pass to --relay-through. */
  relayRunning(key: string): string
  /** `chat dht bootstrap`: where it runs and how to use it (stderr; the flags alone go to stdout). */
  bootstrapReady(nodes: string, relayKey: string | undefined): string
  bootstrapStopped: string
  /** The engine's codes in words: errors, reasons a peer left, protocol errors, warnings. */
  engine: EngineTexts
  /** `chat log tail`'s lines. */
  log: LogTexts
  /** `chat send`, `chat room invite` and the problems `chat start` meets while setting up. */
  cli: CliTexts
  /** A node that is not a direct peer joined or left the room, and the churn past the rate of single lines. */
  roomJoined(name: string): string
  roomLeft(name: string, reason: 'quit' | 'timeout'): string
  roomChurn(joined: number, left: number): string
  /** The answer to /who: every node heard of in the room. */
  whoHeader(count: number): string
  whoLine(node: Who, fingerprint: string, reach: string, lastSeen: string): string
  whoNobody: string
  whoColumns: WhoColumns
  /** How a node of the roster is reached: connected to us, or through others (hops are not knowable). */
  reach(direct: boolean): string
  /** Why a connection failed before its hello, from the engine's code: one we dialled, or one made to us. */
  connectionFailure(failure: ConnectFailure): string
  /** After our own message (or /msg) when no peer is connected: it is kept, not lost. */
  heldNotice: string
  /** A peer connected: the messages kept meanwhile were sent, and some may have been too old to be. */
  heldReleased(sent: number, dropped: number, to: Who): string
  unignoreUsage: string
  retryUsage: string
  /** /ignore NAME worked: `who` is `Name` and `fingerprint` its key's. */
  ignoreAdded(who: string, fingerprint: string): string
  ignoreRemoved(who: string, fingerprint: string): string
  ignoreAlready(who: string, fingerprint: string): string
  /** /unignore of someone not on the list. */
  ignoreNotListed(name: string): string
  /** The answer to /ignore: `entries` are `Name ab12:cd34`; `hidden` messages were hidden this session. */
  ignoreList(entries: string[], hidden: number): string
  ignoreNone: string
  ignoreUnknown(name: string): string
  ignoreAmbiguous(name: string, candidates: string[]): string
  ignoreSelf: string
  ignoreFull(max: number): string
  /** The ignore file could not be read or written. */
  ignoreFileFailed(reason: string): string
  /** /retry: entries taken off the cool-down list. */
  retryCleared(count: number): string
  retryNothing: string
  /** After /peers: the cool-down list. */
  cooldownHeader(count: number): string
  cooldownLine(target: string, code: string, remaining: string): string
  /** A peer's clock differs from ours by `offsetMs` (> 0: it is ahead). */
  clockSkew(peer: Who, offsetMs: number): string
}

/** Time left on a cool-down, the same in both languages: `45 s`, `12 min`. */
export function formatRemaining(ms: number): string {
  return ms < 120_000 ? `${Math.max(1, Math.ceil(ms / 1000))} s` : `${Math.ceil(ms / 60_000)} min`
}

/** `40 s`, `10 min`, `3 h`: a clock difference, rounded as a person would say it. */
export function formatOffset(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000)
  if (s < 120) return `${s} s`
  const min = Math.round(s / 60)
  return min < 120 ? `${min} min` : `${Math.round(min / 60)} h`
}

/** Permission bits as `ls -l` users know them from chmod: 0644. */
const mode = (bits: number): string => `0${(bits & 0o777).toString(8).padStart(3, '0')}`

const who = (peer: Who): string => `${peer.name} (${formatAddress(peer)})`

/** The commands in the order of COMMANDS, which /help follows, each with its usage, description and details. */
function helpEntries(texts: Record<CommandName, [usage: string, description: string, details: string]>): HelpEntry[] {
  return COMMANDS.map(({name}) => ({
    command: name,
    usage: texts[name][0],
    description: texts[name][1],
    details: texts[name][2],
  }))
}

/** How an action (`/me waves`) reads, in every language: `* Julia waves`. */
export function actionText(name: string, action: string): string {
  return `* ${name} ${action}`
}

/** Picks the sentence for a failure's code and direction; `at` is its address as shown. */
function failureText(
  failure: ConnectFailure,
  outbound: (at: string) => Record<ConnectFailureCode, string>,
  inbound: (at: string) => Record<ConnectFailureCode, string>,
): string {
  const at = formatAddress(failure)
  return (failure.direction === 'inbound' ? inbound(at) : outbound(at))[failure.code]
}

const pt: Catalog = {
  readyHint: 'Interface pronta. Digite /help para ver os comandos disponíveis.',
  received: (from, text) => `[${who(from)} disse]: ${text}`,
  own: (text) => `Você: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} entrou.`,
  peerLeft: (peer, reason) => `* ${who(peer)} saiu (${reason}).`,
  peerLost: (peer, reason) => `* Conexão com ${who(peer)} perdida: ${reason}; tentando de novo.`,
  peersHeader: (count) => `Peers conectados (${count}):`,
  peerLine: (peer, fingerprint) => `  ${who(peer)} ${fingerprint}`,
  noPeers: 'Nenhum peer conectado.',
  historyMark: (time) => `(histórico ${time}) `,
  lateMark: (time) => `(${time}, atrasada) `,
  nameClash: (name, fingerprints) =>
    `! O nome "${name}" é usado por chaves diferentes (${fingerprints.join(', ')}): confira com /peers quem é quem.`,
  help: helpEntries({
    help: [
      '/help [COMANDO]',
      'mostra esta ajuda',
      'Sem argumento, lista os comandos; /help COMANDO explica um deles, por exemplo /help connect.',
    ],
    connect: [
      '/connect HOST PORTA',
      'conecta a outro nó (também aceita HOST:PORT)',
      'Conecta ao endereço em que outro nó escuta (o --host e a --port dele): /connect 127.0.0.1 5001, /connect 127.0.0.1:5001 ou, em IPv6, /connect [::1]:5001. As mensagens passam a chegar por ele e por todos os nós a que ele está ligado.',
    ],
    peers: [
      '/peers',
      'lista os peers conectados',
      'Mostra uma tabela dos peers diretos: nome, endereço, impressão digital da chave, hora da conexão e direção (entrada: ele conectou a você; saída: você a ele).',
    ],
    who: [
      '/who',
      'quem está na sala (também /names)',
      'Lista todos os nós de que este nó ouviu falar na sala, não só os peers diretos: nome, endereço, impressão digital, se está conectado a você (direto) ou é alcançado por outros (via peers) e quando se ouviu falar dele pela última vez.',
    ],
    msg: [
      '/msg NOME TEXTO',
      'mensagem privada',
      '/msg Pedro oi envia "oi" só para Pedro, mesmo a vários saltos: os nós do caminho não conseguem ler. Um nome com espaços vai entre aspas (/msg "Ana Maria" oi; Tab completa); NOME pode ser a impressão digital (ab12:cd34) se dois usam o mesmo nome. Se o destinatário puder ser mais de um, nada é enviado.',
    ],
    me: [
      '/me AÇÃO',
      'envia uma ação',
      '/me acena mostra a todos "* Julia acena", com o seu nome: uma ação, que ninguém pode imitar digitando "* Julia acena".',
    ],
    history: [
      '/history [N]',
      'mostra as últimas mensagens',
      'Reimprime as últimas N mensagens (20 se N faltar, até 1000) do arquivo de histórico deste nó, com data e hora.',
    ],
    quit: [
      '/quit [TEXTO]',
      'sai do chat',
      'Envia TEXTO, se houver, como última mensagem; avisa os peers, grava o histórico e sai. Ctrl+C numa linha vazia e Ctrl+D também saem.',
    ],
    ignore: [
      '/ignore [NOME]',
      'ignora um autor (sem NOME: lista)',
      '/ignore Pedro deixa de mostrar, gravar e notificar as mensagens de Pedro neste nó (elas continuam sendo repassadas aos outros). NOME pode ser a impressão digital (ab12:cd34). Vale para esta identidade, também depois de reiniciar. Sem NOME, lista os ignorados.',
    ],
    unignore: [
      '/unignore NOME',
      'volta a mostrar um autor',
      '/unignore Pedro tira Pedro da lista de ignorados: as mensagens dele voltam a aparecer.',
    ],
    retry: [
      '/retry [HOST:PORTA]',
      'esvazia a lista de espera',
      'Um nó que quebrou o protocolo (segredo errado, assinatura falsa, inundação) fica numa lista de espera: não é rediscado nem aceito por 1 min, depois 2, 4… até 1 h. /peers mostra a lista; /retry a esvazia e volta a discar; /retry HOST:PORT tira só esse endereço.',
    ],
  }),
  helpMore: 'Digite /help COMANDO para os detalhes de um comando.',
  unknownCommand: (name) => `Comando desconhecido: /${name}. Digite /help para ver os comandos disponíveis.`,
  connectUsage: 'Uso: /connect HOST PORTA (porta de 1 a 65535)',
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
  peerColumns: {
    name: 'nome',
    address: 'endereço',
    fingerprint: 'impressão digital',
    since: 'desde',
    direction: 'direção',
    via: 'via',
    score: 'nota',
  },
  direction: (direction) => (direction === 'inbound' ? 'entrada' : 'saída'),
  via: (transport, route) =>
    transport === 'tcp'
      ? 'tcp'
      : route === 'relayed'
        ? 'swarm, por relay'
        : route === 'direct'
          ? 'swarm, direta'
          : 'swarm',
  receivedFrom: (name, text) => `[${name} disse]: ${text}`,
  historyHeader: (count) => (count === 1 ? 'Última mensagem:' : `Últimas ${count} mensagens:`),
  historyEmpty: 'Nenhuma mensagem no histórico.',
  historyUnavailable: 'O histórico não está disponível aqui.',
  historyOff: 'O histórico está desligado (--no-log): nada é gravado em disco.',
  historyLoose: (path, was, now) =>
    (now & 0o077) === 0
      ? `O arquivo de histórico ${path} podia ser lido por outros usuários (modo ${mode(was)}); agora só você pode lê-lo (${mode(now)}).`
      : `aviso: o arquivo de histórico ${path} pode ser lido por outros usuários (modo ${mode(was)}) e não foi possível mudar isso; ele guarda as suas mensagens privadas. Use chmod 600 ou --no-log.`,
  identityLoose: (file, bits) =>
    `a identidade ${file} pode ser lida por outros usuários (modo ${mode(bits)}): quem a ler pode se passar por este nó; rode chmod 600 nela`,
  historyFailed: (reason) => `Não foi possível ler o histórico: ${reason}`,
  pasteQuestion: (lines) => `Colou ${lines} linhas: Enter envia ${lines} mensagens, Esc cancela.`,
  pasteCancelled: 'Colagem cancelada: nada foi enviado.',
  inputHistoryFailed: (reason) => `aviso: as linhas digitadas não serão lembradas na próxima sessão: ${reason}`,
  connected: (peer) => `Conectado a ${who(peer)}.`,
  connectFailed: (reason) => `Não foi possível conectar: ${reason}`,
  sendFailed: (reason) => `Não foi possível enviar: ${reason}`,
  warning: (message) => `aviso: ${message}`,
  relayRunning: (key) => `Relay cego ativo: quem não consegue atravessar os NATs pode usar --relay-through ${key}`,
  bootstrapReady: (nodes, relayKey) =>
    `DHT privada em ${nodes} (UDP)${relayKey ? ', com um relay cego' : ''}. Inicie os nós com as opções da linha acima: chat start --swarm … (Ctrl+C encerra)`,
  bootstrapStopped: 'DHT privada encerrada.',
  engine: ptEngine,
  log: ptLog,
  cli: ptCli,
  roomJoined: (name) => `* ${name} entrou na sala.`,
  roomLeft: (name, reason) =>
    reason === 'quit' ? `* ${name} saiu da sala.` : `* ${name} saiu da sala (sem notícias há 25 minutos).`,
  roomChurn: (joined, left) => `* Movimento na sala nos últimos 10 s: ${joined} entraram, ${left} saíram (veja /who).`,
  whoHeader: (count) => (count === 1 ? 'Na sala, além de você (1):' : `Na sala, além de você (${count}):`),
  whoLine: (node, fingerprint, reach, lastSeen) => `  ${who(node)} ${fingerprint} ${reach}, visto às ${lastSeen}`,
  whoNobody: 'Ninguém mais na sala, que este nó saiba.',
  whoColumns: {
    name: 'nome',
    address: 'endereço',
    fingerprint: 'impressão digital',
    reach: 'alcance',
    lastSeen: 'visto',
  },
  reach: (direct) => (direct ? 'direto' : 'via peers'),
  connectionFailure: (failure) =>
    failureText(
      failure,
      (at) => ({
        refused: `${at} recusou a conexão: há um nó do chat rodando ali?`,
        unreachable: `${at} não pode ser alcançado (${failure.errno ?? 'sem rota'}): confira o endereço e a rede.`,
        timeout: `${at} não respondeu ao handshake a tempo: é um nó do chat?`,
        not_chat_protocol: `${at} não fala o protocolo do chat: confira o endereço e a porta.`,
        room_mismatch: `o segredo da sala não confere em ${at}: confira o código de convite ou a senha (ou o nó não aceita mais conexões).`,
        version: `${at} fala outra versão do protocolo do chat: os dois precisam da mesma versão.`,
        bad_identity: `${at} não conseguiu provar a sua identidade.`,
        closed: `${at} fechou a conexão durante o handshake: pode estar cheio ou limitando novas conexões.`,
      }),
      (at) => ({
        refused: `uma conexão de ${at} fechou durante o handshake.`,
        unreachable: `uma conexão de ${at} fechou durante o handshake.`,
        closed: `uma conexão de ${at} fechou durante o handshake.`,
        timeout: `uma conexão de ${at} não terminou o handshake a tempo.`,
        not_chat_protocol: `uma conexão de ${at} não fala o protocolo do chat.`,
        room_mismatch: `uma conexão de ${at} usou outro segredo de sala.`,
        version: `uma conexão de ${at} fala outra versão do protocolo do chat.`,
        bad_identity: `uma conexão de ${at} não conseguiu provar a sua identidade.`,
      }),
    ),
  heldNotice: '  (ninguém está conectado: será enviada quando um peer conectar)',
  heldReleased(sent, dropped, to) {
    const done =
      sent === 0
        ? ''
        : sent === 1
          ? `1 mensagem guardada foi enviada (via ${who(to)}).`
          : `${sent} mensagens guardadas foram enviadas (via ${who(to)}).`
    const lost =
      dropped === 0
        ? ''
        : dropped === 1
          ? '1 mensagem guardada não foi entregue: esperou mais de 5 minutos, e os peers recusam mensagens tão antigas.'
          : `${dropped} mensagens guardadas não foram entregues: esperaram mais de 5 minutos (ou passaram de 256), e os peers recusam mensagens tão antigas.`
    return `* ${[done, lost].filter(Boolean).join(' ')}`
  },
  unignoreUsage: 'Uso: /unignore NOME (veja a lista com /ignore)',
  retryUsage: 'Uso: /retry [HOST:PORTA] (sem endereço: esvazia toda a lista de espera)',
  ignoreAdded: (who, fp) =>
    `Ignorando ${who} (${fp}): as mensagens não são mais mostradas nem gravadas aqui (continuam sendo repassadas). /unignore ${who} desfaz.`,
  ignoreRemoved: (who, fp) => `${who} (${fp}) não é mais ignorado.`,
  ignoreAlready: (who, fp) => `${who} (${fp}) já é ignorado.`,
  ignoreNotListed: (name) => `${name} não está na lista de ignorados (veja /ignore).`,
  ignoreList: (entries, hidden) =>
    `Ignorados (${entries.length}): ${entries.join(', ')}. ${hidden === 1 ? '1 mensagem escondida' : `${hidden} mensagens escondidas`} nesta sessão.`,
  ignoreNone: 'Ninguém é ignorado. /ignore NOME ignora um autor.',
  ignoreUnknown: (name) =>
    `Ninguém chamado ${name} apareceu por aqui ainda: /ignore aceita o nome ou a impressão digital de quem já escreveu.`,
  ignoreAmbiguous: (name, candidates) =>
    `Há mais de um ${name}: ${candidates.join(', ')}. Use a impressão digital: /ignore ab12:cd34.`,
  ignoreSelf: 'Você não pode ignorar a si mesmo.',
  ignoreFull: (max) => `A lista de ignorados está cheia (${max}): tire alguém com /unignore.`,
  ignoreFileFailed: (reason) => `aviso: lista de ignorados: ${reason}`,
  retryCleared: (count) =>
    count === 1
      ? '1 entrada saiu da lista de espera; discando de novo.'
      : `${count} entradas saíram da lista de espera; discando de novo.`,
  retryNothing: 'A lista de espera está vazia.',
  cooldownHeader: (count) => `Em espera (${count}): não rediscados nem aceitos; /retry esvazia.`,
  cooldownLine: (target, code, remaining) => `  ${target}: ${code}, faltam ${remaining}`,
  clockSkew: (peer, offsetMs) =>
    `! O relógio de ${who(peer)} está ${formatOffset(offsetMs)} ${offsetMs > 0 ? 'adiantado' : 'atrasado'} em relação ao seu: as mensagens ainda passam, com a hora de quem escreve; acerte o relógio de um de vocês (NTP).`,
}

const en: Catalog = {
  readyHint: 'Interface ready. Type /help to see the available commands.',
  received: (from, text) => `[${who(from)} said]: ${text}`,
  own: (text) => `You: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} joined.`,
  peerLeft: (peer, reason) => `* ${who(peer)} left (${reason}).`,
  peerLost: (peer, reason) => `* Lost ${who(peer)}: ${reason}; retrying.`,
  peersHeader: (count) => `Connected peers (${count}):`,
  peerLine: (peer, fingerprint) => `  ${who(peer)} ${fingerprint}`,
  noPeers: 'No peers connected.',
  historyMark: (time) => `(history ${time}) `,
  lateMark: (time) => `(${time}, late) `,
  nameClash: (name, fingerprints) =>
    `! The name "${name}" is used by different keys (${fingerprints.join(', ')}): check with /peers who is who.`,
  help: helpEntries({
    help: [
      '/help [COMMAND]',
      'show this help',
      'Without an argument, lists the commands; /help COMMAND explains one, for example /help connect.',
    ],
    connect: [
      '/connect HOST PORT',
      'connect to another node (HOST:PORT works too)',
      'Connects to the address another node listens on (its --host and --port): /connect 127.0.0.1 5001, /connect 127.0.0.1:5001 or, for IPv6, /connect [::1]:5001. Messages then arrive through it from every node it is connected to.',
    ],
    peers: [
      '/peers',
      'list the connected peers',
      'Shows a table of the direct peers: name, address, key fingerprint, time connected and direction (in: they connected to you; out: you to them).',
    ],
    who: [
      '/who',
      'who is in the room (also /names)',
      'Lists every node this node has heard of in the room, not only the direct peers: name, address, fingerprint, whether it is connected to you (direct) or reached through others (via peers), and when it was last heard of.',
    ],
    msg: [
      '/msg NAME TEXT',
      'private message',
      '/msg Pedro hi sends "hi" to Pedro only, even several hops away: the nodes on the way cannot read it. A name with spaces goes in quotes (/msg "Ana Maria" hi; Tab completes it); NAME may be the key fingerprint (ab12:cd34) when two use the same name. When it could be for more than one node, nothing is sent.',
    ],
    me: [
      '/me ACTION',
      'send an action',
      '/me waves shows everyone "* Julia waves", with your name: an action, which nobody can fake by typing "* Julia waves".',
    ],
    history: [
      '/history [N]',
      'show the latest messages',
      "Prints again the last N messages (20 if N is left out, up to 1000) from this node's history file, with date and time.",
    ],
    quit: [
      '/quit [TEXT]',
      'leave the chat',
      'Sends TEXT, if given, as a last message; tells the peers, writes the history and leaves. Ctrl+C on an empty line and Ctrl+D leave too.',
    ],
    ignore: [
      '/ignore [NAME]',
      'ignore an author (no NAME: list)',
      "/ignore Pedro stops showing, logging and notifying Pedro's messages on this node (they are still relayed to the others). NAME may be the fingerprint (ab12:cd34). It holds for this identity, across restarts too. Without NAME, lists who is ignored.",
    ],
    unignore: [
      '/unignore NAME',
      'show an author again',
      '/unignore Pedro takes Pedro off the ignore list: their messages show again.',
    ],
    retry: [
      '/retry [HOST:PORT]',
      'clear the cool-down list',
      'A node that broke the protocol (a wrong secret, a forged signature, a flood) goes on a cool-down list: not redialled nor let in for 1 min, then 2, 4 … up to 1 h. /peers shows the list; /retry clears it and dials again; /retry HOST:PORT clears that address only.',
    ],
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
  peerColumns: {
    name: 'name',
    address: 'address',
    fingerprint: 'fingerprint',
    since: 'since',
    direction: 'direction',
    via: 'via',
    score: 'score',
  },
  direction: (direction) => (direction === 'inbound' ? 'in' : 'out'),
  via: (transport, route) =>
    transport === 'tcp'
      ? 'tcp'
      : route === 'relayed'
        ? 'swarm, relayed'
        : route === 'direct'
          ? 'swarm, direct'
          : 'swarm',
  receivedFrom: (name, text) => `[${name} said]: ${text}`,
  historyHeader: (count) => (count === 1 ? 'Last message:' : `Last ${count} messages:`),
  historyEmpty: 'No messages in the history.',
  historyUnavailable: 'The history is not available here.',
  historyOff: 'The history is off (--no-log): nothing is written to disk.',
  historyLoose: (path, was, now) =>
    (now & 0o077) === 0
      ? `The history file ${path} was readable by other users (mode ${mode(was)}); now only you can read it (${mode(now)}).`
      : `warning: the history file ${path} is readable by other users (mode ${mode(was)}) and this could not be changed; it holds your private messages. Use chmod 600 or --no-log.`,
  identityLoose: (file, bits) =>
    `the chat identity ${file} is open to other users (mode ${mode(bits)}): anyone who reads it can pose as this node; run chmod 600 on it`,
  historyFailed: (reason) => `Could not read the history: ${reason}`,
  pasteQuestion: (lines) => `Pasted ${lines} lines: Enter sends ${lines} messages, Esc cancels.`,
  pasteCancelled: 'Paste cancelled: nothing was sent.',
  inputHistoryFailed: (reason) => `warning: typed lines will not be remembered for the next session: ${reason}`,
  connected: (peer) => `Connected to ${who(peer)}.`,
  connectFailed: (reason) => `Could not connect: ${reason}`,
  sendFailed: (reason) => `Could not send: ${reason}`,
  warning: (message) => `warning: ${message}`,
  relayRunning: (key) =>
    `Blind relay running: peers that cannot punch through their NATs can use --relay-through ${key}`,
  bootstrapReady: (nodes, relayKey) =>
    `Private DHT on ${nodes} (UDP)${relayKey ? ', with a blind relay' : ''}. Start nodes with the options on the line above: chat start --swarm … (Ctrl+C stops it)`,
  bootstrapStopped: 'Private DHT stopped.',
  engine: enEngine,
  log: enLog,
  cli: enCli,
  roomJoined: (name) => `* ${name} joined the room.`,
  roomLeft: (name, reason) =>
    reason === 'quit' ? `* ${name} left the room.` : `* ${name} left the room (not heard of for 25 minutes).`,
  roomChurn: (joined, left) => `* The room in the last 10 s: ${joined} joined, ${left} left (see /who).`,
  whoHeader: (count) => `In the room besides you (${count}):`,
  whoLine: (node, fingerprint, reach, lastSeen) => `  ${who(node)} ${fingerprint} ${reach}, last seen ${lastSeen}`,
  whoNobody: 'Nobody else in the room, as far as this node knows.',
  whoColumns: {name: 'name', address: 'address', fingerprint: 'fingerprint', reach: 'reach', lastSeen: 'last seen'},
  reach: (direct) => (direct ? 'direct' : 'via peers'),
  connectionFailure: (failure) =>
    failureText(
      failure,
      (at) => ({
        refused: `${at} refused the connection: is a chat node running there?`,
        unreachable: `${at} cannot be reached (${failure.errno ?? 'no route'}): check the address and the network.`,
        timeout: `${at} did not answer the handshake in time: is it a chat node?`,
        not_chat_protocol: `${at} does not speak the chat protocol: check the address and port.`,
        room_mismatch: `the room secret does not match at ${at}: check the invite code or passphrase (or the node accepts no more connections).`,
        version: `${at} speaks another version of the chat protocol: both must run the same version.`,
        bad_identity: `${at} could not prove its identity.`,
        closed: `${at} closed the connection during the handshake: it may be full or limiting new connections.`,
      }),
      (at) => ({
        refused: `a connection from ${at} closed during the handshake.`,
        unreachable: `a connection from ${at} closed during the handshake.`,
        closed: `a connection from ${at} closed during the handshake.`,
        timeout: `a connection from ${at} did not finish the handshake in time.`,
        not_chat_protocol: `a connection from ${at} does not speak the chat protocol.`,
        room_mismatch: `a connection from ${at} used another room secret.`,
        version: `a connection from ${at} speaks another version of the chat protocol.`,
        bad_identity: `a connection from ${at} could not prove its identity.`,
      }),
    ),
  heldNotice: '  (nobody is connected: it will be sent when a peer connects)',
  heldReleased(sent, dropped, to) {
    const done =
      sent === 0
        ? ''
        : sent === 1
          ? `1 held message was sent (through ${who(to)}).`
          : `${sent} held messages were sent (through ${who(to)}).`
    const lost =
      dropped === 0
        ? ''
        : dropped === 1
          ? '1 held message was not delivered: it waited more than 5 minutes, and peers refuse messages that old.'
          : `${dropped} held messages were not delivered: they waited more than 5 minutes (or were more than 256), and peers refuse messages that old.`
    return `* ${[done, lost].filter(Boolean).join(' ')}`
  },
  unignoreUsage: 'Usage: /unignore NAME (see the list with /ignore)',
  retryUsage: 'Usage: /retry [HOST:PORT] (without an address: clears the whole cool-down list)',
  ignoreAdded: (who, fp) =>
    `Ignoring ${who} (${fp}): their messages are no longer shown or logged here (they are still relayed). /unignore ${who} undoes it.`,
  ignoreRemoved: (who, fp) => `${who} (${fp}) is no longer ignored.`,
  ignoreAlready: (who, fp) => `${who} (${fp}) is already ignored.`,
  ignoreNotListed: (name) => `${name} is not on the ignore list (see /ignore).`,
  ignoreList: (entries, hidden) =>
    `Ignored (${entries.length}): ${entries.join(', ')}. ${hidden === 1 ? '1 message' : `${hidden} messages`} hidden this session.`,
  ignoreNone: 'Nobody is ignored. /ignore NAME ignores an author.',
  ignoreUnknown: (name) =>
    `Nobody called ${name} has been seen here yet: /ignore takes the name or fingerprint of someone who wrote.`,
  ignoreAmbiguous: (name, candidates) =>
    `There is more than one ${name}: ${candidates.join(', ')}. Use the fingerprint: /ignore ab12:cd34.`,
  ignoreSelf: 'You cannot ignore yourself.',
  ignoreFull: (max) => `The ignore list is full (${max}): take someone off with /unignore.`,
  ignoreFileFailed: (reason) => `warning: ignore list: ${reason}`,
  retryCleared: (count) =>
    count === 1
      ? '1 entry taken off the cool-down list; dialling again.'
      : `${count} entries taken off the cool-down list; dialling again.`,
  retryNothing: 'The cool-down list is empty.',
  cooldownHeader: (count) => `Cooling down (${count}): not redialled nor let in; /retry clears.`,
  cooldownLine: (target, code, remaining) => `  ${target}: ${code}, ${remaining} left`,
  clockSkew: (peer, offsetMs) =>
    `! ${who(peer)}'s clock is ${formatOffset(offsetMs)} ${offsetMs > 0 ? 'ahead of' : 'behind'} yours: messages still pass, with their author's time; set one of the clocks right (NTP).`,
}

// A dial that failed before its hello is worded like any connection failure, by its code (one set of words).
for (const catalog of [pt, en]) {
  catalog.engine = {
    ...catalog.engine,
    errors: {...catalog.engine.errors, unreachable: (d) => catalog.connectionFailure(d.failure)},
  }
}

export const catalogs: Readonly<Record<Lang, Catalog>> = {pt, en}

/** Lines of /help: usages padded to one column, one line per command, then how to ask about one. */
export function helpLines(catalog: Catalog): string[] {
  return [
    ...catalog.help.map((entry) => `${entry.usage.padEnd(usageWidth(catalog))}  ${entry.description}`),
    catalog.helpMore,
  ]
}

/** The column of the descriptions in /help: where a wrapped description continues. */
export function usageWidth(catalog: Catalog): number {
  return Math.max(...catalog.help.map((entry) => entry.usage.length))
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
