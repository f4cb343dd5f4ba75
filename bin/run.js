#!/usr/bin/env node
import {fileURLToPath} from 'node:url'

// oclif warns on every command that a linked ESM plugin "cannot be auto-transpiled": true, and harmless for a plugin
// in plain JavaScript or shipped compiled (docs/plugins.md). Set OCLIF_DISABLE_LINKED_ESM_WARNING=0 to see it.
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
// Importing @oclif/core checks the Node version against oclif's own `engines` with `semver` (47 modules, about a
// twentieth of `chat start`'s start-up); our `engines` already asks for more than oclif's. Hence the imports below
// are dynamic: they must run after this line. Set OCLIF_DISABLE_ENGINE_WARNING=0 to have the check.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

const {execute} = await import('@oclif/core')
// `chat start` loads no core plugin (src/cli/load-options.ts); every other command line loads them all.
const {loadOptionsFor} = await import('../dist/cli/load-options.js')
const root = fileURLToPath(new URL('..', import.meta.url))
await execute({dir: import.meta.url, loadOptions: loadOptionsFor(process.argv.slice(2), root)})
