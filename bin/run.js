#!/usr/bin/env node
import {execute} from '@oclif/core'

// oclif warns on every command that a linked ESM plugin "cannot be auto-transpiled": true, and harmless for a plugin
// in plain JavaScript or shipped compiled (docs/plugins.md). Set OCLIF_DISABLE_LINKED_ESM_WARNING=0 to see it.
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'

await execute({dir: import.meta.url})
