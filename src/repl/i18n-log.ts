// `chat log tail`'s lines in Portuguese and English. English keeps the seed's wording, which scripts may grep.

import type {LogTexts} from '../history/format.js'

import {reasonText} from './engine-text.js'
import {enEngine, ptEngine} from './i18n-engine.js'

export const ptLog: LogTexts = {
  sessionStarted: (name, address) => `-- sessão iniciada: ${name} em ${address}`,
  sessionEnded: '-- sessão encerrada',
  connected: (peer) => `* ${peer} conectou`,
  disconnected: (peer, reason) => `* ${peer} desconectou${reason ? ` (${reasonText(ptEngine, reason)})` : ''}`,
  own: (text) => `Você: ${text}`,
  action: (name, text) => `* ${name} ${text}`,
  you: 'Você',
  received: (from, text) => `${from}: ${text}`,
  historyMark: '(histórico) ',
  lateMark: '(atrasada) ',
  frameStored: (kind) => `-- guardado um quadro assinado ${kind}`,
  directSent: (to, text) => `Você → ${to} (privada): ${text}`,
  directReceived: (from, text) => `${from} → você (privada): ${text}`,
  notFound: (port, dir, path) =>
    `não há histórico da porta ${port} em ${dir} (procurado em ${path}): confira --port e --log-dir`,
  waiting: (path) => `aguardando ${path} ser criado (Ctrl+C para parar)…`,
}

export const enLog: LogTexts = {
  sessionStarted: (name, address) => `-- session started: ${name} on ${address}`,
  sessionEnded: '-- session ended',
  connected: (peer) => `* ${peer} connected`,
  disconnected: (peer, reason) => `* ${peer} disconnected${reason ? ` (${reasonText(enEngine, reason)})` : ''}`,
  own: (text) => `You: ${text}`,
  action: (name, text) => `* ${name} ${text}`,
  you: 'You',
  received: (from, text) => `${from}: ${text}`,
  historyMark: '(history) ',
  lateMark: '(late) ',
  frameStored: (kind) => `-- stored a signed ${kind} frame`,
  directSent: (to, text) => `You → ${to} (private): ${text}`,
  directReceived: (from, text) => `${from} → you (private): ${text}`,
  notFound: (port, dir, path) =>
    `no history for port ${port} in ${dir} (looked for ${path}): check --port and --log-dir`,
  waiting: (path) => `waiting for ${path} to be created (Ctrl+C to stop)…`,
}
