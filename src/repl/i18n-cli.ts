import type {DiscoveryProblem} from '../discovery/index.js'
import type {HistoryProblemDetail} from '../history/history-log.js'
import type {PluginProblem} from '../plugins/hooks.js'
import type {EngineTexts} from './i18n-engine.js'

import {FILE_ERROR_CODES, FILE_ERROR_REASONS, type FileErrorCode} from '../history/errors.js'
import {formatAddress} from '../p2p/address.js'
import {errorMessage, nodeErrorText} from './engine-text.js'

// The lines of the commands other than the REPL (`chat send`, `chat room invite`) and the problems `chat start` meets
// while setting up (shown after the catalogue's `aviso:`/`warning:` prefix), in Portuguese and English.

/** Which step of the ignore file went wrong: reading it, understanding it, or saving it. */
export type IgnoreFileProblem = 'read' | 'corrupt' | 'save'

export interface CliTexts {
  /** `chat send`: the peers (`Name (host:port)`) that confirmed the message. */
  delivered(peers: string[]): string
  /** `chat send`: no peer could be reached; `reasons` are one per --join, already in this language. */
  notReached(reasons: string[]): string
  /** A --join address that did not answer within the timeout. */
  noAnswer(address: string, seconds: number): string
  /** The message went out but no peer confirmed it in time. */
  notConfirmed(seconds: number): string
  /** `chat room invite`'s hint on stderr: how to start a node with `code`; `bin` is the command's name. */
  inviteHint(code: string, bin: string): string
  /** `chat start --log-dir` names a file, or a path under a file (an error at start). */
  logDirIsFile(dir: string): string
  logDirUnderFile(dir: string): string
  /** The name could not be saved for `chat send` to default to. */
  nameNotKept(reason: string): string
  /** The message store could not be read from the history file at `path`. */
  storeUnreadable(path: string, reason: string): string
  /** The ignore file at `path` could not be read, understood or saved. */
  ignoreFile(problem: IgnoreFileProblem, path: string, reason: string): string
  /** The history cannot be written for the rest of the run (`reason`: see `fileErrors`). */
  historyWriteFailed(path: string, reason: string): string
  /** One event could not be turned into a history line. */
  historyEventFailed(event: string, reason: string): string
  /** The writer fell behind and `dropped` events were lost (more than `limitMiB` waiting). */
  historyOverflow(dropped: number, limitMiB: number): string
  /** Events not written before the node stopped. */
  historyCloseLost(lost: number, path: string): string
  /** The address book could not be saved. */
  addressBookUnsaved(path: string, reason: string): string
  /** A plugin's hook failed: its chat hooks are off for the session. */
  pluginFailed(plugin: string, event: string, reason: string): string
  /** Too many hook events waiting: `event` events are dropped for a while. */
  pluginsBehind(event: string): string
  pluginHookError(event: string, reason: string): string
  /** --discover on a loopback --host: only this machine can reach the node. */
  discoveryLoopback(host: string): string
  /** A node found on the LAN could not be connected to (`reason` already in this language). */
  discoveryConnectFailed(address: string, reason: string): string
  /** mDNS could not start: no discovery this session. */
  discoveryOff(reason: string): string
  discoveryProblem(reason: string): string
  /** File-system error codes in words. */
  fileErrors: Readonly<Record<FileErrorCode, string>>
}

/** A plugin problem in the reader's language, from its parts. */
export function pluginProblemText(texts: CliTexts, problem: PluginProblem): string {
  switch (problem.kind) {
    case 'failed': {
      return texts.pluginFailed(problem.plugin, problem.event, problem.reason)
    }

    case 'behind': {
      return texts.pluginsBehind(problem.event)
    }

    case 'error': {
      return texts.pluginHookError(problem.event, problem.reason)
    }
  }
}

/** A discovery problem in the reader's language; a failed connection is worded by the engine's catalogue. */
export function discoveryProblemText(texts: CliTexts, engine: EngineTexts, problem: DiscoveryProblem): string {
  switch (problem.kind) {
    case 'loopback': {
      return texts.discoveryLoopback(problem.host)
    }

    case 'connect': {
      return texts.discoveryConnectFailed(
        formatAddress(problem),
        nodeErrorText(engine, problem.error) ?? errorMessage(problem.error),
      )
    }

    case 'mdns': {
      return texts.discoveryProblem(problem.reason)
    }

    case 'off': {
      return texts.discoveryOff(problem.reason)
    }
  }
}

/** A history problem in the reader's language, from its parts. */
export function historyProblemText(texts: CliTexts, detail: HistoryProblemDetail): string {
  switch (detail.kind) {
    case 'write': {
      const words = (FILE_ERROR_CODES as readonly string[]).includes(detail.code)
        ? texts.fileErrors[detail.code as FileErrorCode]
        : detail.reason
      return texts.historyWriteFailed(detail.path, words)
    }

    case 'event': {
      return texts.historyEventFailed(detail.event, detail.reason)
    }

    case 'overflow': {
      return texts.historyOverflow(detail.dropped, detail.limitMiB)
    }

    case 'close': {
      return texts.historyCloseLost(detail.lost, detail.path)
    }
  }
}

export const ptCli: CliTexts = {
  delivered: (peers) => `entregue a ${peers.join(', ')}`,
  notReached: (reasons) => `não foi possível alcançar nenhum peer, a mensagem não foi enviada: ${reasons.join('; ')}`,
  noAnswer: (address, seconds) => `${address}: sem resposta em ${seconds} s`,
  notConfirmed: (seconds) =>
    `a mensagem foi enviada mas nenhum peer confirmou em ${seconds} s (a conexão caiu ou o peer está sobrecarregado)`,
  inviteHint: (code, bin) =>
    [
      'Quem tiver este código pode entrar na sala; compartilhe-o só com os membros.',
      `Inicie cada nó com ele: CHAT_SECRET=${code} ${bin} start …`,
      `ou: ${bin} start --secret ${code} … (visível a outros usuários locais na lista de processos)`,
    ].join('\n'),
  logDirIsFile: (dir) => `--log-dir ${dir} é um arquivo, não um diretório: passe um diretório (ele é criado se faltar)`,
  logDirUnderFile: (dir) =>
    `--log-dir ${dir} fica sob um arquivo, não um diretório: passe um diretório (ele é criado se faltar)`,
  nameNotKept: (reason) => `não foi possível guardar o nome para "chat send" (${reason})`,
  storeUnreadable: (path, reason) =>
    `não foi possível ler o armazém de mensagens de ${path}: ${reason}; começando com um vazio`,
  ignoreFile: (problem, path, reason) =>
    ({
      read: `não foi possível ler ${path}: ${reason}`,
      corrupt: `${path} não é uma lista de ignorados (${reason}): começando com uma vazia`,
      save: `não foi possível salvar a lista de ignorados em ${path}: ${reason}`,
    })[problem],
  historyWriteFailed: (path, reason) =>
    `não é possível gravar o histórico em ${path}: ${reason}; a conversa continua sem histórico`,
  historyEventFailed: (event, reason) => `não foi possível registrar um evento ${event} no histórico: ${reason}`,
  historyOverflow: (dropped, limitMiB) =>
    `o histórico está atrasado: ${dropped === 1 ? 'descartado 1 evento não gravado' : `descartados ${dropped} eventos não gravados`} (mais de ${limitMiB} MiB em espera); parte do histórico se perdeu`,
  historyCloseLost: (lost, path) =>
    lost === 1
      ? `1 evento do histórico não foi gravado em ${path} antes de encerrar`
      : `${lost} eventos do histórico não foram gravados em ${path} antes de encerrar`,
  addressBookUnsaved: (path, reason) => `não foi possível salvar o catálogo de endereços em ${path}: ${reason}`,
  pluginFailed: (plugin, event, reason) =>
    `o plugin ${plugin} falhou no seu gancho ${event} (${reason}): seus ganchos do chat ficam desativados nesta sessão`,
  pluginsBehind: (event) =>
    `os ganchos dos plugins estão atrasados: eventos ${event} são descartados até se normalizarem`,
  pluginHookError: (event, reason) => `ganchos dos plugins: ${event} falhou: ${reason}`,
  discoveryLoopback: (host) =>
    `--discover com --host ${host}: só nós desta máquina conseguem se conectar; escute em 0.0.0.0 ou num endereço da rede local para ser encontrado`,
  discoveryConnectFailed: (address, reason) => `descoberta: ${address} foi encontrado, mas ${reason}`,
  discoveryOff: (reason) => `a descoberta mDNS não pôde começar (${reason}): descoberta desligada`,
  discoveryProblem: (reason) => `descoberta mDNS: ${reason}`,
  fileErrors: {
    EACCES: 'permissão negada',
    EPERM: 'operação não permitida',
    ENOENT: 'arquivo ou diretório inexistente',
    ENOSPC: 'não há espaço no dispositivo',
    EDQUOT: 'cota de disco excedida',
    EROFS: 'sistema de arquivos somente leitura',
    ENOTDIR: 'uma parte do caminho não é um diretório',
    EISDIR: 'é um diretório',
    EINVAL: 'não é um arquivo comum',
    EFBIG: 'o arquivo é grande demais',
    EIO: 'erro de entrada/saída',
    EMFILE: 'arquivos abertos demais',
    ENFILE: 'arquivos abertos demais no sistema',
    ELOOP: 'links simbólicos demais',
    ENAMETOOLONG: 'o caminho é longo demais',
  },
}

export const enCli: CliTexts = {
  delivered: (peers) => `delivered to ${peers.join(', ')}`,
  notReached: (reasons) => `could not reach any peer, the message was not sent: ${reasons.join('; ')}`,
  noAnswer: (address, seconds) => `${address}: no answer within ${seconds} s`,
  notConfirmed: (seconds) =>
    `the message was sent but no peer confirmed it within ${seconds} s (the connection was lost or the peer is overloaded)`,
  inviteHint: (code, bin) =>
    [
      'Anyone with this code can join the room; share it only with its members.',
      `Start each node with it: CHAT_SECRET=${code} ${bin} start …`,
      `or: ${bin} start --secret ${code} … (visible to other local users in the process list)`,
    ].join('\n'),
  logDirIsFile: (dir) => `--log-dir ${dir} is a file, not a directory: pass a directory (it is created if missing)`,
  logDirUnderFile: (dir) =>
    `--log-dir ${dir} is under a file, not a directory: pass a directory (it is created if missing)`,
  nameNotKept: (reason) => `the name could not be kept for "chat send" (${reason})`,
  storeUnreadable: (path, reason) =>
    `could not read the message store from ${path}: ${reason}; starting with an empty one`,
  ignoreFile: (problem, path, reason) =>
    ({
      read: `cannot read ${path}: ${reason}`,
      corrupt: `${path} is not an ignore list (${reason}): starting with an empty one`,
      save: `cannot save the ignore list to ${path}: ${reason}`,
    })[problem],
  historyWriteFailed: (path, reason) => `cannot write history to ${path}: ${reason}; chatting goes on without history`,
  historyEventFailed: (event, reason) => `could not record a ${event} event in history: ${reason}`,
  historyOverflow: (dropped, limitMiB) =>
    `history is falling behind: dropped ${dropped} unwritten event${dropped === 1 ? '' : 's'} (over ${limitMiB} MiB waiting); some history is lost`,
  historyCloseLost: (lost, path) =>
    `${lost} history event${lost === 1 ? ' was' : 's were'} not written to ${path} before shutdown`,
  addressBookUnsaved: (path, reason) => `could not save the address book to ${path}: ${reason}`,
  pluginFailed: (plugin, event, reason) =>
    `plugin ${plugin} failed in its ${event} hook (${reason}): its chat hooks are disabled for this session`,
  pluginsBehind: (event) => `plugin hooks are falling behind: ${event} events are dropped until they catch up`,
  pluginHookError: (event, reason) => `plugin hooks: ${event} failed: ${reason}`,
  discoveryLoopback: (host) =>
    `--discover with --host ${host}: only nodes on this machine can connect; listen on 0.0.0.0 or a LAN address to be found by others`,
  discoveryConnectFailed: (address, reason) => `discovery: found ${address} but ${reason}`,
  discoveryOff: (reason) => `mDNS discovery cannot start (${reason}): discovery is off`,
  discoveryProblem: (reason) => `mDNS discovery: ${reason}`,
  fileErrors: FILE_ERROR_REASONS,
}
