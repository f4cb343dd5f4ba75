// The loader hooks of module-trace.mjs (they run on the loader's own thread): note each module as it loads.
import {appendFileSync} from 'node:fs'

let file

export function initialize(data) {
  file = data.file
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `esm ${url}\n`)
  return nextLoad(url, context)
}
