// What oclif loads before it runs a command line. `chat start` is the one command whose start-up time users (and
// scripts that restart nodes) wait on, and it uses none of the core plugins (help, plugins, autocomplete,
// not-found): they bring commands and hooks for other command lines only. Loading them costs their package.json
// and oclif.manifest.json each; for `chat start` oclif loads the root plugin and the user's plugins only.

import type {Interfaces} from '@oclif/core'

import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/** Command lines that skip the core plugins: `chat start …`, unless it asks for help. */
export function skipsCorePlugins(argv: readonly string[], helpFlags: readonly string[]): boolean {
  return argv[0] === 'start' && !argv.some((arg) => arg === '--help' || helpFlags.includes(arg))
}

/**
 * oclif's load options for `argv`: for `chat start` the CLI's package.json without its core plugins (user and
 * linked plugins still load, so their hooks run); undefined for every other command line (oclif loads it all).
 */
export function loadOptionsFor(argv: readonly string[], root: string): Interfaces.Options | undefined {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Interfaces.PJSON
  if (!skipsCorePlugins(argv, pjson.oclif.additionalHelpFlags ?? [])) return undefined
  return {root, pjson: {...pjson, oclif: {...pjson.oclif, plugins: []}}}
}
