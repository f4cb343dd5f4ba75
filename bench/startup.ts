// Startup: wall time from spawn to the `ready` line of `chat start --json`, beside the time `node -e 0` takes to
// run and exit, sampled alternately in the same run (so both see the same machine load).

import {performance} from 'node:perf_hooks'

import {chatEnv} from './mesh.js'
import {freePort, LineProcess, parseEvent} from './proc.js'
import {ratio, summarize, type Summary} from './stats.js'

export interface StartupResult {
  samples: number
  chatReadyMs: Summary
  nodeBareMs: Summary
  /** chat p50 / node p50 */
  ratioP50: number
  chatReadySamples: number[]
  nodeBareSamples: number[]
}

export async function measureStartup(options: {
  cli: string
  workDir: string
  samples: number
  timeoutMs: number
}): Promise<StartupResult> {
  const chat: number[] = []
  const bare: number[] = []
  // One unmeasured round first: the OS file cache, not the program, would otherwise dominate the first sample.
  for (let i = -1; i < options.samples; i++) {
    const nodeMs = await timeNodeBare(options.timeoutMs)
    const chatMs = await timeChatReady(options.cli, options.workDir, options.timeoutMs)
    if (i >= 0) {
      bare.push(nodeMs)
      chat.push(chatMs)
    }
  }

  const c = summarize(chat)
  const b = summarize(bare)
  return {
    samples: options.samples,
    chatReadyMs: c,
    nodeBareMs: b,
    ratioP50: ratio(c.p50, b.p50),
    chatReadySamples: chat,
    nodeBareSamples: bare,
  }
}

async function timeNodeBare(timeoutMs: number): Promise<number> {
  const proc = new LineProcess(process.execPath, ['-e', '0'])
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs)
  await proc.exited
  clearTimeout(timer)
  return performance.now() - proc.spawnedAt
}

async function timeChatReady(cli: string, workDir: string, timeoutMs: number): Promise<number> {
  const port = await freePort()
  const proc = new LineProcess(
    process.execPath,
    [cli, 'start', '--json', '--port', String(port), '--name', 'startup', '--log-dir', workDir],
    {
      cwd: workDir,
      env: chatEnv(workDir),
    },
  )
  try {
    const ready = await proc.waitForLine((line) => parseEvent(line)?.event === 'ready', timeoutMs, 'ready')
    return ready.at - proc.spawnedAt
  } finally {
    await proc.stop('/quit', 3000)
  }
}
