// The REPL's public surface, for the start command.

export {type Command, parseLine} from './commands.js'
export {type Catalog, catalogs, formatAddress, isLang, type Lang, LANGS, resolveLang} from './i18n.js'
export {HumanSink, JsonSink, type LinePrinter, type OutputSink} from './output.js'
export {Repl, type ReplOptions} from './repl.js'
export {sanitize, toJsonLine} from './sanitize.js'
export type {ReplInput, ReplNode, ReplOutput} from './types.js'
