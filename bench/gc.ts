// A full garbage collection before a heap reading, without asking the user for --expose-gc.

import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as (() => void) | undefined

export function fullGc(): void {
  collect?.()
  collect?.()
}

export function memory(): {heapUsedMiB: number; rssMiB: number; externalMiB: number} {
  const m = process.memoryUsage()
  return {
    heapUsedMiB: m.heapUsed / 2 ** 20,
    rssMiB: m.rss / 2 ** 20,
    externalMiB: (m.external + m.arrayBuffers) / 2 ** 20,
  }
}
