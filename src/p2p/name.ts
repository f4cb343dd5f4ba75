// The one rule for a display name, shared by the engine (which refuses a bad one) and the commands (which say which
// flag was wrong before a node is built).

import {MAX_NAME_CHARS} from './protocol.js'

/** For a `--name` flag's parse: the trimmed name, or an error oclif reports as "Parsing --name: …" (exit 2). */
export async function parseNameFlag(input: string): Promise<string> {
  const problem = nameProblem(input)
  if (problem) throw new Error(problem)
  return input.trim()
}

/** What is wrong with a name (after trimming), or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  const trimmed = name.trim()
  if (trimmed.length === 0) return `a name must be 1 to ${MAX_NAME_CHARS} printable characters (it is empty)`
  if (trimmed.length > MAX_NAME_CHARS)
    return `a name must be 1 to ${MAX_NAME_CHARS} printable characters (it has ${trimmed.length})`
  if (/[\u0000-\u001F\u007F-\u009F]/.test(trimmed))
    return `a name must be 1 to ${MAX_NAME_CHARS} printable characters (it has a control character)`
  return undefined
}
