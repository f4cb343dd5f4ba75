// Writes oclif.manifest.json from the built commands, so `chat` never loads every command file to list them.
// The same steps as `oclif manifest`, without pulling in the whole oclif CLI as a dev dependency.
import {Plugin} from '@oclif/core'
import {writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, respectNoCacheDefault: true, root, type: 'core'})
await plugin.load()
await writeFile(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2) + '\n')
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`)
