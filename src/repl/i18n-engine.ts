// The engine's codes in words, in Portuguese and English. The engine (src/p2p) speaks codes and English; what a user
// reads is looked up here by code, so both languages say the same thing. test/unit/i18n-catalog.test.ts scans
// src/p2p for every code it can raise and fails until each one is here.

import type {ChatNodeErrorCode, ChatNodeErrorDetail} from '../p2p/errors.js'

import {formatAddress} from '../p2p/address.js'

/** Codes of ChatNode's errors (a refused send, connect or start): src/p2p/errors.ts. */
export const NODE_ERROR_CODES = [
  'address_in_use',
  'already_started',
  'bad_address',
  'bad_name',
  'cooling_down',
  'dial_in_progress',
  'empty',
  'full',
  'listen_failed',
  'listen_not_allowed',
  'no_such_address',
  'not_running',
  'self',
  'too_long',
  'unknown_recipient',
  'unreachable',
] as const satisfies readonly ChatNodeErrorCode[]

/** The words of each engine error, from its typed detail (for `unreachable`, `reason` already in this language). */
export type NodeErrorTexts = {[K in ChatNodeErrorCode]: (detail: Extract<ChatNodeErrorDetail, {code: K}>) => string}

/** Why a connection ended or could not be made: socket errors by errno, and the engine's fixed reasons. */
export const REASON_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'closed',
  'cooling_down',
  'duplicate',
  'full',
  'heartbeat',
  'leaving',
  'not_reading',
  'peer_closed',
  'quit',
  'refused_handshake',
  'self',
] as const
export type ReasonCode = (typeof REASON_CODES)[number]

/** Codes of protocol errors: why a peer was disconnected (the codes of ProtocolError and SessionError). */
export const PROTOCOL_CODES = [
  'bad_field',
  'bad_frame',
  'bad_identity',
  'bad_json',
  'bad_length',
  'bad_signature',
  'decrypt_failed',
  'frame_too_large',
  'handshake_failed',
  'handshake_timeout',
  'identity_mismatch',
  'internal',
  'not_established',
  'peer_misbehaved',
  'rate_limited',
  'rekey',
  'room_mismatch',
  'sync_flood',
  'too_many_peers',
  'version',
] as const
export type ProtocolCode = (typeof PROTOCOL_CODES)[number]

/** Codes of the engine's other warnings. */
export const WARNING_CODES = [
  'dht_unreachable',
  'dm_unreadable',
  'seen_cache_full',
  'send_failed',
  'send_queue_full',
  'server_error',
  'swarm_failed',
  'swarm_unreachable',
  'swarm_unreachable_relaying',
  'sync_failed',
] as const
export type WarningCode = (typeof WARNING_CODES)[number]

export interface EngineTexts {
  errors: NodeErrorTexts
  reasons: Record<ReasonCode, string>
  protocol: Record<ProtocolCode, string>
  warnings: Record<WarningCode, (detail: string) => string>
  /** A peer disconnected for breaking the protocol: who, why (already translated), the code. */
  peerDisconnected(peer: string, reason: string, code: string): string
  /** A peer that reported an error before closing: its code and its own (untranslatable) words. */
  peerReported(code: string, message: string): string
  /** The heartbeat reason, with the silence that ended it. */
  heartbeat(seconds: number): string
  /** A --secret that cannot make a room key (RoomSecretError). */
  roomErrors: Record<'empty_secret' | 'malformed_invite', string>
  /** The warning for an easy passphrase; `why` is one of `weakness`. */
  weakPassphrase(why: string): string
  weakness: {common: string; digits: string; repeated: string; short(min: number): string}
}

const ptNumber = (n: number): string => n.toLocaleString('pt-BR')
const enNumber = (n: number): string => n.toLocaleString('en')
/** HH:MM, local time: when a cool-down ends. */
const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 5)
const address = ({host, port}: {host: string; port: number}): string => formatAddress({host, port})

export const ptEngine: EngineTexts = {
  errors: {
    address_in_use: (d) => `a porta ${d.port} em ${d.host} já está em uso: escolha outra com --port`,
    already_started: () => 'este nó já foi iniciado',
    bad_address: (d) =>
      d.host === '' ? 'o host não pode ser vazio' : `a porta deve ser um número inteiro de 1 a 65535, não "${d.port}"`,
    bad_name: (d) => `um nome deve ter de 1 a ${d.limit} caracteres imprimíveis`,
    cooling_down: (d) => `${address(d)} está na lista de espera até ${clock(d.until)} (${d.reason}): /retry a esvazia`,
    dial_in_progress: (d) => `já está conectando a ${address(d)}`,
    empty: () => 'Mensagem vazia não é enviada.',
    full: (d) => `este nó já tem ${d.maxPeers} peers (--max-peers)`,
    listen_failed: (d) => `não é possível escutar em ${address(d)}${d.errno ? ` (${d.errno})` : ''}`,
    listen_not_allowed: (d) => `sem permissão para escutar em ${address(d)}: escolha uma porta acima de 1023`,
    no_such_address: (d) => `não é possível escutar em ${d.host}: não existe esse endereço local`,
    not_running: () => 'o nó não está em execução',
    self: (d) => `${address(d)} é o endereço deste próprio nó`,
    too_long: (d) => `Mensagem longa demais: ${ptNumber(d.length)} caracteres (o limite é ${ptNumber(d.limit)}).`,
    unknown_recipient: () => 'nenhuma chave é conhecida para esse nó ainda: ele não se anunciou',
    unreachable: (d) => `não foi possível alcançar ${address(d)} (${d.failure.code})`,
  },
  reasons: {
    ECONNREFUSED: 'conexão recusada',
    ECONNRESET: 'conexão reiniciada',
    EHOSTUNREACH: 'host inalcançável',
    ENETUNREACH: 'rede inalcançável',
    ENOTFOUND: 'host não encontrado',
    ETIMEDOUT: 'tempo de conexão esgotado',
    closed: 'conexão fechada',
    cooling_down: 'na lista de espera, por erros anteriores',
    duplicate: 'conexão duplicada',
    full: 'peers demais',
    heartbeat: 'sem resposta',
    leaving: 'este nó está saindo',
    not_reading: 'o peer não está lendo',
    peer_closed: 'o peer fechou a conexão',
    quit: 'encerrou a sessão',
    refused_handshake: 'o peer fechou o handshake: o segredo da sala não confere, ou ele não aceita mais conexões',
    self: 'conectado a si mesmo',
  },
  protocol: {
    bad_field: 'um quadro com um campo inválido',
    bad_frame: 'um quadro inválido',
    bad_identity: 'a assinatura de identidade não confere com a chave do handshake',
    bad_json: 'um quadro que não é JSON válido',
    bad_length: 'não fala o protocolo do chat (tamanho de quadro inválido)',
    bad_signature: 'uma mensagem cuja assinatura não confere com o autor (forjada ou alterada)',
    decrypt_failed: 'um quadro falhou na autenticação (adulterado, repetido ou sem criptografia)',
    frame_too_large: 'um quadro grande demais',
    handshake_failed: 'o handshake falhou',
    handshake_timeout: 'o handshake não terminou a tempo',
    identity_mismatch: 'o hello nomeia outro nó que o provado pela chave do swarm',
    internal: 'um erro interno',
    not_established: 'dados antes do fim do handshake',
    peer_misbehaved: 'violou o protocolo',
    rate_limited: 'quadros demais por segundo',
    sync_flood: 'rodadas de reconciliação demais por segundo',
    rekey: 'a conexão enviou quadros demais: reconecte para novas chaves',
    room_mismatch: 'o segredo da sala não confere',
    too_many_peers: 'uma lista de peers longa demais',
    version: 'fala outra versão do protocolo do chat',
  },
  warnings: {
    dm_unreadable: (detail) =>
      `uma mensagem privada de ${detail} não pôde ser aberta (selada para uma chave antiga deste nó?)`,
    send_failed: (detail) => `não foi possível enviar: ${detail}`,
    sync_failed: (detail) => `a reconciliação com um peer falhou: ${detail}`,
    seen_cache_full: () =>
      'chegaram mensagens novas demais nos últimos minutos: as novas são descartadas até as antigas expirarem',
    send_queue_full: () => 'a fila de saída está cheia: uma mensagem foi descartada',
    server_error: (detail) => `o socket de escuta falhou: ${detail}`,
    dht_unreachable: (where) =>
      `a DHT não responde (${where}): ninguém será encontrado pelo swarm; o nó continua no TCP`,
    swarm_failed: (detail) => `não foi possível entrar no swarm (${detail}): o nó continua no TCP`,
    swarm_unreachable: (fingerprint) =>
      `${fingerprint} foi encontrado na DHT, mas os NATs impedem a conexão: um relay (--relay-through) pode conectar vocês`,
    swarm_unreachable_relaying: (fingerprint) =>
      `${fingerprint} foi encontrado na DHT, mas os NATs impedem a conexão: tentando pelo relay`,
  },
  peerDisconnected: (peer, reason, code) => `desconectado de ${peer}: ${reason} (${code})`,
  peerReported: (code, message) => `o peer informou um erro (${code}): ${message}`,
  heartbeat: (seconds) => `sem resposta (em silêncio por mais de ${ptNumber(seconds)} s)`,
  roomErrors: {
    empty_secret:
      'o segredo da sala está vazio: passe uma frase secreta ou um código de convite (veja "chat room invite"), ou nenhum segredo para a sala pública',
    malformed_invite:
      'o segredo parece um código de convite, mas está malformado (esperado chat-invite- e 43 caracteres base64url): copie-o de novo por inteiro',
  },
  weakPassphrase: (why) =>
    `frase secreta fraca (${why}): quem gravar um handshake pode testar palpites offline na velocidade máxima; use um código de convite aleatório de "chat room invite"`,
  weakness: {
    common: 'uma senha muito comum',
    digits: 'só dígitos',
    repeated: 'um padrão curto repetido',
    short: (min) => `menos de ${min} caracteres`,
  },
}

export const enEngine: EngineTexts = {
  errors: {
    address_in_use: (d) => `port ${d.port} on ${d.host} is already in use: choose another with --port`,
    already_started: () => 'this node was already started',
    bad_address: (d) =>
      d.host === '' ? 'the host must not be empty' : `the port must be a whole number from 1 to 65535, not "${d.port}"`,
    bad_name: (d) => `a name must be 1 to ${d.limit} printable characters`,
    cooling_down: (d) => `${address(d)} is cooling down until ${clock(d.until)} (${d.reason}): /retry clears the list`,
    dial_in_progress: (d) => `already connecting to ${address(d)}`,
    empty: () => 'An empty message is not sent.',
    full: (d) => `this node already has ${d.maxPeers} peers (--max-peers)`,
    listen_failed: (d) => `cannot listen on ${address(d)}${d.errno ? ` (${d.errno})` : ''}`,
    listen_not_allowed: (d) => `not allowed to listen on ${address(d)}: choose a port above 1023`,
    no_such_address: (d) => `cannot listen on ${d.host}: no such local address`,
    not_running: () => 'the node is not running',
    self: (d) => `${address(d)} is this node's own address`,
    too_long: (d) => `Message too long: ${enNumber(d.length)} characters (the limit is ${enNumber(d.limit)}).`,
    unknown_recipient: () => 'no key is known for that node yet: it has not announced itself',
    unreachable: (d) => `could not reach ${address(d)} (${d.failure.code})`,
  },
  reasons: {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'host not found',
    ETIMEDOUT: 'connection timed out',
    closed: 'connection closed',
    cooling_down: 'on the cool-down list, for earlier errors',
    duplicate: 'duplicate connection',
    full: 'too many peers',
    heartbeat: 'no answer',
    leaving: 'this node is leaving',
    not_reading: 'the peer is not reading',
    peer_closed: 'the peer closed the connection',
    quit: 'quit',
    refused_handshake:
      'the peer closed the handshake: the room secret does not match, or it accepts no more connections',
    self: 'connected to itself',
  },
  protocol: {
    bad_field: 'a frame with an invalid field',
    bad_frame: 'an invalid frame',
    bad_identity: "the peer's identity signature does not match its handshake key",
    bad_json: 'a frame that is not valid JSON',
    bad_length: 'does not speak the chat protocol (invalid frame length)',
    bad_signature: 'a message whose signature does not match its author (forged or altered)',
    decrypt_failed: 'a frame failed authentication (tampered, replayed or not encrypted)',
    frame_too_large: 'a frame too large',
    handshake_failed: 'the handshake failed',
    handshake_timeout: 'the handshake did not finish in time',
    identity_mismatch: 'the hello names another node than its swarm key proves',
    internal: 'an internal error',
    not_established: 'data before the end of the handshake',
    peer_misbehaved: 'broke the protocol',
    rate_limited: 'too many frames per second',
    sync_flood: 'too many reconciliation rounds per second',
    rekey: 'the connection sent too many frames: reconnect for fresh keys',
    room_mismatch: 'the room secret does not match',
    too_many_peers: 'a peer list too long',
    version: 'speaks another version of the chat protocol',
  },
  warnings: {
    dm_unreadable: (detail) =>
      `a direct message from ${detail} could not be opened (sealed to an older key of this node?)`,
    send_failed: (detail) => `could not send: ${detail}`,
    sync_failed: (detail) => `reconciliation with a peer failed: ${detail}`,
    seen_cache_full: () => 'too many new messages in the last minutes: new ones are dropped until older ones age out',
    send_queue_full: () => 'outgoing queue is full: a message was dropped',
    server_error: (detail) => `listening socket failed: ${detail}`,
    dht_unreachable: (where) =>
      `the DHT cannot be reached (${where}): no peers will be found on the swarm; the node keeps running on TCP`,
    swarm_failed: (detail) => `could not join the swarm (${detail}): the node keeps running on TCP`,
    swarm_unreachable: (fingerprint) =>
      `found ${fingerprint} on the DHT but cannot reach it through your NATs: a relay (--relay-through) can connect you`,
    swarm_unreachable_relaying: (fingerprint) =>
      `found ${fingerprint} on the DHT but cannot reach it through your NATs: retrying through the relay`,
  },
  peerDisconnected: (peer, reason, code) => `disconnected ${peer}: ${reason} (${code})`,
  peerReported: (code, message) => `peer reported an error (${code}): ${message}`,
  heartbeat: (seconds) => `heartbeat timeout (silent for more than ${enNumber(seconds)} s)`,
  roomErrors: {
    empty_secret:
      'the room secret is empty: pass a passphrase or an invite code (see "chat room invite"), or no secret for the public room',
    malformed_invite:
      'the room secret looks like an invite code but is malformed (expected chat-invite- and 43 base64url characters): copy it again in full',
  },
  weakPassphrase: (why) =>
    `weak room passphrase (${why}): anyone who records one handshake can try guesses offline at full speed; use a random invite code from "chat room invite" instead`,
  weakness: {
    common: 'a very common password',
    digits: 'only digits',
    repeated: 'a short repeated pattern',
    short: (min) => `fewer than ${min} characters`,
  },
}
