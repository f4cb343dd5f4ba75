// The REPL's public surface, for the start command.

export type {HistoryMessage} from '../history/reader.js'
export {formatAddress} from '../p2p/address.js'
export {sanitize, toJsonLine} from '../text/sanitize.js'
export {type Command, COMMANDS, parseLine} from './commands.js'
export {HumanSink} from './human-sink.js'
export {type Catalog, catalogs, isLang, type Lang, LANGS, resolveLang} from './i18n.js'
export {inputHistoryPath, MAX_INPUT_HISTORY} from './input-history.js'
export {JsonSink} from './json-sink.js'
export type {LinePrinter, OutputSink} from './output.js'
export {Repl, type ReplOptions} from './repl.js'
export {resolveColor} from './style.js'
export type {HistoryReader, ReplInput, ReplNode, ReplOutput} from './types.js'
